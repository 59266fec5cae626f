"""Contribution-year campaigns (征缴年度) and their tiers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from enrollment.models import Campaign, CampaignTier
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log

TIER_LABELS = dict(CampaignTier._meta.get_field("code").choices)  # tier1 一档, tier2 二档 (translated)
CAMPAIGN_LOCK_KEY = 73010  # pg_advisory_xact_lock(key, year): one creation of a year at a time


@dataclass(frozen=True)
class TierInput:
    """One contribution tier of a campaign as entered: standard = subsidy + personal."""

    code: str
    standard: Decimal
    subsidy: Decimal
    personal: Decimal
    ltc_premium: Decimal = Decimal("0")


def _as_decimal(value, field: str, label: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, str)):
        try:
            return Decimal(value)
        except ArithmeticError:
            pass
    raise ValidationError({field: _("%(label)s应为金额（元）") % {"label": label}})


def _campaign_check(
    *,
    name: str,
    collection_start: date,
    collection_end: date,
    city_target: int,
    township_total: int | None,
    base_ratio: Decimal,
    reminder_round_days,
    tiers,
) -> tuple[str, list[int], list[TierInput]]:
    """Validate a campaign's settings; every refusal names the field at fault."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("名称不能为空")})
    if not collection_start:
        raise ValidationError({"collection_start": _("集中缴费期开始不能为空")})
    if not collection_end:
        raise ValidationError({"collection_end": _("集中缴费期结束不能为空")})
    if collection_start >= collection_end:
        raise ValidationError({"collection_start": _("集中缴费期开始日期应早于结束日期")})
    if city_target is None or int(city_target) <= 0:
        raise ValidationError({"city_target": _("市级下达基本医保参保任务数应为正整数")})
    if township_total is not None and int(township_total) < 0:
        raise ValidationError({"township_total": _("镇街居民医保指导性任务总数不能为负数")})
    base_ratio = _as_decimal(base_ratio, "base_ratio", _("户籍人口基数比例"))
    if not (Decimal(0) < base_ratio <= 1):
        raise ValidationError({"base_ratio": _("户籍人口基数比例应大于0且不超过1")})
    rounds = []
    for d in reminder_round_days or []:
        try:
            n = int(d)
        except (TypeError, ValueError):
            n = -1
        if n < 0:
            raise ValidationError({"reminder_round_days": _("提醒轮次应为不小于0的整数天数")})
        rounds.append(n)
    tiers = list(tiers or [])
    if not tiers:
        raise ValidationError({"tiers": _("至少设置一个缴费档次")})
    seen, out = set(), []
    for t in tiers:
        if t.code not in TIER_LABELS:
            raise ValidationError({"tiers": _("未知的缴费档次：%(code)s") % {"code": t.code}})
        if t.code in seen:
            raise ValidationError({f"{t.code}.code": _("缴费档次%(tier)s重复") % {"tier": str(TIER_LABELS[t.code])}})
        seen.add(t.code)
        tier = str(TIER_LABELS[t.code])
        amounts = {}
        for key, label in (
            ("standard", _("筹资标准")),
            ("subsidy", _("财政补助")),
            ("personal", _("个人缴费")),
            ("ltc_premium", _("长期护理保险费")),
        ):
            value = _as_decimal(getattr(t, key), f"{t.code}.{key}", f"{tier}{label}")
            if value < 0:
                raise ValidationError(
                    {f"{t.code}.{key}": _("%(tier)s%(label)s不能为负数") % {"tier": tier, "label": label}}
                )
            if value != value.quantize(Decimal("0.01")):
                raise ValidationError(
                    {f"{t.code}.{key}": _("%(tier)s%(label)s最多保留两位小数") % {"tier": tier, "label": label}}
                )
            amounts[key] = value.quantize(Decimal("0.01"))
        if amounts["standard"] != amounts["subsidy"] + amounts["personal"]:
            raise ValidationError(
                {
                    f"{t.code}.standard": _(
                        "%(tier)s筹资标准（%(standard)s元）应等于财政补助与个人缴费之和（%(sum)s元）"
                    )
                    % {"tier": tier, "standard": amounts["standard"], "sum": amounts["subsidy"] + amounts["personal"]}
                }
            )
        out.append(TierInput(code=t.code, **amounts))
    return name, rounds, out


