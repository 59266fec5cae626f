"""Department files in (Excel/CSV, UTF-8 or GBK) → validated rows → one bulk write.

Two steps, so nothing is written until a person accepts:
1. ``validate_file``: read the whole file (pandas; python-calamine for xlsx), check every row (ID check digit,
   dates, division codes, choices, duplicates inside the file), write the clean rows to a CSV beside the
   upload and the errors to another; then load the clean rows into a temporary table to compare them with
   the registry (conflicts, new / changed / unchanged counts) and roll that back.
2. ``merge_clean_file``: COPY the clean CSV into an unlogged staging table, then one merge statement per
   target table (residents with their history, yearly status, payments) — idempotent: unchanged rows are
   not touched, so the same file accepted twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.models import SpecialCategory, SubsidyPayer
from enrollment.rules.cover import CampaignTerms, PaymentFacts, Tier, decide_cover
from medinsure.core import uploads
from medinsure.core.bulk import linear_plan
from medinsure.core.spreadsheets import neutralise, neutralise_workbook
from medinsure.rules.id_numbers import IdNumberError, parse_id_number

# --- columns of the staging table (one generic shape for every source) ---------------------------
STAGE_COLUMNS = (
    "line",
    "id_number",
    "id_number_raw",
    "name",
    "sex",
    "birth_date",
    "hukou_code",
    "residence_code",
    "phone",
    "address",
    "special_category",
    "subsidy_payer",
    "moved_in_on",
    "moved_out_on",
    "deceased_on",
    "year",
    "status",
    "status_date",
    "tier",
    "amount",
    "ltc_amount",
    "paid_on",
    "receipt_no",
    "kind",
    "cover_start",
)
STAGE_TYPES = {
    "line": "integer",
    "birth_date": "date",
    "moved_in_on": "date",
    "moved_out_on": "date",
    "deceased_on": "date",
    "year": "smallint",
    "status_date": "date",
    "amount": "numeric(16,2)",
    "ltc_amount": "numeric(16,2)",
    "paid_on": "date",
    "cover_start": "date",
}

ID_MESSAGES = {
    "empty": gettext_lazy("身份证号为空"),
    "format": gettext_lazy("身份证号格式不正确（应为18位，最后一位可为X；或15位旧号码）"),
    "check_digit": gettext_lazy("身份证号校验位错误"),
    "birth_date": gettext_lazy("身份证号中的出生日期不存在"),
    "future_birth": gettext_lazy("身份证号中的出生日期晚于今天"),
    "too_old": gettext_lazy("身份证号中的出生日期早于1900年"),
}

CHANGE_TYPES = {"在册": "", "出生": "birth", "迁入": "in", "迁出": "out", "死亡": "death"}
TIER_LABELS = {"一档": "tier1", "二档": "tier2", "tier1": "tier1", "tier2": "tier2"}


class FileUnreadable(ValueError):
    """The file as a whole cannot be used (format, encoding, headers). The message is for the user."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = True
    kind: str = "text"  # id | text | date | code | phone | int | money | choice
    choices: dict | None = None
    max_length: int = 200


@dataclass(frozen=True)
class SourceSpec:
    source: str
    title: str
    columns: tuple[Column, ...]
    needs_year: bool = False
    example: tuple[tuple[str, ...], ...] = ()

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


ID = Column("id_number", "身份证号", kind="id")
NAME = Column("name", "姓名", max_length=64)

