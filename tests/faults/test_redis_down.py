"""Redis stopped: every app's pages still render, actions that queue work say the work is waiting
(the task stays in the outbox), and once Redis is back a real worker runs it. The public report form
alone refuses (429) while its throttle cannot count: it fails closed."""

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medinsure.accounts.models import Role
from medinsure.jobs.models import Job, OutboxMessage
from medinsure.jobs.outbox import WAITING_MESSAGE
from tests.faults.conftest import wait_for

pytestmark = [pytest.mark.service]

WAITING = str(WAITING_MESSAGE)

PAGES = {
    Role.ENROLLMENT: ["enrollment:residents", "enrollment:imports", "enrollment:campaign_create"],
    Role.CLAIMS: ["claims:policy_list", "claims:import_upload", "claims:recalculation_list"],
    Role.SUPERVISION: ["supervision:cases", "supervision:case_new", "supervision:rules"],
    Role.FUND: ["fundbudget:statement_list", "fundbudget:statement_form", "fundbudget:warning_list"],
    Role.OFFICE: ["replies:case_list", "replies:case_create", "replies:holiday_list"],
}


@pytest.mark.django_db
def test_every_app_renders_with_redis_stopped(own_redis, divisions, make_user, client, password):
    own_redis.stop()
    # signing in (sessions in the database, axes' database handler) needs no Redis
    user = make_user(Role.OFFICE)
    response = client.post("/accounts/login/", {"username": user.username, "password": password})
    assert response.status_code == 302 and client.get("/").status_code == 200
    for role, names in PAGES.items():
        client.force_login(make_user(role))
        for name in [*names, "home"]:
            response = client.get(reverse(name))
            assert response.status_code == 200, (role, name, response.status_code)
    # the public pages (captcha, throttled report form) need no Redis either
    client.logout()
    for url in ["/supervision/public/report/", "/supervision/public/cases/", "/replies/public/"]:
        assert client.get(url).status_code == 200, url
    # but filing a report is refused while its throttle cannot count (fail closed, issue 15): an
    # unlimited public channel is worse than one closed for as long as Redis is down
    from captcha.models import CaptchaStore

    from supervision.models import Report

    key = CaptchaStore.generate_key()
    form = {"subject": "康安大药房", "content": "该药店让参保人用医保卡购买生活用品，时间是2024年5月。"}
    form |= {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}
    assert client.post("/supervision/public/report/", form).status_code == 429
    assert Report.objects.count() == 0
    # the health check is the one page that must say Redis is down
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["redis"].startswith("down")


def _police_file(divisions, rows: int) -> bytes:
    from medinsure.rules.id_numbers import make_id_number

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["身份证号", "姓名", "户籍地区划代码"])
    for i in range(rows):
        w.writerow(
            [
                make_id_number("500116", date(1960 + i % 40, 1 + i % 12, 1 + i % 28), i),
                f"人{i}",
                divisions.village_a1.code,
            ]
        )
    return buf.getvalue().encode()


def _claims_scenario(divisions):
    from claims import services
    from claims.policies import read_policy_file
    from tests.claims.claims_db_helpers import hospitals, import_rows, load_policy, person, row

    policy = load_policy("guanxian-2018")
    h = hospitals(divisions)
    rows = []
    for i in range(3):
        p = person(100 + i)
        rows.append(row(f"R{i}a", h[2], p, divisions.village_a1, settled="2018-02-01", cost=str(8000 + i)))
        rows.append(
            row(f"R{i}b", h[1], p, divisions.village_b1, kind="outpatient_general", settled="2018-06-01", cost="100")
        )
    import_rows(policy, rows)
    doc = read_policy_file("guanxian-2018")
    doc["benefits"]["inpatient"]["ratio"] = {1: 0.8, 2: 0.75, 3: 0.6}
    version, _created = services.policy_version_create(actor=None, document=doc, note="县级住院提高到75%")
    return version


