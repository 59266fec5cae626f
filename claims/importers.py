"""Settlement files (结算单, CSV or xlsx, one row per line item) → validated settlements.

The whole file is validated first; every problem is reported with its line and column and nothing
is written until the user accepts a clean preview. Amounts are never read from the file: the
engine computes them (services.settlement_import_apply)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.utils.translation import gettext as _

from claims.models import Employment, Group, Kind, Scheme, SettlementLine
from claims.rules.visits_csv import parse_date
from medinsure.core import uploads
from medinsure.core.imports import RowError, TemplateColumn
from medinsure.institutions.models import Institution
from medinsure.regions.models import Division
from medinsure.rules.id_numbers import IdNumberError, parse_id_number

# column → accepted headers (first is the template's)
COLUMNS = {
    "number": ("结算单号", "number"),
    "institution_code": ("机构编码", "institution_code"),
    "id_number": ("身份证号", "id_number"),
    "name": ("姓名", "name"),
    "division_code": ("参保地区划代码", "division_code"),
    "scheme": ("险种", "scheme"),
    "kind": ("就诊类别", "kind"),
    "admitted_on": ("入院日期", "admitted_on"),
    "discharged_on": ("出院日期", "discharged_on"),
    "settled_on": ("结算日期", "settled_on"),
    "essential_drug_cost": ("基本药物费用", "essential_drug_cost"),
    "disease": ("病种", "disease"),
    "third_party": ("第三方责任", "third_party"),
    "group": ("人群", "group"),
    "employment": ("在职状态", "employment"),
    "continuous_years": ("连续参保年数", "continuous_years"),
    "tier": ("缴费档次", "tier"),
    "poor": ("建档立卡", "poor"),
    "item_code": ("项目编码", "item_code"),
    "item_name": ("项目名称", "item_name"),
    "category": ("类别", "category"),
    "quantity": ("数量", "quantity"),
    "price": ("单价", "price"),
    "amount": ("金额", "amount"),
    "charged_on": ("费用日期", "charged_on"),
}
REQUIRED = (
    "number",
    "institution_code",
    "id_number",
    "name",
    "division_code",
    "scheme",
    "kind",
    "admitted_on",
    "settled_on",
    "item_code",
    "item_name",
    "category",
    "quantity",
    "price",
    "amount",
    "charged_on",
)
SETTLEMENT_FIELDS = (
    "institution_code",
    "id_number",
    "name",
    "division_code",
    "scheme",
    "kind",
    "admitted_on",
    "discharged_on",
    "settled_on",
    "essential_drug_cost",
    "disease",
    "third_party",
    "group",
    "employment",
    "continuous_years",
    "tier",
    "poor",
)
CATEGORY = {
    "甲": "a",
    "甲类": "a",
    "a": "a",
    "乙": "b",
    "乙类": "b",
    "b": "b",
    "自费": "self",
    "丙": "self",
    "丙类": "self",
    "self": "self",
}
SCHEME = {
    "城乡居民": "resident",
    "城乡居民医保": "resident",
    "居民": "resident",
    "resident": "resident",
    "职工": "employee",
    "职工医保": "employee",
    "employee": "employee",
}
KIND = {
    **{k.value: k.value for k in Kind},
    **{str(k.label): k.value for k in Kind},
    "住院": "inpatient",
    "意外住院": "inpatient_accident",
    "普通门诊": "outpatient_general",
    "门诊慢病": "outpatient_chronic",
    "慢性病门诊": "outpatient_chronic",
    "意外门诊": "outpatient_accident",
}
GROUP = {
    "resident": "resident",
    "": "resident",
    "居民": "resident",
    "普通居民": "resident",
    "student": "student",
    "学生": "student",
    "学生儿童": "student",
}
EMPLOYMENT = {"": "", "in_service": "in_service", "在职": "in_service", "retired": "retired", "退休": "retired"}
FLAG = {
    "": False,
    "0": False,
    "否": False,
    "no": False,
    "false": False,
    "1": True,
    "是": True,
    "yes": True,
    "true": True,
}
TIERS = (1, 2)  # 缴费档次
CENT = Decimal("0.01")


@dataclass
class ParsedSettlement:
    number: str
    line: int
    fields: dict
    lines: list[dict] = field(default_factory=list)


@dataclass
class ParseResult:
    settlements: list[ParsedSettlement]
    rows: int
    errors: list[RowError]


def read_table(content: bytes, file_name: str) -> pd.DataFrame:
    if file_name.lower().endswith(".xlsx"):
        return pd.read_excel(io.BytesIO(content), dtype=str, engine="calamine", keep_default_na=False)
    text = uploads.decode_csv(content)
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _header_map(columns) -> tuple[dict[str, str], list[str]]:
    found, missing = {}, []
    clean = {str(c).strip(): c for c in columns}
    for key, names in COLUMNS.items():
        for name in names:
            if name in clean:
                found[key] = clean[name]
                break
    for key in REQUIRED:
        if key not in found:
            missing.append(COLUMNS[key][0])
    return found, missing


def _dec(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").strip())
    if not value.is_finite():
        raise InvalidOperation
    return value


def parse_settlement_file(content: bytes, file_name: str, *, policy_scheme: str, policy_year: int) -> ParseResult:
    """Validate a whole file; return settlements grouped by (institution, number) and every error."""
    errors: list[RowError] = []

    def err(line, column, message, value=""):
        errors.append(RowError(line, str(column), "" if value is None else str(value), str(message)))

    try:
        df = read_table(content, file_name)
    except uploads.UploadRejected as exc:
        err(1, _("文件"), exc.message)
        return ParseResult([], 0, errors)
    except Exception as exc:  # a file that is not a table at all
        err(1, _("文件"), _("无法读取文件：%(e)s") % {"e": str(exc)[:200]})
        return ParseResult([], 0, errors)
    header, missing = _header_map(df.columns)
    if missing:
        for name in missing:
            err(1, name, _("缺少该列"))
        return ParseResult([], len(df), errors)
    records = df.rename(columns={v: k for k, v in header.items()})[list(header)].to_dict("records")

    institutions = {
        i.code: i for i in Institution.objects.filter(code__in={str(r["institution_code"]).strip() for r in records})
    }
    divisions = {
        d.code: d for d in Division.objects.filter(code__in={str(r["division_code"]).strip() for r in records})
    }
    by_key: dict[tuple[str, str], ParsedSettlement] = {}

    for offset, raw in enumerate(records):
        line = offset + 2
        r = {k: ("" if v is None else str(v).strip()) for k, v in raw.items()}
        label = {k: COLUMNS[k][0] for k in COLUMNS}
        n_before = len(errors)
        for key in REQUIRED:
            if not r.get(key):
                err(line, label[key], _("必填"), r.get(key))
        if len(errors) > n_before:
            continue
        fields: dict = {}
        inst = institutions.get(r["institution_code"])
        if inst is None:
            err(
                line,
                label["institution_code"],
                _("没有编码为 %(v)s 的定点医疗机构") % {"v": r["institution_code"]},
                r.get("institution_code"),
            )
        elif inst.kind != Institution.Kind.MEDICAL or not inst.level:
            err(
                line,
                label["institution_code"],
                _("%(v)s 不是有等级的定点医疗机构") % {"v": inst.code},
                r.get("institution_code"),
            )
        else:
            fields["institution"] = inst
            fields["hospital_level"] = inst.level
        division = divisions.get(r["division_code"])
        if division is None:
            err(
                line,
                label["division_code"],
                _("没有代码为 %(v)s 的行政区划") % {"v": r["division_code"]},
                r.get("division_code"),
            )
        fields["division"] = division
        for key in ("admitted_on", "discharged_on", "settled_on", "charged_on"):
            if not r.get(key):
                fields[key] = None
                continue
            try:
                fields[key] = parse_date(r[key][:10])
            except ValueError:
                err(line, label[key], _("%(v)s 不是日期（YYYY-MM-DD）") % {"v": r[key]}, r.get(key))
        settled = fields.get("settled_on")
        if settled:
            try:
                pid = parse_id_number(r["id_number"], as_of=settled)
                fields.update(id_number=pid.number, sex=pid.sex, birth_date=pid.birth_date)
            except IdNumberError:
                err(line, label["id_number"], _("不是有效的身份证号"), r.get("id_number"))
            if settled.year != policy_year:
                err(
                    line,
                    label["settled_on"],
                    _("结算日期不在政策年度 %(y)s 内") % {"y": policy_year},
                    r.get("settled_on"),
                )
        scheme = SCHEME.get(r["scheme"])
        if scheme is None:
            err(line, label["scheme"], _("%(v)s 不是有效的险种") % {"v": r["scheme"]}, r.get("scheme"))
        elif scheme != policy_scheme:
            err(
                line,
                label["scheme"],
                _("与所选政策的险种（%(s)s）不符") % {"s": Scheme(policy_scheme).label},
                r.get("scheme"),
            )
        fields["scheme"] = scheme
        kind = KIND.get(r["kind"])
        if kind is None:
            err(line, label["kind"], _("%(v)s 不是有效的就诊类别") % {"v": r["kind"]}, r.get("kind"))
        fields["kind"] = kind
        if kind in ("inpatient", "inpatient_accident") and not fields.get("discharged_on"):
            err(line, label["discharged_on"], _("住院结算单必须填写出院日期"), r.get("discharged_on"))
        if kind and kind not in ("inpatient", "inpatient_accident") and fields.get("discharged_on"):
            err(line, label["discharged_on"], _("门诊结算单不应填写出院日期"), r.get("discharged_on"))
        if fields.get("admitted_on") and settled and fields["admitted_on"] > settled:
            err(line, label["admitted_on"], _("入院（就诊）日期晚于结算日期"), r.get("admitted_on"))
        if (
            fields.get("discharged_on")
            and fields.get("admitted_on")
            and fields["discharged_on"] < fields["admitted_on"]
        ):
            err(line, label["discharged_on"], _("出院日期早于入院日期"), r.get("discharged_on"))
        try:
            fields["essential_drug_cost"] = _dec(r.get("essential_drug_cost") or "0")
            if fields["essential_drug_cost"] < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            err(
                line,
                label["essential_drug_cost"],
                _("%(v)s 不是非负金额") % {"v": r.get("essential_drug_cost")},
                r.get("essential_drug_cost"),
            )
        for key, table in (("group", GROUP), ("employment", EMPLOYMENT), ("third_party", FLAG), ("poor", FLAG)):
            value = table.get((r.get(key) or "").lower() if key in ("third_party", "poor") else (r.get(key) or ""))
            if value is None:
                err(line, label[key], _("%(v)s 不是有效的取值") % {"v": r.get(key)}, r.get(key))
            fields[key] = value
        for key, default, allowed in (("continuous_years", 0, range(0, 101)), ("tier", 1, TIERS)):
            try:
                fields[key] = int(r.get(key) or default)
                if fields[key] not in allowed:
                    raise ValueError
            except ValueError:
                err(line, label[key], _("%(v)s 不是有效的取值") % {"v": r.get(key)}, r.get(key))
        fields["name"] = r["name"][:50]
        fields["disease"] = (r.get("disease") or "")[:64]
        # the line item
        item = {
            "item_code": r["item_code"][:40],
            "item_name": r["item_name"][:100],
            "charged_on": fields.get("charged_on"),
        }
        item["category"] = CATEGORY.get(r["category"].lower() if r["category"].isascii() else r["category"])
        if item["category"] is None:
            err(line, label["category"], _("%(v)s 应为 甲/乙/自费") % {"v": r["category"]}, r.get("category"))
        try:
            item["quantity"] = _dec(r["quantity"])
            item["price"] = _dec(r["price"])
            item["amount"] = _dec(r["amount"]).quantize(CENT)
            if item["quantity"] <= 0:
                err(line, label["quantity"], _("数量应大于 0"), r.get("quantity"))
            elif item["amount"] < 0 or item["price"] < 0:
                err(line, label["amount"], _("金额和单价不能为负数"), r.get("amount"))
            elif abs(item["quantity"] * item["price"] - item["amount"]) > Decimal("0.01"):
                err(
                    line,
                    label["amount"],
                    _("金额 %(a)s 不等于 数量×单价 %(q)s×%(p)s")
                    % {"a": item["amount"], "q": item["quantity"].normalize(), "p": item["price"].normalize()},
                    r.get("amount"),
                )
        except (InvalidOperation, ValueError):
            err(line, label["amount"], _("数量、单价、金额应为数字"), r.get("amount"))
        if len(errors) > n_before:
            continue
        key = (r["institution_code"], r["number"])
        parsed = by_key.get(key)
        settlement_fields = {k: fields[k] for k in fields if k not in ("charged_on",)}
        if parsed is None:
            by_key[key] = ParsedSettlement(number=r["number"][:40], line=line, fields=settlement_fields, lines=[item])
        else:
            for k in (
                "id_number",
                "kind",
                "settled_on",
                "admitted_on",
                "discharged_on",
                "scheme",
                "division",
                "essential_drug_cost",
                "disease",
                "third_party",
                "group",
                "employment",
            ):
                if parsed.fields.get(k) != settlement_fields.get(k):
                    err(line, label.get(k, k), _("与同一结算单第 %(l)s 行不一致") % {"l": parsed.line}, r.get(k))
                    break
            else:
                parsed.lines.append(item)
    for parsed in by_key.values():
        in_scope = sum((i["amount"] for i in parsed.lines if i["category"] != SettlementLine.Category.SELF), Decimal(0))
        if parsed.fields["essential_drug_cost"] > in_scope:
            err(
                parsed.line,
                COLUMNS["essential_drug_cost"][0],
                _("基本药物费用大于甲乙类费用合计 %(v)s") % {"v": in_scope},
                parsed.fields["essential_drug_cost"],
            )
    return ParseResult(list(by_key.values()), len(records), errors)


def _labels(table: dict) -> tuple[str, ...]:
    """The labels a person picks from a parser table: its keys less the empty cell and the ASCII codes
    (``resident``, ``true``…) machine-made files use."""
    return tuple(k for k in table if k and not k.isascii())


def template_columns() -> list[TemplateColumn]:
    """The template's columns: the first accepted heading of each, with a drop-down list of the labels the
    parser's own tables accept wherever the column takes one of a set of values."""
    choices = {
        "scheme": _labels(SCHEME),
        "kind": _labels(KIND),
        "third_party": _labels(FLAG),
        "poor": _labels(FLAG),
        "group": _labels(GROUP),
        "employment": _labels(EMPLOYMENT),
        "tier": tuple(str(t) for t in TIERS),
        "category": _labels(CATEGORY),
    }
    text = {"number", "institution_code", "id_number", "division_code", "item_code"}  # identifiers: kept as typed
    return [TemplateColumn(names[0], choices=choices.get(key, ()), text=key in text) for key, names in COLUMNS.items()]


__all__ = ["Employment", "Group", "ParseResult", "date", "parse_settlement_file", "template_columns"]
