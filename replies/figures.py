"""Figures a letter can cite, read only through the other apps' selectors.

One registry: source key → label, parameters, the selector it calls and the sentence it writes.
``fetch`` returns a ``FigureValue`` that the letter freezes (text + data + date), so a signed
letter never changes when the source data does.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str = "int"  # int | str
    choices: tuple[tuple[str, str], ...] = ()
    required: bool = True


@dataclass(frozen=True)
class FigureValue:
    source: str
    label: str
    text: str
    data: Any
    params: dict
    as_of: date


@dataclass(frozen=True)
class FigureSource:
    key: str
    label: Any
    module: str
    function: str
    params: tuple[Param, ...]
    describe: Callable[[Any, dict], str]
    title: Callable[[dict], str] = field(default=lambda p: "")

    def selector(self):
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError:
            return None
        return getattr(module, self.function, None)

    @property
    def available(self) -> bool:
        return self.selector() is not None


# --- formatting helpers ----------------------------------------------------------------------------
def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: jsonable(getattr(value, k)) for k in value.__dataclass_fields__}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def wan(amount) -> str:
    """Yuan → 万元 with two decimals, the seeds' way (652.98万元)."""
    if amount is None or amount == "":
        return "—"
    value = (Decimal(str(amount)) / Decimal(10000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value}"


def num(value, places: str = "0.01") -> str:
    if value is None or value == "":
        return "—"
    d = Decimal(str(value))
    return f"{d.quantize(Decimal(places), rounding=ROUND_HALF_UP).normalize():f}"


def _get(obj, key, default=None):
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


# --- the sources ---------------------------------------------------------------------------------------
def _describe_fund(data, p) -> str:
    text = _(
        "截至%(year)s年%(month)s月，%(fund)s累计收入%(income)s万元，累计支出%(spent)s万元，累计结存%(balance)s万元，可支付%(months)s个月。"
    ) % {
        "year": data["year"],
        "month": data["month"],
        "fund": data.get("fund_label", ""),
        "income": wan(data.get("income_ytd")),
        "spent": wan(data.get("expenditure_ytd")),
        "balance": wan(data.get("accumulated_balance")),
        "months": num(data.get("months_payable"), "0.1"),
    }
    return text


def _describe_supervision(data, p) -> str:
    d = data if isinstance(data, dict) else jsonable(data)
    parts = []
    mapping = [
        ("inspections", _("开展现场检查医药机构%s家次")),
        ("penalised", _("作出行政处罚和协议处理%s家次")),
        ("recovered", _("追回医保基金%s万元")),
        ("fines", _("处罚款（违约金）%s万元")),
        ("suspended", _("中止医保协议%s家")),
        ("terminated", _("解除协议%s家")),
        ("exposed_cases", _("公示曝光违法违规使用医保基金案例%s件")),
        ("tips", _("受理举报线索%s件")),
    ]
    for key, template in mapping:
        if key in d and d[key] is not None:
            value = wan(d[key]) if key in ("recovered", "fines") else d[key]
            parts.append(template % value)
    if not parts:
        parts = [f"{k}{v}" for k, v in d.items() if isinstance(v, (int, str)) and k != "year"]
    return _("%(year)s年，我局共%(parts)s。") % {"year": p["year"], "parts": "，".join(parts)}


def _describe_progress(data, p) -> str:
    rows = list(data or [])
    parts = []
    for r in rows[:20]:
        name = _get(r, "name") or _get(r, "division_name") or ""
        insured = _get(r, "insured") or _get(r, "enrolled") or _get(r, "done")
        task = _get(r, "task") or _get(r, "target")
        pct = _get(r, "rate") or _get(r, "progress")
        piece = f"{name}"
        if task is not None:
            piece += _("任务%(task)s人") % {"task": task}
        if insured is not None:
            piece += _("、已参保%(n)s人") % {"n": insured}
        if pct is not None:
            piece += _("、完成%(pct)s%%") % {"pct": num(pct, "0.1")}
        parts.append(piece)
    return _("%(year)s年居民医保参保进度：%(rows)s。") % {"year": p["year"], "rows": "；".join(parts) or _("暂无数据")}


def _describe_guideline(data, p) -> str:
    rows = list(data or [])
    total = Decimal(0)
    for r in rows:
        v = _get(r, "task") or _get(r, "guideline") or _get(r, "target") or 0
        total += Decimal(str(v))
    return _("%(year)s年各镇（街）居民医保参保指导性任务数共%(total)s万人（%(n)s个镇街）。") % {
        "year": p["year"],
        "total": num(total / Decimal(10000), "0.01"),
        "n": len(rows),
    }


def _describe_policy(data, p) -> str:
    d = jsonable(data) if not isinstance(data, dict) else data
    name = d.get("name") or d.get("title") or p["code"]
    pieces = [f"{k}：{v}" for k, v in d.items() if k not in ("name", "title", "code") and isinstance(v, (str, int))]
    return _("%(name)s：%(pieces)s。") % {"name": name, "pieces": "，".join(pieces[:12])}


FUND_CHOICES = (
    ("employee", gettext_lazy("职工基本医疗保险统筹基金")),
    ("resident", gettext_lazy("城乡居民基本医疗保险基金")),
    ("ltc", gettext_lazy("长期护理保险基金")),
)
LEVEL_CHOICES = (("township", gettext_lazy("镇街")), ("village", gettext_lazy("村社")))

YEAR = Param("year", gettext_lazy("年度"))

SOURCES: dict[str, FigureSource] = {
    s.key: s
    for s in (
        FigureSource(
            "supervision_stats",
            gettext_lazy("基金监管年度数据"),
            "supervision.selectors",
            "supervision_stats",
            (YEAR,),
            _describe_supervision,
            lambda p: _("%(year)s年基金监管数据") % p,
        ),
        FigureSource(
            "enrollment_progress",
            gettext_lazy("参保进度"),
            "enrollment.selectors",
            "progress_rows",
            (YEAR, Param("level", gettext_lazy("层级"), "str", LEVEL_CHOICES)),
            _describe_progress,
            lambda p: _("%(year)s年参保进度") % p,
        ),
        FigureSource(
            "guideline_tasks",
            gettext_lazy("参保指导性任务"),
            "enrollment.selectors",
            "guideline_tasks",
            (YEAR,),
            _describe_guideline,
            lambda p: _("%(year)s年参保指导性任务") % p,
        ),
        FigureSource(
            "fund_execution",
            gettext_lazy("基金执行情况"),
            "fundbudget.selectors",
            "fund_execution",
            (Param("fund", gettext_lazy("基金"), "str", FUND_CHOICES), YEAR, Param("month", gettext_lazy("月份"))),
            _describe_fund,
            lambda p: _("%(year)s年%(month)s月基金执行情况") % p,
        ),
        FigureSource(
            "policy_summary",
            gettext_lazy("待遇政策比例"),
            "claims.selectors",
            "policy_summary",
            (Param("code", gettext_lazy("政策编码"), "str"),),
            _describe_policy,
            lambda p: _("政策%(code)s") % p,
        ),
    )
}


def sources() -> list[FigureSource]:
    """The sources whose app provides its selector (the others appear once that app is there)."""
    return [s for s in SOURCES.values() if s.available]


def clean_params(source: FigureSource, raw: dict) -> dict:
    params = {}
    for p in source.params:
        value = raw.get(p.name)
        if value in (None, ""):
            if p.required:
                raise ValidationError({p.name: _("请填写%(label)s") % {"label": p.label}})
            continue
        if p.kind == "int":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ValidationError({p.name: _("%(label)s须为整数") % {"label": p.label}}) from None
            if p.name == "month" and not 1 <= value <= 12:
                raise ValidationError({p.name: _("月份须在1至12之间")})
            if p.name == "year" and not 2000 <= value <= 2100:
                raise ValidationError({p.name: _("年度无效")})
        else:
            value = str(value).strip()
            if p.choices and value not in dict(p.choices):
                raise ValidationError({p.name: _("%(label)s取值无效") % {"label": p.label}})
        params[p.name] = value
    return params


def fetch(key: str, *, user, params: dict, as_of: date | None = None) -> FigureValue:
    source = SOURCES.get(key)
    if source is None or not source.available:
        raise ValidationError({"source": _("数据来源无效")})
    clean = clean_params(source, params)
    data = source.selector()(user=user, **clean)
    if not data:
        raise ValidationError({"source": _("所选数据来源暂无数据（或您无权查看）")})
    frozen = jsonable(data)
    return FigureValue(
        source=key,
        label=str(source.title(clean)) or str(source.label),
        text=source.describe(frozen, clean),
        data=frozen,
        params=clean,
        as_of=as_of or timezone.localdate(),
    )
