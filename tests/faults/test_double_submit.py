"""A double click or a resubmitted form creates one record: every POST form carries a one-time
token (static/js/once.js), the server keeps the first POST's redirect for it
(medinsure.core.once), and the browser disables the button once the form is sent."""

import threading
import time
import uuid

import pytest
from django.test import Client

from medinsure.accounts.models import Role
from medinsure.core.models import FormSubmission
from supervision.models import Case
from tests.races import Race, race
from tests.supervision import factories as f


def _case_form(institution, **extra):
    return {
        "source": "on_site",
        "target_kind": "institution",
        "institution": institution.pk,
        "violations": ["swapping"],
        "summary": "现场检查发现串换药品",
        "registered_on": "2024-06-03",
        "inspected_on": "2024-06-03",
        **extra,
    }


@pytest.mark.django_db
def test_the_same_token_twice_creates_one_case_and_answers_with_the_first_redirect(divisions, make_user, client):
    institution = f.institution(kind="pharmacy", name="民泰大药房")
    client.force_login(make_user(Role.SUPERVISION))
    # without a token each POST is a record of its own (what a double click did before)
    assert client.post("/supervision/cases/new/", _case_form(institution)).status_code == 302
    assert client.post("/supervision/cases/new/", _case_form(institution)).status_code == 302
    assert Case.objects.count() == 2

    token = str(uuid.uuid4())
    first = client.post("/supervision/cases/new/", _case_form(institution, _form_token=token))
    second = client.post("/supervision/cases/new/", _case_form(institution, _form_token=token))
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Case.objects.count() == 3

    # a form answered with errors releases its token: the corrected form goes through
    token = str(uuid.uuid4())
    bad = client.post("/supervision/cases/new/", _case_form(institution, summary="", _form_token=token))
    assert bad.status_code == 200 and Case.objects.count() == 3
    good = client.post("/supervision/cases/new/", _case_form(institution, _form_token=token))
    assert good.status_code == 302 and Case.objects.count() == 4

    # the token belongs to its user: someone else's same token is not replayed to them
    other = Client()
    other.force_login(make_user(Role.SUPERVISION))
    assert other.post("/supervision/cases/new/", _case_form(institution, _form_token=token)).status_code == 302
    assert Case.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_posts_with_one_token_create_one_case(divisions, make_user):
    institution = f.institution(kind="pharmacy", name="民泰大药房")
    user = make_user(Role.SUPERVISION)
    token = str(uuid.uuid4())

    def post_as_a_new_client():
        c = Client()
        c.force_login(user)
        return lambda: c.post("/supervision/cases/new/", _case_form(institution, _form_token=token))

    answers = race(post_as_a_new_client(), post_as_a_new_client(), timeout=60)
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Case.objects.count() == 1
    assert FormSubmission.objects.filter(token=token).count() == 1


def _double_click_while_busy(page, button, model):
    """Click, and click again while the first POST is still in flight (the database is busy: the
    model's table is locked for a moment), as an impatient user on a slow day does."""
    from django.db import connection, transaction

    locked = threading.Event()

    def hold_the_table():
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{model._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
            locked.set()
            time.sleep(1.5)

    holder = Race(hold_the_table).start()
    assert locked.wait(10)
    # both clicks from the page itself: the second one 300 ms later, while the first POST waits
    button.evaluate("b => { b.click(); setTimeout(() => b.click(), 300); }")
    page.wait_for_timeout(600)
    assert holder.results() == [None]
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_double_click_in_the_browser_creates_one_record_in_three_apps(live_server, browser_page, make_user, login_page):
    from fundbudget.models import MonthlyStatement
    from replies.models import Proposal

    page = browser_page
    institution = f.institution(kind="pharmacy", name="民泰大药房")

    # supervision: a new case
    login_page(page, live_server, make_user(Role.SUPERVISION))
    page.goto(f"{live_server.url}/supervision/cases/new/")
    assert page.locator("form[method=post] input[name=_form_token]").count() >= 1
    page.select_option("#id_source", "on_site")
    page.select_option("#id_target_kind", "institution")
    page.select_option("#id_institution", str(institution.pk))
    page.get_by_label("串换诊疗项目").check()
    page.fill("#id_summary", "现场检查发现串换药品")
    page.fill("#id_registered_on", "2024-06-03")
    _double_click_while_busy(page, page.get_by_role("button", name="立案"), Case)
    assert page.get_by_test_id("case-status").inner_text() == "已立案"
    assert Case.objects.count() == 1

    # replies: a new proposal
    page.context.clear_cookies()
    login_page(page, live_server, make_user(Role.OFFICE))
    page.goto(f"{live_server.url}/replies/new/")
    page.select_option("#id_kind", "npc")
    page.fill("#id_session", "江津区第十八届人民代表大会第五次会议")
    page.fill("#id_number", "166")
    page.fill("#id_title", "关于全社会共同参与实现全民医保的建议")
    page.fill("#id_proposers", "梁筱钟、况文凤")
    page.fill("#id_assigned_on", "2025-03-10")
    _double_click_while_busy(page, page.get_by_role("button", name="登记"), Proposal)
    assert Proposal.objects.count() == 1
    assert page.url.rstrip("/").endswith(f"/replies/{Proposal.objects.get().pk}")

    # fundbudget: a monthly statement
    page.context.clear_cookies()
    login_page(page, live_server, make_user(Role.FUND))
    page.goto(f"{live_server.url}/fundbudget/statements/new/")
    page.select_option("#id_fund", "resident")
    page.fill("#id_year", "2024")
    page.fill("#id_month", "4")
    page.fill("#id_income_ytd", "45548100")
    page.fill("#id_expenditure_ytd", "63866100")
    page.fill("#id_accumulated_balance", "51872000")
    _double_click_while_busy(page, page.locator("form[method=post] button[type=submit]").last, MonthlyStatement)
    assert "/fundbudget/" in page.url and "statements/new" not in page.url
    assert MonthlyStatement.objects.count() == 1
    assert FormSubmission.objects.exclude(path__startswith="/accounts/").count() == 3  # one kept per form sent