SOURCES: dict[str, SourceSpec] = {
    "police": SourceSpec(
        "police",
        gettext_lazy("公安户籍（含出生、死亡、迁入迁出）"),
        (
            ID,
            NAME,
            Column("hukou_code", "户籍地区划代码", kind="code"),
            Column("residence_code", "居住地区划代码", required=False, kind="code"),
            Column("phone", "联系电话", required=False, kind="phone"),
            Column("address", "住址", required=False, max_length=200),
            Column("change", "变动类型", required=False, kind="choice", choices=CHANGE_TYPES),
            Column("change_date", "变动日期", required=False, kind="date"),
        ),
        example=(
            (
                "500116199001011234",
                "张三",
                "500116001001",
                "500116001001",
                "13800000000",
                "几江街道某村1号",
                "在册",
                "",
            ),
        ),
    ),
    "hr": SourceSpec(
        "hr",
        gettext_lazy("人社职工医保参保名单"),
        (ID, NAME, Column("employer", "单位名称", required=False), Column("status_date", "参保日期", kind="date")),
        needs_year=True,
        example=(("50011619850615042X", "李芳", "重庆某某有限公司", "2025-01-01"),),
    ),
    "tax": SourceSpec(
        "tax",
        gettext_lazy("税务居民医保缴费明细"),
        (
            ID,
            NAME,
            Column("tier", "缴费档次", kind="choice", choices=TIER_LABELS),
            Column("amount", "缴费金额", kind="money"),
            Column("ltc_amount", "长护险金额", required=False, kind="money"),
            Column("paid_on", "缴费日期", kind="date"),
            Column("receipt_no", "票据号", max_length=40),
        ),
        needs_year=True,
        example=(("500116199001011234", "张三", "一档", "400", "", "2024-10-08", "T2025000001"),),
    ),
    "civil": SourceSpec(
        "civil",
        gettext_lazy("民政资助参保人员名单"),
        (
            ID,
            NAME,
            Column(
                "special_category",
                "人员类别",
                kind="choice",
                choices={str(lbl): v for v, lbl in SpecialCategory.choices if v},
            ),
            Column(
                "subsidy_payer",
                "资助出资方",
                kind="choice",
                choices={str(lbl): v for v, lbl in SubsidyPayer.choices if v},
            ),
        ),
        example=(("50011619850615042X", "李芳", "低保对象", "民政部门"),),
    ),
    "education": SourceSpec(
        "education",
        gettext_lazy("教委在校学生名单"),
        (
            ID,
            NAME,
            Column("hukou_code", "户籍地区划代码", kind="code"),
            Column("school", "学校", required=False),
            Column("phone", "监护人电话", required=False, kind="phone"),
        ),
        example=(("500116201003080110", "王小明", "500116001001", "几江小学", "13800000000"),),
    ),
}


@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str


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


