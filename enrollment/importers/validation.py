"""Row validation: read the whole file, check every row, write the clean rows (the staging shape) as a CSV
into a packed blob (``medinsure.core.imports.deflate_writer``) that the batch keeps in the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import pandas as pd
from django.utils.translation import gettext as _

from enrollment.importers.specs import (
    ID_MESSAGES,
    STAGE_COLUMNS,
    SourceSpec,
    choice_labels,
)
from enrollment.rules.cover import CampaignTerms, PaymentFacts, Tier, decide_cover
from medinsure.core import uploads
from medinsure.core.imports import RowError
from medinsure.rules.id_numbers import IdNumberError, parse_id_number


class FileUnreadable(ValueError):
    """The file as a whole cannot be used (format, encoding, headers). The message is for the user."""


@dataclass
class ValidationResult:
    total_rows: int = 0
    valid_rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_lines: int = 0
    new_rows: int = 0
    changed_rows: int = 0
    unchanged_rows: int = 0


# --- reading ---------------------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)


def read_table(content: bytes, suffix: str) -> pd.DataFrame:
    """Every cell as a string ('' for empty), headers stripped. CSV in UTF-8 (with or without BOM) or GBK.
    ``content`` is the upload's bytes, ``suffix`` its extension (".xlsx", ".csv", …)."""
    suffix = (suffix or "").lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            df = pd.read_excel(
                io.BytesIO(content), dtype=str, engine="calamine", keep_default_na=False, na_filter=False
            )
        elif suffix in (".csv", ".txt"):
            try:
                text = uploads.decode_csv(bytes(content))
            except uploads.UploadRejected as exc:
                raise FileUnreadable(exc.message) from exc
            df = pd.read_csv(
                io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False
            )
        else:
            raise FileUnreadable(
                _("不支持的文件类型 %(suffix)s，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix or "?"}
            )
    except FileUnreadable:
        raise
    except Exception as exc:  # pandas / calamine raise many kinds; the user needs one clear answer
        raise FileUnreadable(_("文件无法读取：%(error)s") % {"error": str(exc)[:200]}) from exc
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    return df


def check_headers(df: pd.DataFrame, spec: SourceSpec) -> None:
    missing = [c.header for c in spec.columns if c.required and c.header not in df.columns]
    if missing:
        raise FileUnreadable(
            _("表头不符合“%(title)s”模板：缺少列 %(missing)s。请下载模板核对。")
            % {"title": spec.title, "missing": "、".join(missing)}
        )
    if len(df) == 0:
        raise FileUnreadable(_("文件没有数据行"))


# --- cell parsers -----------------------------------------------------------------------------------


def parse_date(value: str) -> date:
    """YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD, an Excel datetime string, or an Excel date serial number."""
    s = value.strip()
    if s.replace(".", "", 1).isdigit() and len(s) <= 7 and "." not in s[:1]:
        serial = float(s)
        if 1 <= serial < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(serial))
    if " " in s:
        s = s.split(" ", 1)[0]
    s = s.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").replace("日", "")
    if len(s) == 8 and s.isdigit():
        return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    y, m, d = s.split("-")
    return date(int(y), int(m), int(d))


def parse_money(value: str) -> Decimal:
    s = value.strip().replace(",", "").replace("元", "")
    d = Decimal(s)
    if d.is_nan() or d < 0 or d != d.quantize(Decimal("0.01")):
        raise InvalidOperation
    return d.quantize(Decimal("0.01"))


def clean_phone(value: str) -> str:
    s = value.strip().replace(" ", "").replace("-", "")
    if s.endswith(".0"):
        s = s[:-2]
    if not (s.isdigit() and (len(s) == 11 and s.startswith("1") or 7 <= len(s) <= 12)):
        raise ValueError
    return s


@dataclass(frozen=True)
class Context:
    """Everything validation needs from the database, fetched once before the loop."""

    as_of: date
    year: int | None
    division_codes: frozenset[str]
    campaign: CampaignTerms | None
    tiers: dict[str, Tier]


def load_context(*, as_of: date, year: int | None) -> Context:
    from enrollment.models import Campaign
    from medinsure.regions.models import Division

    codes = frozenset(Division.objects.filter(level__in=["village", "grid"]).values_list("code", flat=True))
    terms, tiers = None, {}
    if year:
        camp = Campaign.objects.filter(year=year).prefetch_related("tiers").first()
        if camp:
            terms = CampaignTerms(camp.year, camp.collection_start, camp.collection_end)
            tiers = {t.code: Tier(t.code, t.standard, t.subsidy, t.personal, t.ltc_premium) for t in camp.tiers.all()}
    return Context(as_of=as_of, year=year, division_codes=codes, campaign=terms, tiers=tiers)


