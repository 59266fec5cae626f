"""enrollment.services.cover_stops: a stop, its resumption, the direct-debit agreement; refusals name the field."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from enrollment import services
from enrollment.models import CoverStop
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog

from .factories import ResidentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def _refused(field, fn, **kw):
    with pytest.raises(ValidationError) as exc:
        fn(**kw)
    assert list(exc.value.message_dict) == [field]


def test_stop_and_resume(divisions, make_user):
    worker = make_user(Role.TOWNSHIP, division=divisions.town_a)
    r = ResidentFactory(hukou_division=divisions.village_a1)
    _refused("resumed_on", services.cover_resume, actor=worker, resident_id=r.pk, resumed_on=date(2025, 9, 1))
    stop = services.cover_stop(actor=worker, resident_id=r.pk, stopped_on=date(2025, 7, 1), reason="出国定居")
    _refused(
        "stopped_on", services.cover_stop, actor=worker, resident_id=r.pk, stopped_on=date(2025, 8, 1), reason="再停"
    )
    _refused("resumed_on", services.cover_resume, actor=worker, resident_id=r.pk, resumed_on=date(2025, 7, 1))
    services.cover_resume(actor=worker, resident_id=r.pk, resumed_on=date(2025, 9, 1))
    assert CoverStop.objects.get(pk=stop.pk).resumed_on == date(2025, 9, 1)
    assert AuditLog.objects.filter(object_type="enrollment.coverstop", object_id=str(stop.pk)).count() == 2


def test_one_open_direct_debit_agreement_per_year(divisions, make_user):
    worker = make_user(Role.VILLAGE, division=divisions.village_a1)
    r = ResidentFactory(hukou_division=divisions.village_a1)
    kw = dict(
        actor=worker,
        resident_id=r.pk,
        year=2026,
        bank_name="农商银行",
        account_holder="居民",
        signed_on=date(2025, 8, 1),
    )
    _refused("account_number", services.debit_agreement_sign, account_number="1234", **kw)
    a = services.debit_agreement_sign(account_number="6228 4800 1234 5678", **kw)
    assert a.account_number() == "6228480012345678" and a.account_shown == "****5678"
    # stored encrypted: the row holds no clear account number
    from enrollment.models import DirectDebitAgreement

    row = DirectDebitAgreement.objects.filter(pk=a.pk).values()[0]
    assert "6228480012345678" not in str(row)
    _refused("year", services.debit_agreement_sign, account_number="6228480012345679", **kw)
    services.debit_agreement_cancel(actor=worker, agreement_id=a.pk, cancelled_on=date(2025, 9, 1))
    services.debit_agreement_sign(account_number="6228480012345679", **kw)