def read_table(path: str | Path) -> pd.DataFrame:
    """Every cell as a string ('' for empty), headers stripped. CSV in UTF-8 (with or without BOM) or GBK."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
            df = pd.read_excel(path, dtype=str, engine="calamine", keep_default_na=False, na_filter=False)
        elif suffix in (".csv", ".txt"):
            try:
                text = uploads.decode_csv(path.read_bytes())
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
                        _("取值应为：%(choices)s")
                        % {"choices": "、".join(k for k in col.choices if not k.startswith("tier"))},
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
    path: str | Path,
    spec: SourceSpec,
    ctx: Context,
    *,
    clean_path: str | Path,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationResult:
    """Read and check the whole file; write valid rows (staging shape) to ``clean_path``."""
    df = read_table(path)
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
    with open(clean_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
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


# --- staging and merge ------------------------------------------------------------------------------

STAGE_TABLE = "enrollment_import_stage"


def _create_stage(cursor, *, temporary: bool) -> str:
    name = "enrollment_stage_preview" if temporary else STAGE_TABLE
    cols = ", ".join(f"{c} {STAGE_TYPES.get(c, 'text')}" for c in STAGE_COLUMNS)
    if temporary:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({cols}) ON COMMIT DROP")
    else:
        cursor.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS {name} (batch_id bigint, {cols})")
    return name


def copy_into(cursor, table: str, clean_path: str | Path, *, batch_id: int | None = None) -> None:
    cols = ", ".join(STAGE_COLUMNS)
    with open(clean_path, encoding="utf-8") as fh:
        if batch_id is None:
            cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '')", fh)
        else:
            # prefix each row with the batch id so concurrent imports share the staging table safely
            cursor.copy_expert(
                f"COPY {table} (batch_id, {cols}) FROM STDIN WITH (FORMAT csv, NULL '')",
                _Prefixed(fh, f"{batch_id},"),
            )


class _Prefixed(io.TextIOBase):
    """A file-like reader that prefixes every line (streaming, no copy of the whole file)."""

    def __init__(self, fh, prefix: str):
        self._fh = fh
        self._prefix = prefix

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        lines = self._fh.readlines(max(size, 65536) if size and size > 0 else -1)
        return "".join(self._prefix + ln for ln in lines)

    def readline(self, size: int = -1) -> str:
        ln = self._fh.readline()
        return self._prefix + ln if ln else ""


# Fields each source owns on the resident row: (column, how to merge). "set" overwrites, "fill" only
# fills an empty value, "keep_date" sets a date only when the file has one.
RESIDENT_FIELDS = {
    "police": {
        "name": "set",
        "hukou_division_id": "set",
        "residence_division_id": "fill_or_set",
        "phone": "fill_or_set",
        "address": "fill_or_set",
        "moved_in_on": "keep_date",
        "moved_out_on": "keep_date",
        "deceased_on": "keep_date",
    },
    "education": {"name": "set", "hukou_division_id": "set", "phone": "fill"},
    "civil": {"special_category": "set", "subsidy_payer": "set"},
    "hr": {},
    "tax": {},
}

_STAGE_SELECT = {
    "name": "s.name",
    "hukou_division_id": "dh.id",
    "residence_division_id": "dr.id",
    "phone": "COALESCE(s.phone, '')",
    "address": "COALESCE(s.address, '')",
    "moved_in_on": "s.moved_in_on",
    "moved_out_on": "s.moved_out_on",
    "deceased_on": "s.deceased_on",
    "special_category": "COALESCE(s.special_category, '')",
    "subsidy_payer": "COALESCE(s.subsidy_payer, '')",
}
_DEFAULTS = {
    "hukou_division_id": "NULL::bigint",
    "residence_division_id": "NULL::bigint",
    "phone": "''",
    "address": "''",
    "moved_in_on": "NULL::date",
    "moved_out_on": "NULL::date",
    "deceased_on": "NULL::date",
    "special_category": "''",
    "subsidy_payer": "''",
}


def _merged_expr(col: str, how: str, r: str | None = None, e: str | None = None) -> str:
    """The value a column takes after the merge: ``r`` the registry's value, ``e`` the file's."""
    r = r or f"r.{col}"
    e = e or f"EXCLUDED.{col}"
    if how == "set":
        return e
    if how == "fill":  # only fill an empty value
        empty = f"({r} IS NULL OR {r}::text = '')"
        return f"CASE WHEN {empty} THEN {e} ELSE {r} END"
    # fill_or_set / keep_date: a value in the file wins, an empty cell keeps what the registry has
    empty_new = f"({e} IS NULL OR {e}::text = '')"
    return f"CASE WHEN {empty_new} THEN {r} ELSE {e} END"


def _stage_value(col: str, owned: dict) -> str:
    return _STAGE_SELECT[col] if col in owned else _DEFAULTS[col]


def merge_resident_rows(cursor, *, source: str, batch_id: int, actor_id: int | None) -> tuple[int, int]:
    """Upsert residents from the staging rows of one batch, writing history. Returns (created, changed)."""
    return _merge_with_counts(
        cursor, resident_merge_sql(source), {"batch": batch_id, "source": source, "actor": actor_id}
    )


def resident_merge_sql(source: str) -> str:
    """The resident merge of one source (parameters: batch, source, actor).

    One statement: ``src`` keeps only the staging rows that are new or would change something (a hash
    anti-join against the registry, so an unchanged row never reaches the upsert); ``up`` upserts them
    (its WHERE repeats the change test, for a row changed concurrently); the history rows record the
    values before and after, with the batch (the source file)."""
    owned = RESIDENT_FIELDS[source]
    value_cols = list(_DEFAULTS)
    src_cols = [
        "s.id_number AS id_number",
        "COALESCE(s.id_number_raw, '') AS id_number_raw",
        "s.name AS name",
        "s.sex AS sex",
        "s.birth_date AS birth_date",
        *[f"{_stage_value(c, owned)} AS {c}" for c in value_cols],
    ]
    tracked = list(owned) or ["name"]
    pre_changed = (
        " OR ".join(
            f"r0.{c} IS DISTINCT FROM {_merged_expr(c, how, r=f'r0.{c}', e=_stage_value(c, owned))}"
            for c, how in owned.items()
        )
        or "FALSE"
    )
    set_parts = [f"{c} = {_merged_expr(c, how)}" for c, how in owned.items()]
    changed_cond = " OR ".join(f"r.{c} IS DISTINCT FROM {_merged_expr(c, how)}" for c, how in owned.items()) or "FALSE"
    on_conflict = (
        f"DO UPDATE SET {', '.join(set_parts)}, source = EXCLUDED.source, batch_id = EXCLUDED.batch_id, "
        f"updated_at = EXCLUDED.updated_at WHERE {changed_cond}"
        if owned
        else "DO NOTHING"
    )
    insert_cols = ["id_number", "id_number_raw", "name", "sex", "birth_date", *value_cols]
    before_json = "jsonb_build_object(" + ", ".join(f"'{c}', src.old_{c}" for c in tracked) + ")"
    after_json = "jsonb_build_object(" + ", ".join(f"'{c}', u.{c}" for c in tracked) + ")"
    sql = f"""
    WITH src AS MATERIALIZED (
        SELECT {", ".join(src_cols)}, r0.id AS old_id, {", ".join(f"r0.{c} AS old_{c}" for c in tracked)}
        FROM {STAGE_TABLE} s
        LEFT JOIN regions_division dh ON dh.code = s.hukou_code
        LEFT JOIN regions_division dr ON dr.code = s.residence_code
        LEFT JOIN enrollment_resident r0 ON r0.id_number = s.id_number
        WHERE s.batch_id = %(batch)s AND (r0.id IS NULL OR {pre_changed})
    ), up AS (
        INSERT INTO enrollment_resident AS r ({", ".join(insert_cols)}, reminder_opt_out, source, batch_id, created_at, updated_at)
        SELECT {", ".join(insert_cols)}, FALSE, %(source)s, %(batch)s, now(), now() FROM src
        ON CONFLICT (id_number) {on_conflict}
        RETURNING r.id, (xmax = 0) AS inserted, {", ".join("r." + c for c in tracked)}
    )
    INSERT INTO enrollment_residenthistory (resident_id, source, batch_id, actor_id, created, field, before, after, changed_at)
    SELECT u.id, %(source)s, %(batch)s, %(actor)s, u.inserted, 'resident',
           CASE WHEN u.inserted THEN NULL ELSE {before_json} END, {after_json}, now()
    FROM up u LEFT JOIN src ON src.old_id = u.id
    RETURNING created
    """
    return sql


def _merge_with_counts(cursor, sql: str, params: dict) -> tuple[int, int]:
    with linear_plan(cursor):  # the registry's statistics may say "empty" just after a big import
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    created = sum(1 for (c,) in rows if c)
    return created, len(rows) - created


def merge_status_rows(cursor, *, source: str, batch_id: int, actor_id: int | None) -> tuple[int, int]:
    """Upsert the yearly insurance status from the batch's staging rows, with history."""
    return _merge_with_counts(cursor, STATUS_MERGE_SQL, {"batch": batch_id, "source": source, "actor": actor_id})


