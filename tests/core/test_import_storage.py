"""Issue 14: the five importers keep what they hand from the check to the write in PostgreSQL (the core's
ImportRecord), never on a worker's disk; raw uploads and error data go after the retention period.

- ``PRIVATE_FILES_ROOT`` points at an empty directory, every import runs end to end (the enrollment one
  through its queued path, the directory removed between the check and the write, as if the write ran
  on another host), and the directory stays empty.
- ``imports_retention`` clears raw uploads, checked rows and errors older than
  ``MEDINSURE_RETENTION_IMPORT_DAYS`` on every importer's model; the row (counts, who, when) stays, work
  in progress is left alone, the page says the file was deleted after N days; the beat runs it nightly."""

from __future__ import annotations

import io
import shutil
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from medinsure.accounts.models import Role
from medinsure.core.imports import import_models, imports_retention

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def _files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def private(settings, tmp_path):
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_FILES_ROOT = root
    return root


def _enrollment(divisions, make_user, settings, private):
    from enrollment import services
    from enrollment.models import ImportBatch
    from tests.enrollment.factories import make_campaign
    from tests.enrollment.test_importers import csv_bytes, police_rows

    make_campaign(2025)
    staff = make_user(Role.ENROLLMENT)
    settings.ENROLLMENT_IMPORT_SYNC_MAX_BYTES = 1  # the queued path: check and write as separate tasks
    settings.ENROLLMENT_IMPORT_SYNC_MAX_ROWS = 0
    content = csv_bytes(police_rows(divisions))
    batch = services.import_upload(
        actor=staff, source="police", uploaded_file=SimpleUploadedFile("p.csv", content), year=None
    )
    assert batch.status == ImportBatch.Status.CHECKING and bytes(batch.raw) == content
    shutil.rmtree(private)  # "another host": nothing of this import may be needed from a disk
    batch = services.import_validate(batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.PREVIEW and batch.valid_rows == 3 and batch.checked
    batch = services.import_accept(actor=staff, batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.ACCEPTING
    batch = services.import_merge(batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.DONE and batch.new_rows == 3


def _claims(divisions, make_user):
    from claims.models import Settlement, SettlementImport
    from claims.services import settlement_import_accept, settlement_import_apply, settlement_import_create
    from tests.claims.claims_db_helpers import csv_bytes, hospitals, load_policy, person, row

    policy, h = load_policy("guanxian-2018"), hospitals(divisions)
    staff = make_user(Role.CLAIMS)
    rows = [row("S1", h[2], person(11), divisions.village_a1, settled="2018-02-01", cost="800", lines=2)]
    batch = settlement_import_create(actor=staff, policy=policy, file_name="s.csv", content=csv_bytes(rows))
    settlement_import_accept(actor=staff, import_id=batch.pk)
    assert settlement_import_apply(import_id=batch.pk) == {"created": 1, "skipped": 0}
    assert SettlementImport.objects.get(pk=batch.pk).status == "done" and Settlement.objects.count() == 1


def _supervision(divisions, client_as):
    from medinsure.institutions.models import Institution
    from supervision.models import InstitutionImport
    from tests.supervision import factories as f
    from tests.supervision.test_import_institutions import good_rows, workbook

    c = client_as(f.staff())
    upload = io.BytesIO(workbook(good_rows(divisions)))
    upload.name = "机构.xlsx"
    assert c.post("/supervision/institutions/import/", {"file": upload}).status_code == 200
    batch = InstitutionImport.objects.get()
    assert batch.status == "preview" and batch.raw
    r = c.post("/supervision/institutions/import/", {"accept": "1", "token": str(batch.pk)})
    assert r.status_code == 302
    batch.refresh_from_db()
    assert batch.status == "done" and batch.created == 2
    assert Institution.objects.filter(code__in=["H50011688001", "P50011688002"]).count() == 2


def _fundbudget(make_user):
    from fundbudget import services
    from fundbudget.models import MonthlyStatement
    from tests.fundbudget.test_import import SEED_004_ROWS, workbook

    fund_user = make_user(Role.FUND)
    batch = services.statement_import_upload(actor=fund_user, filename="4月.xlsx", content=workbook(SEED_004_ROWS))
    assert batch.status == "preview" and len(batch.rows) == 3
    batch = services.statement_import_apply(actor=fund_user, import_id=batch.pk)
    assert batch.status == "done" and MonthlyStatement.objects.count() == 3


def _replies(client_as):
    from replies.models import Proposal, ProposalImport
    from tests.replies.factories import office_user
    from tests.replies.test_import import ROWS, xlsx

    c = client_as(office_user())
    r = c.post("/replies/import/", {"file": xlsx(ROWS)})
    batch = ProposalImport.objects.get()
    assert r.context["payload"] == str(batch.pk) and batch.status == "preview"
    c.post("/replies/import/", {"step": "accept", "payload": str(batch.pk)})
    batch.refresh_from_db()
    assert batch.status == "done" and Proposal.objects.count() == batch.created > 0


def test_no_importer_writes_under_private_files_root(private, divisions, make_user, client_as, settings):
    _enrollment(divisions, make_user, settings, private)
    _claims(divisions, make_user)
    _supervision(divisions, client_as)
    _fundbudget(make_user)
    _replies(client_as)
    assert _files_under(private) == []


# --- retention --------------------------------------------------------------------------------------------


def _age(obj, days: int) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_retention_clears_raw_and_error_data_after_the_period_and_keeps_the_row(
    divisions, make_user, client_as, settings
):
    from claims.models import SettlementImport
    from enrollment.models import ImportBatch
    from tests.claims.factories import SettlementImportFactory

    settings.MEDINSURE_RETENTION_IMPORT_DAYS = 30
    staff = make_user(Role.ENROLLMENT)
    err = [{"line": 2, "column": "身份证号", "value": "110101199003070011", "message": "校验码错误"}]

    def batch(status, days):
        b = ImportBatch.objects.create(
            source="police", file_name="p.csv", sha256="x", status=status, raw=b"raw", checked=b"chk",
            errors=err, total_rows=5, valid_rows=4, error_rows=1, uploaded_by=staff,
        )  # fmt: skip
        _age(b, days)
        return b

    old_done, old_running, young = batch("done", 31), batch("accepting", 31), batch("preview", 29)
    old_claims = SettlementImportFactory(status="invalid", raw=b"raw", errors=err, error_count=1)
    _age(old_claims, 400)

    cleared = imports_retention()
    assert cleared["enrollment.importbatch"] == 1 and cleared["claims.settlementimport"] == 1

    old_done.refresh_from_db()
    assert old_done.raw is None and old_done.checked is None and old_done.errors == [] and old_done.purged_at
    assert (old_done.total_rows, old_done.valid_rows, old_done.error_rows, old_done.uploaded_by) == (5, 4, 1, staff)
    for kept in (old_running, young):  # a write in progress, and an import younger than the period
        kept.refresh_from_db()
        assert bytes(kept.raw) == b"raw" and kept.errors == err and kept.purged_at is None
    old_claims = SettlementImport.objects.get(pk=old_claims.pk)
    assert old_claims.raw is None and old_claims.errors == [] and old_claims.error_count == 1

    # the page says so, and the error report is gone
    page = client_as(staff).get(f"/enrollment/imports/{old_done.pk}/").content.decode()
    assert 'data-testid="import-purged"' in page and "30 天" in page
    assert client_as(staff).get(f"/enrollment/imports/{old_done.pk}/errors.xlsx").status_code == 404
    claims_page = client_as(make_user(Role.CLAIMS)).get(f"/claims/imports/{old_claims.pk}/").content.decode()
    assert 'data-testid="import-purged"' in claims_page

    # a second run changes nothing
    assert set(imports_retention().values()) == {0}


def test_a_preview_past_the_period_can_no_longer_be_accepted(make_user, settings):
    from django.core.exceptions import ValidationError

    from enrollment import services
    from enrollment.models import ImportBatch

    staff = make_user(Role.ENROLLMENT)
    b = ImportBatch.objects.create(
        source="police", file_name="p.csv", sha256="x", status="preview", raw=b"r", checked=b"c", valid_rows=1
    )
    _age(b, settings.MEDINSURE_RETENTION_IMPORT_DAYS + 1)
    imports_retention()
    with pytest.raises(ValidationError) as exc:
        services.import_accept(actor=staff, batch_id=b.pk)
    assert list(exc.value.message_dict) == ["batch"]


def test_retention_is_a_named_nightly_task_covering_every_importer():
    from medinsure.celery import app

    app.loader.import_default_modules()
    assert "medinsure.core.imports_retention" in app.tasks
    entries = [
        e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "medinsure.core.imports_retention"
    ]
    assert len(entries) == 1
    assert django_settings.MEDINSURE_RETENTION_IMPORT_DAYS == 180
    assert len(import_models()) == 5