# --- validation -------------------------------------------------------------------------------------


def _row_to_stage(
    spec: SourceSpec, ctx: Context, line: int, cells: dict[str, str], errors: list[RowError]
) -> dict | None:
    out: dict[str, object] = {"line": line}
    before = len(errors)
    header = {c.key: c.header for c in spec.columns}

    def err(key: str, value: str, message: str) -> None:
        errors.append(RowError(line, header.get(key, key), value, str(message)))

    parsed_id = None
    for col in spec.columns:
        value = cells.get(col.key, "")
        value = value.strip() if isinstance(value, str) else str(value)
        if not value:
            if col.required:
                if col.kind == "id":
                    err(col.key, value, ID_MESSAGES["empty"])
                else:
                    err(col.key, value, _("必填项为空"))
            out[col.key] = None
            continue
        try:
            if col.kind == "id":
                parsed_id = parse_id_number(value, as_of=ctx.as_of)
                if parsed_id.needs_review:
                    # 1989 standard: sequence codes 996-999 marked centenarians, whose century may be 18xx
                    err(col.key, value, _("15位号码的顺序码为百岁老人特殊编码，出生世纪无法确定，请核实后填写18位号码"))
                out["id_number"] = parsed_id.number
                out["id_number_raw"] = parsed_id.raw if parsed_id.converted_from_15 else ""
                out["sex"] = parsed_id.sex
                out["birth_date"] = parsed_id.birth_date
            elif col.kind == "date":
                d = parse_date(value)
                if d > ctx.as_of:
                    err(col.key, value, _("日期晚于今天"))
                out[col.key] = d
            elif col.kind == "code":
                code = value.split(".")[0]
                if not (code.isdigit() and len(code) in (12, 15)):
                    err(col.key, value, _("区划代码应为12位村社代码（或15位网格代码）"))
                elif code not in ctx.division_codes:
                    err(col.key, value, _("区划代码不在本区村社、网格名录中"))
                out[col.key] = code
            elif col.kind == "phone":
                out[col.key] = clean_phone(value)
            elif col.kind == "money":
                out[col.key] = parse_money(value)
            elif col.kind == "choice":
                if value not in (col.choices or {}):
                    err(
                        col.key,
                        value,
                        _("取值应为：%(choices)s") % {"choices": "、".join(choice_labels(col))},
                    )
                    out[col.key] = None
                else:
                    out[col.key] = col.choices[value]
            else:
                if len(value) > col.max_length:
                    err(col.key, value[:50], _("超过%(n)d个字符") % {"n": col.max_length})
                out[col.key] = value
        except IdNumberError as exc:
            err(col.key, value, ID_MESSAGES.get(exc.code, exc.code))
        except (ValueError, InvalidOperation, IndexError):
            kind_msg = {
                "date": _("日期格式不正确（应为 YYYY-MM-DD 或 Excel 日期）"),
                "phone": _("电话号码格式不正确"),
                "money": _("金额格式不正确（应为不小于0、最多两位小数的数字）"),
            }
            err(col.key, value, kind_msg.get(col.kind, _("格式不正确")))
    if len(errors) > before:
        return None
    return _source_fields(spec, ctx, out, parsed_id, err)


