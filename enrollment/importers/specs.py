"""Column specs of the department files: the staging shape, each source's columns, and the templates
built from them (the workbook through the core's ``medinsure.core.imports.template_xlsx``)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from enrollment.models import SpecialCategory, SubsidyPayer
from medinsure.core.imports import TemplateColumn, template_xlsx

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


# --- templates ----------------------------------------------------------------------------------------

TEMPLATE_SHEET = "导入模板"


def choice_labels(col: Column) -> tuple[str, ...]:
    """The labels a person picks for a choice column: the keys the parser accepts, less the ASCII codes
    (``tier1``…) it also takes from machine-made files. The template's drop-down and the validation
    message both read this, so neither can drift from the parser's table."""
    if col.kind != "choice" or not col.choices:
        return ()
    return tuple(k for k in col.choices if not k.isascii())


_NOTES = {
    "id": "18位身份证号（15位旧号码将自动升级为18位），请设置为文本格式",
    "date": "日期，如 2025-01-31",
    "code": "12位统计用区划代码（村社）或15位网格代码",
    "phone": "手机号或固定电话",
    "money": "金额（元），最多两位小数",
    "int": "整数",
}


def template_columns(spec: SourceSpec) -> list[TemplateColumn]:
    """The template's columns: drop-downs of the labels the parser accepts, text format on number-like
    columns (so Excel keeps an 18-digit ID number as typed), and each column's note."""
    return [
        TemplateColumn(
            col.header,
            choices=choice_labels(col),
            width=max(12, len(col.header) * 2 + 4),
            text=col.kind in ("id", "code", "phone"),
            required=col.required,
            note=_NOTES.get(col.kind, ""),
        )
        for col in spec.columns
    ]


def source_template_xlsx(spec: SourceSpec) -> bytes:
    """The source's template, built by the core's one template builder."""
    return template_xlsx(
        template_columns(spec), sheet=TEMPLATE_SHEET, example=spec.example[0] if spec.example else None, notes=True
    )


def template_csv(spec: SourceSpec) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(spec.headers)
    for row in spec.example:
        w.writerow(row)
    return buf.getvalue().encode("utf-8-sig")