def _shows_waiting(response) -> bool:
    return response.status_code == 200 and WAITING in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_queued_work_waits_while_redis_is_down_and_runs_when_it_is_back(
    own_redis, worker_process, divisions, make_user, client, settings
):
    from claims.models import Recalculation
    from enrollment.models import ImportBatch
    from fundbudget.models import FundWarning, MonthlyStatement
    from fundbudget.services import warning_rules_ensure_defaults
    from replies.models import HolidayYear, Proposal
    from tests.enrollment.factories import make_campaign
    from tests.fundbudget.factories import SEED_004

    settings.ENROLLMENT_IMPORT_SYNC_MAX_BYTES = 100
    make_campaign(2025)
    warning_rules_ensure_defaults()
    version = _claims_scenario(divisions)
    from tests.replies.factories import office_user, register

    proposal = register(office_user(), assigned_on=date(2026, 11, 24))
    assert proposal.due_provisional  # its due date waits for the 2027 holiday schedule
    own_redis.stop()

    # enrollment: a large import is validated in Celery
    client.force_login(make_user(Role.ENROLLMENT))
    upload = SimpleUploadedFile("big.csv", _police_file(divisions, 40))
    r = client.post(reverse("enrollment:imports"), {"source": "police", "file": upload, "year": 2025}, follow=True)
    assert _shows_waiting(r), r.content.decode()[-2000:]
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.CHECKING

    # claims: a recalculation's difference report
    client.force_login(make_user(Role.CLAIMS))
    r = client.post("/claims/policies/guanxian-2018/recalculate/", {"version": version.pk, "year": 2018}, follow=True)
    assert _shows_waiting(r)
    rc = Recalculation.objects.get()

    # supervision: a run of the audit rules
    client.force_login(make_user(Role.SUPERVISION))
    r = client.post(reverse("supervision:rules"), {"kind": "monthly", "month": "2024-05", "day": ""}, follow=True)
    assert _shows_waiting(r)
    audit_job = Job.objects.get(kind="supervision.audit_run")

    # fundbudget: a statement's warnings are evaluated in Celery
    client.force_login(make_user(Role.FUND))
    data = {"fund": "employee", "year": 2024, "month": 4, **SEED_004["employee"]}
    r = client.post(reverse("fundbudget:statement_form"), data, follow=True)
    assert _shows_waiting(r)
    statement = MonthlyStatement.objects.get()
    assert not FundWarning.objects.filter(statement=statement).exists()

    # replies: a holiday calendar change recomputes the due dates in Celery
    client.force_login(make_user(Role.OFFICE))
    holidays = {"year": 2027, "note": "国办发明电", "holidays": "2027-02-24 春节", "workdays": "2027-02-20"}
    r = client.post(reverse("replies:holiday_list"), holidays, follow=True)
    assert _shows_waiting(r)
    assert HolidayYear.objects.filter(year=2027).exists()

    # everything is recorded, nothing was published; each job says why it waits
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert pending.count() == OutboxMessage.objects.count() >= 5
    assert all(m.attempts == 1 and m.last_error for m in pending)
    for job in Job.objects.all():
        assert job.status == Job.Status.PENDING and job.message == WAITING, job
    r = client.get(reverse("jobs:detail", args=[audit_job.pk]))
    assert r.status_code == 200 and WAITING in r.content.decode()

    # Redis is back: a worker starts, flushes the outbox and runs everything
    own_redis.start()
    worker = worker_process()
    done = wait_for(
        lambda: (
            not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
            and ImportBatch.objects.get().status == ImportBatch.Status.PREVIEW
            and Recalculation.objects.get().status == Recalculation.Status.READY
            and Job.objects.get(pk=audit_job.pk).status == Job.Status.DONE
            and FundWarning.objects.filter(statement=statement).exists()
            and not Proposal.objects.get(pk=proposal.pk).due_provisional
        ),
        timeout=90,
    )
    assert done, worker.output()
    batch.refresh_from_db()
    assert (batch.valid_rows, batch.error_rows) == (40, 0)
    rc.refresh_from_db()
    assert rc.totals["total"]["count"] == 6
    for job in Job.objects.all():
        assert job.message != WAITING, job
    assert Proposal.objects.get(pk=proposal.pk).due_on == date(2027, 2, 25)
