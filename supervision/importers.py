"""Designated institutions from Excel: validate the whole file, report errors by line, write
nothing until the file is clean and accepted; a re-run of the same file changes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from django.db import transaction
from django.utils.translation import gettext as _

from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.imports import RowError, TemplateColumn, template_xlsx
from medinsure.institutions.models import Institution
from medinsure.regions.models import Division
from supervision import access
from supervision.models import Agreement, AgreementEvent, AgreementStatus

COLUMNS = {
    "code": "国家医保编码",
    "name": "机构名称",
    "kind": "类别",
    "type": "机构类型",
    "level": "医院等级",
    "division": "所在镇街",
    "address": "地址",
    "agreement_number": "协议编号",
    "signed_on": "协议签订日期",
    "valid_until": "协议有效期至",
}
REQUIRED = ("code", "name", "kind", "division", "agreement_number", "signed_on")
# What the kind and level columns accept: the model's own labels (the template's drop-down lists) and
# the other names the bureau's lists use.
KIND_LABELS = {str(label): value for value, label in Institution.Kind.choices}
KIND_VALUES = {**KIND_LABELS, "医疗机构": "medical", "药店": "pharmacy", "零售药店": "pharmacy"}
LEVEL_LABELS = {str(label): value for value, label in Institution.Level.choices}
LEVEL_VALUES = {**LEVEL_LABELS, "一级": 1, "1": 1, "2": 2, "3": 3, "4": 4}
CODE_RE = re.compile(r"^[HP]\d{11}$")


@dataclass
class InstitutionRow:
    line: int
    code: str
    name: str
    kind: str
    type: str
    level: int | None
    division_id: int
    address: str
    agreement_number: str
    signed_on: date
    valid_until: date | None


@dataclass
class ImportReport:
    rows: list[InstitutionRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _text(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value) -> date | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_institutions(path_or_file) -> ImportReport:
    """Read and validate; nothing is written."""
    report = ImportReport()
    try:
        frame = pd.read_excel(path_or_file, engine="calamine", dtype=object)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is one clear error
        report.errors.append(RowError(0, "", "", _("无法读取 Excel 文件：%(error)s") % {"error": exc}))
        return report
    header = {str(c).strip(): c for c in frame.columns}
    missing = [title for key, title in COLUMNS.items() if key in REQUIRED and title not in header]
    if missing:
        report.errors.append(RowError(1, "", "", _("缺少列：%(cols)s") % {"cols": "、".join(missing)}))
        return report
    divisions = {}
    for d in _townships():
        divisions[d.code] = d.id
        divisions[d.name] = d.id
    seen_codes: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    for idx, raw in enumerate(frame.to_dict("records")):
        line = idx + 2  # line 1 is the header

        def get(key, raw=raw):
            return raw.get(header.get(COLUMNS[key]))

        errs = []  # (column key, message)
        code = _text(get("code")).upper()
        name = _text(get("name"))
        if not code and not name and not _text(get("agreement_number")):
            continue  # blank line
        if not CODE_RE.match(code):
            errs.append(("code", _("编码应为 H 或 P 加 11 位数字")))
        elif code in seen_codes:
            errs.append(("code", _("与第 %(line)s 行重复") % {"line": seen_codes[code]}))
        else:
            seen_codes[code] = line
        if not name:
            errs.append(("name", _("不能为空")))
        kind = KIND_VALUES.get(_text(get("kind")))
        if kind is None:
            errs.append(("kind", _("应为“%(labels)s”") % {"labels": "”或“".join(KIND_LABELS)}))
        elif CODE_RE.match(code) and (kind == "medical") != code.startswith("H"):
            errs.append(("kind", _("医疗机构编码以 H 开头，药店以 P 开头")))
        level_text = _text(get("level"))
        level = LEVEL_VALUES.get(level_text) if level_text else None
        if level_text and level is None:
            errs.append(("level", _("应为%(labels)s") % {"labels": "、".join(LEVEL_LABELS)}))
        division_id = divisions.get(_text(get("division")))
        if division_id is None:
            errs.append(("division", _("未知的镇街")))
        number = _text(get("agreement_number"))
        if not number:
            errs.append(("agreement_number", _("不能为空")))
        elif number in seen_numbers:
            errs.append(("agreement_number", _("与第 %(line)s 行重复") % {"line": seen_numbers[number]}))
        else:
            seen_numbers[number] = line
        signed_on = valid_until = None
        try:
            signed_on = _date(get("signed_on"))
            if signed_on is None:
                errs.append(("signed_on", _("不能为空")))
        except ValueError:
            errs.append(("signed_on", _("日期格式不正确")))
        try:
            valid_until = _date(get("valid_until"))
        except ValueError:
            errs.append(("valid_until", _("日期格式不正确")))
        if signed_on and valid_until and valid_until < signed_on:
            errs.append(("valid_until", _("不能早于签订日期")))
        if errs:
            report.errors.extend(RowError(line, COLUMNS[key], _text(get(key)), msg) for key, msg in errs)
            continue
        report.rows.append(
            InstitutionRow(
                line,
                code,
                name[:128],
                kind,
                _text(get("type"))[:32],
                level,
                division_id,
                _text(get("address"))[:200],
                number,
                signed_on,
                valid_until,
            )
        )
    if not report.rows and not report.errors:
        report.errors.append(RowError(0, "", "", _("文件中没有数据行")))
    # an agreement number already used by another institution in the database
    if report.rows:
        existing = dict(
            Agreement.objects.filter(number__in=[r.agreement_number for r in report.rows]).values_list(
                "number", "institution__code"
            )
        )
        for r in report.rows:
            if existing.get(r.agreement_number, r.code) != r.code:
                report.errors.append(
                    RowError(r.line, COLUMNS["agreement_number"], r.agreement_number, _("协议编号已被其他机构使用"))
                )
    return report


def import_institutions(*, actor, report: ImportReport) -> ImportReport:
    """Write a validated file: institutions created or updated, agreements created; all or nothing."""
    access.require_staff(actor)
    if not report.ok:
        raise ValueError("the file has errors")
    # not durable: services.institution_import_accept runs it inside its own transaction (with the
    # import's status); the command line calls it alone
    with transaction.atomic():
        current = {
            i.code: i for i in Institution.objects.select_for_update().filter(code__in=[r.code for r in report.rows])
        }
        agreements = {
            a.institution.code: a
            for a in Agreement.objects.select_related("institution").filter(
                institution__code__in=[r.code for r in report.rows]
            )
        }
        new, changed = [], []
        for r in report.rows:
            values = {
                "name": r.name,
                "kind": r.kind,
                "type": r.type,
                "level": r.level,
                "division_id": r.division_id,
                "address": r.address,
            }
            inst = current.get(r.code)
            if inst is None:
                new.append(Institution(code=r.code, **values))
            elif any(getattr(inst, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(inst, k, v)
                changed.append(inst)
        Institution.objects.bulk_create(new)
        Institution.objects.bulk_update(changed, ["name", "kind", "type", "level", "division_id", "address"])
        ids = dict(Institution.objects.filter(code__in=[r.code for r in report.rows]).values_list("code", "id"))
        new_agreements, agreement_changes = [], 0
        for r in report.rows:
            a = agreements.get(r.code)
            if a is None:
                new_agreements.append(
                    Agreement(
                        institution_id=ids[r.code],
                        number=r.agreement_number,
                        signed_on=r.signed_on,
                        valid_until=r.valid_until,
                        status=AgreementStatus.ACTIVE,
                        status_from=r.signed_on,
                    )
                )
            elif (a.number, a.signed_on, a.valid_until) != (r.agreement_number, r.signed_on, r.valid_until):
                a.number, a.signed_on, a.valid_until = r.agreement_number, r.signed_on, r.valid_until
                a.save(update_fields=["number", "signed_on", "valid_until", "updated_at"])
                agreement_changes += 1
        created = Agreement.objects.bulk_create(new_agreements)
        AgreementEvent.objects.bulk_create(
            AgreementEvent(
                agreement=a,
                action="sign",
                status=AgreementStatus.ACTIVE,
                effective_from=a.signed_on,
                actor=actor if actor.is_authenticated else None,
                note=_("Excel 导入"),
            )
            for a in created
        )
        changed_codes = {i.code for i in changed}
        report.created = len(new)
        report.updated = len(changed_codes) + agreement_changes
        report.unchanged = len(report.rows) - report.created - report.updated
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=Institution,
            summary=f"import: {report.created} new, {report.updated} updated",
        )
    return report


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP).only("id", "code", "name").order_by("code")


def template_workbook() -> bytes:
    """The blank file: the columns the reader takes, with drop-down lists of the labels it accepts."""
    choices = {
        "kind": tuple(KIND_LABELS),
        "level": tuple(LEVEL_LABELS),
        "division": tuple(d.name for d in _townships()),
    }
    return template_xlsx(
        [TemplateColumn(title, choices=choices.get(key, ())) for key, title in COLUMNS.items()],
        sheet=_("定点医药机构"),
        example=[
            "H50011600099",
            "示例卫生院",
            "定点医疗机构",
            "乡镇卫生院",
            "一级及以下",
            choices["division"][0] if choices["division"] else "白沙镇",
            "白沙镇示例路1号",
            "XY2024-099",
            "2024-01-01",
            "2026-12-31",
        ],
    )
