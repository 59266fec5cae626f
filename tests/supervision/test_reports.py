"""Whistle-blower reports: public form with a real captcha, throttle, tracking code, status page;
the reporter's identity stored encrypted and shown to the head of supervision only."""

import re

import pytest
from captcha.models import CaptchaStore
from django.core.cache import cache

from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog
from supervision import services
from supervision.models import Report
from tests.supervision import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.service]

NAME, PHONE, IDN = "举报人钱七", "13812345678", "500116198801010088"


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def _captcha(client, url="/supervision/public/report/"):
    html = client.get(url).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response


def _submit(client, **extra):
    key, answer = _captcha(client)
    data = {
        "subject": "某药店",
        "content": "该药店用医保卡刷生活用品，时间是上周五下午。",
        "captcha_0": key,
        "captcha_1": answer,
    }
    data.update(extra)
    return client.post("/supervision/public/report/", data)


def test_public_report_returns_a_tracking_code_and_status(client):
    r = _submit(client, reporter_name=NAME, reporter_phone=PHONE, reporter_id_number=IDN)
    assert r.status_code == 302  # post/redirect/get: a reload files nothing again
    code = re.search(r'data-testid="tracking-code">([A-Z0-9]+)<', client.get(r["Location"]).content.decode()).group(1)
    again = client.get(r["Location"]).content.decode()  # a reload: the code was shown once (issue 15)
    assert code not in again and Report.objects.count() == 1
    report = Report.objects.get(tracking_code=code)
    assert not report.anonymous
    assert NAME not in report.identity_encrypted and PHONE not in report.identity_encrypted
    status = client.post("/supervision/public/report/status/", {"code": code.lower()}).content.decode()
    assert "已受理" in status and report.content not in status
    missing = client.post("/supervision/public/report/status/", {"code": "NOPE"}).content.decode()
    assert 'data-testid="not-found"' in missing


def test_wrong_captcha_is_refused(client):
    key, _answer = _captcha(client)
    r = client.post(
        "/supervision/public/report/",
        {"subject": "x", "content": "内容足够长的举报内容啊啊", "captcha_0": key, "captcha_1": "WRONG"},
    )
    assert r.status_code == 200 and 'data-testid="error-captcha"' in r.content.decode()
    assert not Report.objects.exists()


def test_public_form_is_throttled(client):
    for _ in range(5):
        assert _submit(client).status_code == 302
    assert _submit(client).status_code == 429
    assert Report.objects.count() == 5


def test_identity_only_for_the_head_and_every_look_audited(client_as, api_as, make_user):
    report = services.report_submit(
        subject="某医院",
        content="挂床住院，病人晚上不在医院。",
        reporter_name=NAME,
        reporter_phone=PHONE,
        reporter_id_number=IDN,
    )
    staff, head, leader = f.staff(), make_user(Role.SUPERVISION_HEAD), make_user(Role.LEADER)
    for user in (staff, leader):
        c = client_as(user)
        for url in ("/supervision/reports/", f"/supervision/reports/{report.pk}/"):
            html = c.get(url).content.decode()
            assert NAME not in html and PHONE not in html and IDN not in html
        r = c.post(f"/supervision/reports/{report.pk}/reveal/", {"reason": "核实举报线索"})
        assert r.status_code == 403 and NAME not in r.content.decode()
    # the case opened from it, its publication and the API carry no identity
    case = services.report_open_case(
        actor=staff,
        report_id=report.pk,
        registered_on=report.received_at.date(),
        violations=["absent_bed"],
        summary="核查挂床住院",
        institution_id=f.institution().pk,
    )
    for user in (staff, head):
        assert NAME not in client_as(user).get(f"/supervision/cases/{case.pk}/").content.decode()
        for url in ("/api/v1/supervision/cases/", f"/api/v1/supervision/cases/{case.pk}/"):
            assert NAME not in api_as(user).get(url).content.decode()
    # the head sees it, and the look is logged
    c = client_as(head)
    before = AuditLog.objects.filter(object_type="supervision.report.identity", actor=head).count()
    html = c.post(f"/supervision/reports/{report.pk}/reveal/", {"reason": "核实举报线索"}).content.decode()
    assert NAME in html and PHONE in html and IDN in html
    assert AuditLog.objects.filter(object_type="supervision.report.identity", actor=head).count() == before + 1
    # the head's ordinary page view does not show it either
    assert NAME not in c.get(f"/supervision/reports/{report.pk}/").content.decode()


def test_report_closed_with_reason_and_reward(client_as):
    staff = f.staff()
    report = services.report_submit(subject="某诊所", content="虚开处方，刷卡后不给药品。")
    c = client_as(staff)
    r = c.post(f"/supervision/reports/{report.pk}/", {"close": "1", "reason": ""})
    assert Report.objects.get(pk=report.pk).status == "received"
    c.post(f"/supervision/reports/{report.pk}/", {"close": "1", "reason": "经核查不属实"})
    c.post(f"/supervision/reports/{report.pk}/", {"reward": "1", "amount": "200", "paid_on": "2024-07-01"})
    report.refresh_from_db()
    assert (report.status, report.close_reason, str(report.reward)) == ("closed", "经核查不属实", "200.00")
    assert r.status_code == 200


def test_identity_never_in_exports_or_public_pages(client, client_as):
    import io

    from openpyxl import load_workbook

    report = services.report_submit(
        subject="某医院",
        content="挂床住院。病人晚上不在医院。",
        reporter_name=NAME,
        reporter_phone=PHONE,
        reporter_id_number=IDN,
    )
    year = report.received_at.year
    x = client_as(f.staff()).get(f"/supervision/figures.xlsx?year={year}")
    cells = [str(c.value) for row in load_workbook(io.BytesIO(x.content)).active.iter_rows() for c in row]
    assert not any(NAME in c or PHONE in c or IDN in c for c in cells)
    pages = [client.get("/supervision/public/cases/")]
    pages.append(client.post("/supervision/public/report/status/", {"code": report.tracking_code}))
    for r in pages:
        html = r.content.decode()
        assert NAME not in html and PHONE not in html and IDN not in html


def test_beat_schedule_has_the_supervision_jobs(settings):
    tasks = {v["task"] for v in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "supervision.audit_daily",
        "supervision.audit_monthly",
        "supervision.self_inspection_check_deadlines",
        "supervision.agreements_restore_expired",
    } <= tasks
