from datetime import date
from decimal import Decimal

import factory

from enrollment.models import Campaign, CampaignTier, Resident
from medinsure.rules.id_numbers import make_id_number


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident
        django_get_or_create = ["id_number"]

    id_number = factory.Sequence(
        lambda n: make_id_number("500116", date(1950 + n // 1000 % 60, 1 + n % 12, 1 + n % 28), n % 1000)
    )
    name = factory.Sequence(lambda n: f"居民{n}")
    sex = "M"
    hukou_division = None
    phone = factory.Sequence(lambda n: f"138{n:08d}")

    @factory.lazy_attribute
    def birth_date(self):
        s = self.id_number
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def make_campaign(year=2025, *, start=date(2024, 9, 1), end=date(2024, 12, 31), total=None, rounds=(0, 30)):
    c, _ = Campaign.objects.get_or_create(
        year=year,
        defaults=dict(
            name=f"{year}年度城乡居民医保集中征缴",
            collection_start=start,
            collection_end=end,
            city_target=1_378_200,
            township_total=total,
            reminder_round_days=list(rounds),
        ),
    )
    CampaignTier.objects.get_or_create(
        campaign=c,
        code="tier1",
        defaults=dict(standard=Decimal("1070"), subsidy=Decimal("670"), personal=Decimal("400")),
    )
    CampaignTier.objects.get_or_create(
        campaign=c,
        code="tier2",
        defaults=dict(standard=Decimal("1445"), subsidy=Decimal("670"), personal=Decimal("775")),
    )
    return c