# The status merge (parameters: batch, source, actor).
STATUS_MERGE_SQL = f"""
    WITH src AS (
        SELECT r.id AS resident_id, s.year, s.status, s.status_date FROM {STAGE_TABLE} s
        JOIN enrollment_resident r ON r.id_number = s.id_number WHERE s.batch_id = %(batch)s AND s.status IS NOT NULL
    ), prev AS (
        SELECT st.resident_id, st.status, st.status_date FROM enrollment_insurancestatus st
        JOIN src ON src.resident_id = st.resident_id AND src.year = st.year
    ), up AS (
        INSERT INTO enrollment_insurancestatus AS st (resident_id, year, status, source, status_date, batch_id, updated_at)
        SELECT resident_id, year, status, %(source)s, status_date, %(batch)s, now() FROM src
        ON CONFLICT (resident_id, year) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
            status_date = EXCLUDED.status_date, batch_id = EXCLUDED.batch_id, updated_at = now()
        WHERE (st.status, st.status_date) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.status_date)
          AND NOT (st.status IN ('tier1', 'tier2') AND EXCLUDED.status NOT IN ('tier1', 'tier2'))
        RETURNING st.resident_id, st.year, st.status, st.status_date, (xmax = 0) AS inserted
    )
    INSERT INTO enrollment_residenthistory (resident_id, source, batch_id, actor_id, created, field, before, after, changed_at)
    SELECT u.resident_id, %(source)s, %(batch)s, %(actor)s, FALSE, 'status:' || u.year,
           CASE WHEN p.resident_id IS NULL THEN NULL ELSE jsonb_build_object('status', p.status, 'status_date', p.status_date) END,
           jsonb_build_object('status', u.status, 'status_date', u.status_date), now()
    FROM up u LEFT JOIN prev p ON p.resident_id = u.resident_id
    RETURNING (before IS NULL)
    """

