"""Yearly self-inspection deadline job; evidence upload checked and served to staff only."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision import services
from supervision.models import Agreement, Evidence, SelfInspection
from supervision.tasks import self_inspection_deadline_task
from tests.supervision import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_deadline_job_marks_non_filers_failing_with_follow_up(db):
    staff = f.staff()
    filer, late, silent, repeat, gone = (f.institution() for _ in range(5))
    Agreement.objects.filter(institution=gone).update(status="terminated", status_from=date(2023, 5, 1))
    r23 = services.self_inspection_round_create(actor=staff, year=2023, deadline=date(2023, 9, 10))
    assert services.self_inspection_check_deadlines(as_of=date(2023, 9, 11)) == {"failing": 4}  # all failed 2023
    r24 = services.self_inspection_round_create(actor=staff, year=2024, deadline=date(2024, 9, 10))
    services.self_inspection_file(
        actor=f.institution_user(filer), round_id=r24.pk, summary="已自查，无问题", filed_on=date(2024, 9, 9)
    )
    services.self_inspection_file(
        actor=staff, round_id=r24.pk, institution_id=late.pk, summary="纸质报告", filed_on=date(2024, 9, 12)
    )
    # before the deadline nothing is decided
    assert self_inspection_deadline_task("2024-09-10") == {"failing": 0}
    assert not SelfInspection.objects.filter(round=r24, decided_at__isnull=False).exists()
    result = self_inspection_deadline_task("2024-09-11")
    rows = {si.institution_id: si for si in SelfInspection.objects.filter(round=r24)}
    assert rows[filer.pk].outcome == "filed" and rows[filer.pk].follow_up == "none"
    assert rows[silent.pk].outcome == "failing" and rows[silent.pk].follow_up == "suspension"  # 2nd year running
    assert rows[late.pk].outcome == "failing"
    assert gone.pk not in rows  # terminated before the deadline
    assert result == {"failing": 3}  # late, silent, repeat
    # running again changes nothing
    before = list(SelfInspection.objects.order_by("id").values_list("outcome", "follow_up", "decided_at"))
    self_inspection_deadline_task("2024-09-12")
    assert list(SelfInspection.objects.order_by("id").values_list("outcome", "follow_up", "decided_at")) == before
    assert rows[repeat.pk].follow_up == "suspension" and r23.year == 2023


def test_filing_twice_or_for_another_institution_is_refused(db):
    staff = f.staff()
    a, b = f.institution(), f.institution()
    rnd = services.self_inspection_round_create(actor=staff, year=2024, deadline=date(2024, 9, 10))
    user = f.institution_user(a)
    si = services.self_inspection_file(
        actor=user, round_id=rnd.pk, institution_id=b.pk, summary="x", filed_on=date(2024, 9, 1)
    )
    assert si.institution == a  # an institution files for itself only
    with pytest.raises(ValidationError):
        services.self_inspection_file(actor=user, round_id=rnd.pk, summary="again")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _case():
    staff = f.staff()
    inst = f.institution()
    case = services.case_register(
        actor=staff,
        source="on_site",
        target_kind="institution",
        institution_id=inst.pk,
        violations=["fictitious"],
        summary="虚构服务",
        registered_on=date(2024, 3, 1),
    )
    return staff, inst, case


def test_evidence_checked_stored_outside_web_root_and_served_to_staff_only(client_as, settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    staff, inst, case = _case()
    with pytest.raises(ValidationError):
        services.evidence_add(actor=staff, case_id=case.pk, upload=SimpleUploadedFile("a.exe", b"MZ..."))
    with pytest.raises(ValidationError):  # content does not match the extension
        services.evidence_add(actor=staff, case_id=case.pk, upload=SimpleUploadedFile("a.pdf", b"<html>"))
    settings.UPLOAD_MAX_BYTES = {**settings.UPLOAD_MAX_BYTES, "supervision_evidence": 1024}
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 1024)
    with pytest.raises(ValidationError):
        services.evidence_add(actor=staff, case_id=case.pk, upload=big)
    c = client_as(staff)
    r = c.post(
        f"/supervision/cases/{case.pk}/evidence/",
        {"file": SimpleUploadedFile("询问笔录.pdf", PDF), "description": "笔录"},
    )
    assert r.status_code == 302
    ev = Evidence.objects.get()
    assert str(tmp_path / "private") in ev.file.path and "询问笔录" not in ev.file.path
    got = c.get(f"/supervision/evidence/{ev.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert client_as(f.institution_user(inst)).get(f"/supervision/evidence/{ev.pk}/").status_code == 404


def test_findings_decide_the_follow_up_and_suspensions_end_by_themselves(client_as):
    staff = f.staff()
    inst = f.institution()
    rnd = services.self_inspection_round_create(actor=staff, year=2024, deadline=date(2024, 9, 10))
    si = services.self_inspection_file(
        actor=f.institution_user(inst), round_id=rnd.pk, summary="已自查", filed_on=date(2024, 9, 1)
    )
    c = client_as(staff)
    c.post("/supervision/self-inspections/?year=2024", {"self_inspection": si.pk, "findings": "serious"})
    si.refresh_from_db()
    assert (si.outcome, si.follow_up) == ("failing", "suspension")
    services.self_inspection_record_findings(actor=staff, self_inspection_id=si.pk, findings="unrectified")
    si.refresh_from_db()
    assert si.follow_up == "warning"
    # a suspension ends by itself
    services.agreement_change(
        actor=staff,
        institution_id=inst.pk,
        action="suspend",
        start=date(2024, 10, 1),
        end=date(2024, 12, 31),
        note="自查发现严重问题",
    )
    from supervision.tasks import agreements_restore_task

    assert agreements_restore_task("2024-12-31") == {"restored": 0}
    assert agreements_restore_task("2025-01-01") == {"restored": 1}
    a = Agreement.objects.get(institution=inst)
    assert (a.status, a.status_from) == ("active", date(2025, 1, 1))
    assert agreements_restore_task("2025-01-02") == {"restored": 0}


@pytest.mark.parametrize("posted", ["abc", "999999", ""])
def test_findings_for_a_bad_or_missing_report_get_a_message_not_a_500(client_as, posted):
    staff = f.staff()
    services.self_inspection_round_create(actor=staff, year=2024, deadline=date(2024, 9, 10))
    c = client_as(staff)
    r = c.post("/supervision/self-inspections/?year=2024", {"self_inspection": posted, "findings": "serious"})
    assert r.status_code == 200
    assert "没有这份自查自纠报告" in r.content.decode()
    with pytest.raises(ValidationError) as exc:
        services.self_inspection_record_findings(actor=staff, self_inspection_id=999999, findings="serious")
    assert "self_inspection" in exc.value.message_dict
