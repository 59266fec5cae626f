"""Policies: loaded from files, versioned, edited through a form that validates like the schema."""

import pytest

from claims.models import Policy, PolicyVersion
from claims.policies import as_yaml, read_policy_file
from claims.services import policies_load_files
from medinsure.accounts.models import Role
from medinsure.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def test_loading_files_twice_makes_one_version_each():
    first = policies_load_files()
    assert len(first["created"]) == 5 and not first["errors"]
    again = policies_load_files()
    assert again["created"] == [] and len(again["unchanged"]) == 5
    assert PolicyVersion.objects.count() == 5


def test_edit_form_makes_a_new_version_and_keeps_the_old(make_user, client_as):
    policies_load_files(codes=["xx-district-2021"])
    client = client_as(make_user(Role.CLAIMS))
    doc = read_policy_file("xx-district-2021")
    doc["benefits"]["outpatient_general"]["ratio"] = 0.6
    r = client.post("/claims/policies/xx-district-2021/edit/", {"document": as_yaml(doc), "note": "门诊提高到60%"})
    assert r.status_code == 302
    versions = list(PolicyVersion.objects.filter(policy__code="xx-district-2021").order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].document["benefits"]["outpatient_general"]["ratio"] == 0.55
    assert versions[1].document["benefits"]["outpatient_general"]["ratio"] == 0.6
    assert AuditLog.objects.filter(object_type="claims.policyversion", object_id=str(versions[1].pk)).exists()
    page = client.get("/claims/policies/xx-district-2021/").content.decode()
    assert "门诊提高到60%" in page and "v2" in page


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["benefits"]["inpatient"].update(ratio={1: 1.85}), "benefits.inpatient.ratio.1: 不能大于 1"),
        (lambda d: d["benefits"]["inpatient"].pop("ratio"), "benefits.inpatient.ratio: 必填"),
        (lambda d: d.update(code="other-code"), "code: 编辑时不能修改政策编码"),
    ],
)
def test_edit_form_errors_name_the_key(make_user, client_as, mutate, message):
    policies_load_files(codes=["xx-district-2021"])
    client = client_as(make_user(Role.CLAIMS))
    doc = read_policy_file("xx-district-2021")
    mutate(doc)
    r = client.post("/claims/policies/xx-district-2021/edit/", {"document": as_yaml(doc), "note": "x"})
    assert r.status_code == 200
    assert message in r.content.decode()
    assert PolicyVersion.objects.filter(policy__code="xx-district-2021").count() == 1


def test_yaml_syntax_error_is_reported(make_user, client_as):
    policies_load_files(codes=["xx-district-2021"])
    r = client_as(make_user(Role.CLAIMS)).post(
        "/claims/policies/xx-district-2021/edit/", {"document": "code: [unclosed", "note": "x"}
    )
    assert "政策文件格式错误" in r.content.decode()


def test_pages_for_claims_staff_only(make_user, client_as, divisions):
    policies_load_files(codes=["guanxian-2018"])
    staff = client_as(make_user(Role.CLAIMS))
    for url in (
        "/claims/policies/",
        "/claims/policies/guanxian-2018/",
        "/claims/policies/guanxian-2018/edit/",
        "/claims/calculator/",
        "/claims/imports/",
        "/claims/recalculations/",
        "/claims/policies/guanxian-2018/recalculate/",
        "/claims/settlements/",
    ):
        assert staff.get(url).status_code == 200, url
    assert staff.get("/claims/policies/nowhere/").status_code == 404
    staff.logout()
    other = client_as(make_user(Role.ENROLLMENT))
    assert other.get("/claims/policies/").status_code == 403
    assert Policy.objects.count() == 1


def test_load_button(make_user, client_as):
    client = client_as(make_user(Role.CLAIMS))
    r = client.post("/claims/policies/load/")
    assert r.status_code == 302
    assert Policy.objects.count() == 5


def test_calculator_without_javascript(make_user, client_as):
    client = client_as(make_user(Role.CLAIMS))
    data = {
        "policy": "guanxian-2018",
        "group": "resident",
        "employment": "",
        "continuous_years": "0",
        "tier": "1",
        "v-TOTAL_FORMS": "3",
        "v-INITIAL_FORMS": "0",
        "v-MIN_NUM_FORMS": "0",
        "v-MAX_NUM_FORMS": "30",
    }
    for i in range(3):
        data.update(
            {
                f"v-{i}-date": "",
                f"v-{i}-kind": "inpatient",
                f"v-{i}-hospital_level": "1",
                f"v-{i}-in_scope_cost": "",
                f"v-{i}-essential_drug_cost": "",
                f"v-{i}-disease": "",
            }
        )
    data.update({"v-0-date": "2018-02-01", "v-0-hospital_level": "2", "v-0-in_scope_cost": "8000"})
    html = client.post("/claims/calculator/", data).content.decode()
    assert "5250.00" in html and "起付线 500 元（本年度第1次住院，全额）" in html


def test_policies_api_and_load_command(make_user, api_as):
    from django.core.management import call_command

    call_command("load_policies", "guanxian-2018", "xx-district-2021")
    api = api_as(make_user(Role.API_CLIENT))
    rows = api.get("/api/v1/claims/policies/").json()
    assert {r["code"]: r["version"] for r in rows} == {"guanxian-2018": 1, "xx-district-2021": 1}
    detail = api.get("/api/v1/claims/policies/xx-district-2021/").json()
    assert detail["benefits"]["outpatient_general"]["ratio"] == "0.55"
    assert api.get("/api/v1/claims/policies/nowhere/").status_code == 404


def test_policy_page_summary_reads_like_the_policy(make_user, client_as):
    policies_load_files(codes=["sanming-employee-outpatient-2022", "guangzhou-critical-illness-2015"])
    client = client_as(make_user(Role.CLAIMS))
    html = client.get("/claims/policies/sanming-employee-outpatient-2022/").content.decode()
    assert "年度累计 700" in html and "1级在职 0.85；在职 0.75；1级退休 0.9；退休 0.8" in html
    html = client.get("/claims/policies/guangzhou-critical-illness-2015/").content.decode()
    assert "18000–∞ 0.5" in html and "2–5年 +30000；5–∞年 +60000" in html