# The payment merge (parameter: batch).
PAYMENT_MERGE_SQL = f"""
    INSERT INTO enrollment_payment (resident_id, year, tier, amount, ltc_amount, paid_on, receipt_no, kind, cover_start, batch_id, created_at)
    SELECT r.id, s.year, s.tier, s.amount, s.ltc_amount, s.paid_on, s.receipt_no, s.kind, s.cover_start, %(batch)s, now()
    FROM {STAGE_TABLE} s JOIN enrollment_resident r ON r.id_number = s.id_number WHERE s.batch_id = %(batch)s
    ON CONFLICT (receipt_no) DO NOTHING
    """


def merge_payment_rows(cursor, *, batch_id: int) -> int:
    with linear_plan(cursor):
        cursor.execute(PAYMENT_MERGE_SQL, {"batch": batch_id})
        return cursor.rowcount


def load_stage(cursor, clean_path, batch_id: int) -> None:
    """COPY the clean rows into the staging table (created by migration 0002), tagged with the batch."""
    cursor.execute(f"DELETE FROM {STAGE_TABLE} WHERE batch_id = %s", [batch_id])
    copy_into(cursor, STAGE_TABLE, clean_path, batch_id=batch_id)
    cursor.execute(f"ANALYZE {STAGE_TABLE}")


def clear_stage(cursor, batch_id: int) -> None:
    cursor.execute(f"DELETE FROM {STAGE_TABLE} WHERE batch_id = %s", [batch_id])


# --- preview against the registry (read only) -------------------------------------------------------