def _source_fields(spec, ctx: Context, out: dict, parsed_id, err) -> dict | None:
    src = spec.source
    if src == "police":
        change = out.pop("change", None) or ""
        when = out.pop("change_date", None)
        if change and when is None:
            err("change_date", "", _("变动类型为“%(change)s”时必须填写变动日期") % {"change": change})
            return None
        if change == "birth" and when != out["birth_date"]:
            err("change_date", str(when), _("出生登记的变动日期应与身份证号中的出生日期一致"))
            return None
        out["moved_in_on"] = when if change == "in" else None
        out["moved_out_on"] = when if change == "out" else None
        out["deceased_on"] = when if change == "death" else None
    elif src == "hr":
        out.pop("employer", None)
        out["year"] = ctx.year
        out["status"] = "employee"
    elif src == "tax":
        out["year"] = ctx.year
        if ctx.campaign is None:
            err("paid_on", "", _("%(year)s 年度的征缴设置不存在，请先建立征缴年度") % {"year": ctx.year})
            return None
        tier = ctx.tiers.get(out["tier"])
        if tier is None:
            err("tier", out["tier"], _("本年度未设置该缴费档次"))
            return None
        ltc = out.get("ltc_amount") or Decimal("0.00")
        out["ltc_amount"] = ltc
        decision = _match_payment(ctx.campaign, tier, out["paid_on"], out["birth_date"], out["amount"], ltc)
        if decision is None:
            expected = decide_cover(ctx.campaign, tier, PaymentFacts(out["paid_on"], out["birth_date"]))
            err(
                "amount",
                str(out["amount"]),
                _("缴费金额与档次标准不符：%(date)s 缴费应缴 %(due)s 元（长护险另计 %(ltc)s 元）")
                % {"date": out["paid_on"], "due": expected.amount_due, "ltc": expected.ltc_due},
            )
            return None
        out["kind"] = decision.kind
        out["cover_start"] = decision.cover_start
        out["status"] = out["tier"]
        out["status_date"] = out["paid_on"]
    elif src == "education":
        out.pop("school", None)
    return out


def _match_payment(terms, tier, paid_on, born, amount, ltc):
    """The cover decision whose amount matches what was paid (ordinary, subsidised, or free newborn)."""
    variants = (
        PaymentFacts(paid_on, born),
        PaymentFacts(paid_on, born, subsidised=True),
        PaymentFacts(paid_on, born, parent_insured_locally=True),
    )
    for facts in variants:
        d = decide_cover(terms, tier, facts)
        if d.amount_due == amount and d.ltc_due == ltc:
            return d
    return None


def _format(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def validate_file(
    content: bytes,
    suffix: str,
    spec: SourceSpec,
    ctx: Context,
    *,
    clean,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationResult:
    """Read and check the whole file; write valid rows (staging shape) as CSV to ``clean`` (a text sink:
    ``medinsure.core.imports.deflate_writer()``)."""
    df = read_table(content, suffix)
    check_headers(df, spec)
    result = ValidationResult()
    key_of = {c.header: c.key for c in spec.columns}
    present = [h for h in df.columns if h in key_of]
    keys = [key_of[h] for h in present]
    seen_ids: dict[str, int] = {}
    seen_receipts: dict[str, int] = {}
    errors = result.errors
    dedupe_key = "receipt_no" if spec.source == "tax" else "id_number"
    total = len(df)
    if total and not present:
        raise FileUnreadable(_("文件中没有可识别的列"))
    writer = csv.writer(clean)
    columns = [df[h].astype(str).tolist() for h in present]  # plain Python strings: fast to iterate
    del df
    col_index: list[tuple[int, str]] | None = None
    width = len(STAGE_COLUMNS)
    for i, values in enumerate(zip(*columns, strict=True)):
        line = i + 2  # header is line 1
        if not any(v.strip() for v in values):
            continue  # empty row
        result.total_rows += 1
        before = len(errors)
        row = _row_to_stage(spec, ctx, line, dict(zip(keys, values, strict=False)), errors)
        if row is not None:
            key = row[dedupe_key]
            seen = seen_receipts if dedupe_key == "receipt_no" else seen_ids
            if key in seen:
                header = "票据号" if dedupe_key == "receipt_no" else "身份证号"
                errors.append(RowError(line, header, key, _("与第 %(line)d 行重复") % {"line": seen[key]}))
                row = None
            else:
                seen[key] = line
            if spec.source == "tax" and row is not None:
                # one payment per person and year inside a file
                pid = row["id_number"]
                if pid in seen_ids:
                    errors.append(
                        RowError(
                            line,
                            "身份证号",
                            pid,
                            _("同一人员在第 %(line)d 行已有本年度缴费") % {"line": seen_ids[pid]},
                        )
                    )
                    row = None
                else:
                    seen_ids[pid] = line
        if row is None:
            if len(errors) > before:
                result.error_lines += 1
            continue
        if col_index is None:  # every valid row of one file has the same keys
            col_index = [(j, c) for j, c in enumerate(STAGE_COLUMNS) if c in row]
        out = [""] * width
        for j, c in col_index:
            v = row[c]
            out[j] = v if type(v) is str else _format(v)
        writer.writerow(out)
        result.valid_rows += 1
        if progress and i % 50_000 == 0 and i:
            progress(i, total)
    return result