def _tiers_write(campaign: Campaign, tiers: list[TierInput]) -> None:
    existing = {t.code: t for t in CampaignTier.objects.select_for_update().filter(campaign=campaign)}
    for t in tiers:
        row = existing.pop(t.code, None) or CampaignTier(campaign=campaign, code=t.code)
        row.standard, row.subsidy, row.personal, row.ltc_premium = t.standard, t.subsidy, t.personal, t.ltc_premium
        row.save()
    for row in existing.values():  # tiers left out of the new settings
        row.delete()


def _tiers_summary(tiers: list[TierInput]) -> str:
    return "; ".join(f"{t.code} {t.standard}={t.subsidy}+{t.personal} ltc {t.ltc_premium}" for t in tiers)


def campaign_create(
    *,
    actor,
    year: int,
    name: str,
    collection_start: date,
    collection_end: date,
    city_target: int,
    tiers,
    township_total: int | None = None,
    base_ratio: Decimal = Decimal("0.96"),
    reminder_round_days=(),
) -> Campaign:
    """A new contribution-year campaign with its tiers (one campaign per year)."""
    if not isinstance(year, int) or not (2000 <= year <= 2100):
        raise ValidationError({"year": _("参保年度应为2000至2100之间的年份")})
    name, rounds, tiers = _campaign_check(
        name=name,
        collection_start=collection_start,
        collection_end=collection_end,
        city_target=city_target,
        township_total=township_total,
        base_ratio=base_ratio,
        reminder_round_days=reminder_round_days,
        tiers=tiers,
    )
    with transaction.atomic(durable=True):
        # the advisory lock serialises two creations of the same year; the unique index is the last guard
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CAMPAIGN_LOCK_KEY, year])
        if Campaign.objects.filter(year=year).exists():
            raise ValidationError({"year": _("%(year)s年度的征缴年度已存在") % {"year": year}})
        campaign = Campaign.objects.create(
            year=year,
            name=name,
            collection_start=collection_start,
            collection_end=collection_end,
            city_target=city_target,
            township_total=township_total,
            base_ratio=base_ratio,
            reminder_round_days=rounds,
        )
        _tiers_write(campaign, tiers)
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=campaign,
            summary=(
                f"create {year} {collection_start}..{collection_end} city_target={city_target} {_tiers_summary(tiers)}"
            ),
        )
    return campaign


def campaign_update(
    *,
    actor,
    campaign: Campaign,
    name: str,
    collection_start: date,
    collection_end: date,
    city_target: int,
    tiers,
    township_total: int | None = None,
    base_ratio: Decimal = Decimal("0.96"),
    reminder_round_days=(),
) -> Campaign:
    """Change a campaign's settings and tiers; its year stays (payments and tasks refer to it)."""
    name, rounds, tiers = _campaign_check(
        name=name,
        collection_start=collection_start,
        collection_end=collection_end,
        city_target=city_target,
        township_total=township_total,
        base_ratio=base_ratio,
        reminder_round_days=reminder_round_days,
        tiers=tiers,
    )
    with transaction.atomic(durable=True):
        row = Campaign.objects.select_for_update().get(pk=campaign.pk)
        before = (
            f"{row.collection_start}..{row.collection_end} city_target={row.city_target} "
            f"township_total={row.township_total} base_ratio={row.base_ratio}"
        )
        row.name = name
        row.collection_start = collection_start
        row.collection_end = collection_end
        row.city_target = city_target
        row.township_total = township_total
        row.base_ratio = base_ratio
        row.reminder_round_days = rounds
        row.save()
        _tiers_write(row, tiers)
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=row,
            summary=(
                f"update {row.year} was {before}; now {collection_start}..{collection_end} "
                f"city_target={city_target} township_total={township_total} base_ratio={base_ratio} "
                f"{_tiers_summary(tiers)}"
            )[:500],
        )
    return row