def compare_with_registry(clean_path, spec: SourceSpec, *, limit_errors: int = 10_000) -> tuple[dict, list[RowError]]:
    """Load the clean rows into a temporary table and compare them with the registry: counts of new,
    changed and unchanged rows, and conflicts (a different name under the same ID; a receipt number
    already recorded for someone else). Nothing is written: the temporary table goes with the rollback."""
    from django.db import transaction

    conflicts: list[RowError] = []
    counts = {"new": 0, "changed": 0, "unchanged": 0}
    with transaction.atomic():
        with connection.cursor() as cur, linear_plan(cur):
            table = _create_stage(cur, temporary=True)
            copy_into(cur, table, clean_path)
            cur.execute(f"ANALYZE {table}")
            if spec.source in ("hr", "tax", "civil"):
                cur.execute(
                    f"""SELECT s.line, s.name, r.name FROM {table} s JOIN enrollment_resident r ON r.id_number = s.id_number
                    WHERE r.name <> s.name ORDER BY s.line LIMIT %s""",
                    [limit_errors],
                )
                for line, new, old in cur.fetchall():
                    conflicts.append(
                        RowError(line, "姓名", new, _("与参保登记库中该身份证号的姓名“%(old)s”不一致") % {"old": old})
                    )
            if spec.source == "tax":
                cur.execute(
                    f"""SELECT s.line, s.receipt_no FROM {table} s JOIN enrollment_payment p ON p.receipt_no = s.receipt_no
                    JOIN enrollment_resident r ON r.id = p.resident_id WHERE r.id_number <> s.id_number ORDER BY s.line LIMIT %s""",
                    [limit_errors],
                )
                for line, receipt in cur.fetchall():
                    conflicts.append(RowError(line, "票据号", receipt, _("该票据号已登记在其他人员名下")))
                cur.execute(
                    f"""SELECT count(*) FILTER (WHERE p.id IS NULL), count(*) FILTER (WHERE p.id IS NOT NULL)
                    FROM {table} s LEFT JOIN enrollment_payment p ON p.receipt_no = s.receipt_no"""
                )
                counts["new"], counts["unchanged"] = cur.fetchone()
            elif spec.source == "hr":
                cur.execute(
                    f"""SELECT count(*) FILTER (WHERE st.id IS NULL),
                               count(*) FILTER (WHERE st.id IS NOT NULL AND (st.status, st.status_date) IS DISTINCT FROM (s.status, s.status_date)),
                               count(*) FILTER (WHERE st.id IS NOT NULL AND (st.status, st.status_date) IS NOT DISTINCT FROM (s.status, s.status_date))
                    FROM {table} s LEFT JOIN enrollment_resident r ON r.id_number = s.id_number
                    LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = s.year"""
                )
                counts["new"], counts["changed"], counts["unchanged"] = cur.fetchone()
            else:
                owned = RESIDENT_FIELDS[spec.source]
                from_clause = (
                    f"FROM {table} s LEFT JOIN regions_division dh ON dh.code = s.hukou_code "
                    f"LEFT JOIN regions_division dr ON dr.code = s.residence_code"
                )
                diff = " OR ".join(
                    f"r.{c} IS DISTINCT FROM {_merged_expr(c, how).replace('EXCLUDED.', 'x.')}"
                    for c, how in owned.items()
                )
                sel = ", ".join(f"{_STAGE_SELECT[c]} AS {c}" for c in owned)
                cur.execute(
                    f"""WITH x AS (SELECT s.id_number, {sel} {from_clause})
                    SELECT count(*) FILTER (WHERE r.id IS NULL), count(*) FILTER (WHERE r.id IS NOT NULL AND ({diff})),
                           count(*) FILTER (WHERE r.id IS NOT NULL AND NOT ({diff}))
                    FROM x LEFT JOIN enrollment_resident r ON r.id_number = x.id_number"""
                )
                counts["new"], counts["changed"], counts["unchanged"] = cur.fetchone()
        transaction.set_rollback(True)
    return counts, conflicts


# --- files: templates and error reports --------------------------------------------------------------


def template_xlsx(spec: SourceSpec) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "导入模板"
    ws.append(spec.headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in spec.example:
        ws.append(list(row))
    for i, col in enumerate(spec.columns, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(col.header) * 2 + 4)
        if col.kind in ("id", "code", "phone"):
            for r in range(2, 1000):
                ws.cell(r, i).number_format = "@"
    notes = wb.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "说明"])
    explain = {
        "id": "18位身份证号（15位旧号码将自动升级为18位），请设置为文本格式",
        "date": "日期，如 2025-01-31",
        "code": "12位统计用区划代码（村社）或15位网格代码",
        "phone": "手机号或固定电话",
        "money": "金额（元），最多两位小数",
        "choice": "可选值：",
        "int": "整数",
    }
    for col in spec.columns:
        text = explain.get(col.kind, "")
        if col.kind == "choice":
            text += "、".join(k for k in col.choices if not k.startswith("tier"))
        notes.append([col.header, "是" if col.required else "否", text])
    buf = io.BytesIO()
    neutralise_workbook(wb)
    wb.save(buf)
    return buf.getvalue()


def template_csv(spec: SourceSpec) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(spec.headers)
    for row in spec.example:
        w.writerow(row)
    return buf.getvalue().encode("utf-8-sig")


def write_errors_csv(path, errors: list[RowError]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for e in sorted(errors, key=lambda e: e.line):
            w.writerow([e.line, e.column, e.value, e.message])


def read_errors_csv(path) -> list[RowError]:
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        return [RowError(int(a), b, c, d) for a, b, c, d in csv.reader(fh)]


def errors_xlsx(errors: list[RowError], *, title: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    ws.append([neutralise(title)])  # the title carries the uploaded file's name
    ws.append(["行号", "列", "值", "错误说明"])
    for e in errors:
        ws.append([e.line, neutralise(e.column), neutralise(e.value), neutralise(e.message)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def storage_dir() -> Path:
    d = Path(settings.PRIVATE_FILES_ROOT) / "enrollment" / "imports"
    d.mkdir(parents=True, exist_ok=True)
    return d
