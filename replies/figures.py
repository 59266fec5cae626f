"""Figures a letter can cite, read only through the other apps' selectors (imported by name below;
the import-linter contract "replies reads the other apps only through their selectors" holds it).

One registry: source key → label, parameters, the selector it calls and the sentence it writes.
``fetch`` returns a ``FigureValue`` that the letter freezes (text + data + date), so a signed
letter never changes when the source data does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims import selectors as claims_selectors
from enrollment import selectors as enrollment_selectors
from fundbudget import selectors as fundbudget_selectors
from supervision import selectors as supervision_selectors


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
    selector: Callable[..., Any]
    params: tuple[Param, ...]
    describe: Callable[[Any, dict], str]
    title: Callable[[dict], str] = field(default=lambda p: "")
    with_user: bool = True  # policy_summary reads reference data and takes no user

    def call(self, *, user, params: dict):
        return self.selector(user=user, **params) if self.with_user else self.selector(**params)


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


def _total(v):
    return v.get("total") if isinstance(v, dict) else v


def _describe_supervision(d, p) -> str:
    parts = []
    if d.get("inspections") is not None:
        parts.append(_("开展现场检查医药机构%s家次") % d["inspections"])
    if d.get("penalties_or_agreement_handlings") is not None:
        parts.append(_("作出行政处罚和协议处理%s家次") % d["penalties_or_agreement_handlings"])
    if d.get("recovered") is not None:
        parts.append(_("追回医保基金%s万元") % wan(d["recovered"]))
    if d.get("fines") is not None:
        parts.append(_("处罚款（违约金）%s万元") % wan(d["fines"]))
    if d.get("agreements_suspended") is not None:
        parts.append(_("中止医保协议%s家") % _total(d["agreements_suspended"]))
    terminated = d.get("agreements_terminated")
    if terminated is not None:
        piece = _("解除协议%s家") % _total(terminated)
        if isinstance(terminated, dict) and terminated.get("medical") is not None:
            piece += _("（其中医疗机构%(m)s家、药店%(ph)s家）") % {
                "m": terminated["medical"],
                "ph": terminated.get("pharmacy") or 0,
            }
        parts.append(piece)
    if d.get("publicized") is not None:
        parts.append(_("公示曝光违法违规使用医保基金案例%s件") % d["publicized"])
    if d.get("reports_received") is not None:
        parts.append(_("受理举报线索%s件") % d["reports_received"])
    return _("%(year)s年，我局共%(parts)s。") % {"year": p["year"], "parts": "，".join(parts)}


def _pct(fraction) -> str:
    return num(Decimal(str(fraction)) * 100, "0.01")


def _describe_progress(rows, p) -> str:
    parts = []
    for r in rows:
        parts.append(
            _("%(name)s任务%(task)s人、已参保%(insured)s人、完成%(rate)s%%")
            % {
                "name": r.get("division_name", ""),
                "task": r.get("task"),
                "insured": r.get("insured"),
                "rate": _pct(r.get("rate") or 0),
            }
        )
    task = sum(int(r.get("task") or 0) for r in rows)
    insured = sum(int(r.get("insured") or 0) for r in rows)
    rate = _pct(Decimal(insured) / Decimal(task)) if task else "0"
    return _(
        "截至目前，%(year)s年居民医保参保任务%(task)s万人，已参保%(insured)s万人，完成%(rate)s%%。其中：%(rows)s。"
    ) % {
        "year": p["year"],
        "task": num(Decimal(task) / Decimal(10000)),
        "insured": num(Decimal(insured) / Decimal(10000)),
        "rate": rate,
        "rows": "；".join(parts),
    }


def _describe_guideline(rows, p) -> str:
    total = sum(int(r.get("task") or 0) for r in rows)
    last = [int(r["last_year_task"]) for r in rows if r.get("last_year_task") is not None]
    text = _("%(year)s年各镇（街）的指导性计划总任务数为%(total)s万人") % {
        "year": p["year"],
        "total": num(Decimal(total) / Decimal(10000)),
    }
    if last and len(last) == len(rows):
        last_total = sum(last)
        diff = total - last_total
        text += _("，较%(prev)s年的%(last)s万人%(dir)s%(diff)s万人") % {
            "prev": p["year"] - 1,
            "last": num(Decimal(last_total) / Decimal(10000)),
            "dir": _("减少了") if diff < 0 else _("增加了"),
            "diff": num(Decimal(abs(diff)) / Decimal(10000)),
        }
    return text + "。"


EMPLOYMENT = {"in_service": gettext_lazy("在职职工"), "retired": gettext_lazy("退休职工")}
LEVELS = {1: gettext_lazy("一级及以下"), 2: gettext_lazy("二级"), 3: gettext_lazy("三级")}


def _condition(when: dict) -> str:
    parts = []
    order = {"employment": 0, "level": 1}
    for key, values in sorted((when or {}).items(), key=lambda kv: order.get(kv[0], 2)):
        values = values if isinstance(values, list) else [values]
        if key == "employment":
            parts.append("、".join(str(EMPLOYMENT.get(v, v)) for v in values))
        elif key == "level":
            parts.append("、".join(str(LEVELS.get(v, v)) for v in values) + str(_("医疗机构")))
        else:
            parts.append(f"{key}{'、'.join(str(v) for v in values)}")
    return "".join(parts)


def _ratio(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _pct(value) + "%"
    return "、".join(f"{_condition(r.get('when'))}{_pct(r['value'])}%" for r in value if "value" in r)


def _describe_policy(d, p) -> str:
    pieces = []
    for b in (d.get("benefits") or {}).values():
        piece = f"{b.get('name', '')}"
        ratio = _ratio(b.get("ratio"))
        if ratio:
            piece += _("报销比例%s") % ratio
        amount = (b.get("deductible") or {}).get("amount")
        if isinstance(amount, str):
            piece += _("，起付线%s元") % num(amount, "1")
        pieces.append(piece)
    for cap in (d.get("caps") or {}).values():
        if isinstance(cap.get("amount"), str):
            pieces.append(_("%(name)s%(amount)s元") % {"name": cap["name"], "amount": num(cap["amount"], "1")})
    return _("按照%(name)s：%(pieces)s。") % {"name": d.get("name") or p["code"], "pieces": "；".join(pieces)}


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
            supervision_selectors.supervision_stats,
            (YEAR,),
            _describe_supervision,
            lambda p: _("%(year)s年基金监管数据") % p,
        ),
        FigureSource(
            "enrollment_progress",
            gettext_lazy("参保进度"),
            enrollment_selectors.progress_rows,
            (YEAR, Param("level", gettext_lazy("层级"), "str", LEVEL_CHOICES)),
            _describe_progress,
            lambda p: _("%(year)s年参保进度") % p,
        ),
        FigureSource(
            "guideline_tasks",
            gettext_lazy("参保指导性任务"),
            enrollment_selectors.guideline_tasks,
            (YEAR,),
            _describe_guideline,
            lambda p: _("%(year)s年参保指导性任务") % p,
        ),
        FigureSource(
            "fund_execution",
            gettext_lazy("基金执行情况"),
            fundbudget_selectors.fund_execution,
            (Param("fund", gettext_lazy("基金"), "str", FUND_CHOICES), YEAR, Param("month", gettext_lazy("月份"))),
            _describe_fund,
            lambda p: _("%(year)s年%(month)s月基金执行情况") % p,
        ),
        FigureSource(
            "policy_summary",
            gettext_lazy("待遇政策比例"),
            claims_selectors.policy_summary,
            (Param("code", gettext_lazy("政策编码"), "str"),),
            _describe_policy,
            lambda p: _("政策%(code)s") % p,
            with_user=False,
        ),
    )
}


def sources() -> list[FigureSource]:
    """Every source a letter can cite."""
    return list(SOURCES.values())


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


def fetch(key: str, **kwargs) -> FigureValue:
    """The figure's sentence is part of an official letter: always written in Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return _fetch(key, **kwargs)


def _fetch(key: str, *, user, params: dict, as_of: date | None = None) -> FigureValue:
    source = SOURCES.get(key)
    if source is None:
        raise ValidationError({"source": _("数据来源无效")})
    clean = clean_params(source, params)
    try:
        data = source.call(user=user, params=clean)
    except Exception as exc:  # the source app's own "not found" (e.g. claims.policies.PolicyNotFound)
        if type(exc).__name__.endswith("NotFound") or isinstance(exc, (LookupError, ValueError)):
            raise ValidationError({"source": _("所选数据不存在：%(msg)s") % {"msg": exc}}) from None
        raise
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
