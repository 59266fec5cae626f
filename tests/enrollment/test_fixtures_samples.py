"""The files in fixtures/enrollment/ stay in step with the code: templates carry the source's headers and
a valid example row; the sample files give the reports they are meant to show."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from enrollment import importers, services
from enrollment.models import ImportBatch, Resident

pytestmark = pytest.mark.django_db
FIX = Path(settings.BASE_DIR) / "fixtures" / "enrollment"


@pytest.fixture
def district(db):
    from medinsure.regions.services import divisions_load_csv
    from tests.enrollment.factories import make_campaign

    divisions_load_csv(path=Path(settings.BASE_DIR) / "fixtures" / "regions" / "demo_district.csv")
    make_campaign(2025)


@pytest.mark.parametrize("source", list(importers.SOURCES))
def test_templates_match_the_specs_and_their_example_validates(source, district, make_user):
    spec = importers.SOURCES[source]
    wb = load_workbook(FIX / "templates" / f"{source}.xlsx")
    assert [c.value for c in wb.active[1]] == spec.headers
    csv_bytes = (FIX / "templates" / f"{source}.csv").read_bytes()
    assert csv_bytes.decode("utf-8-sig").splitlines()[0].split(",") == spec.headers
    batch = services.import_upload(
        actor=make_user("enrollment"),
        source=source,
        year=2025,
        uploaded_file=SimpleUploadedFile(f"{source}.csv", csv_bytes),
    )
    assert (batch.status, batch.error_rows, batch.valid_rows) == (ImportBatch.Status.PREVIEW, 0, 1), batch.errors


def test_sample_files(district, make_user):
    staff = make_user("enrollment")
    good = services.import_upload(
        actor=staff,
        source="police",
        uploaded_file=SimpleUploadedFile("police_good.csv", (FIX / "samples" / "police_good.csv").read_bytes()),
    )
    assert (good.valid_rows, good.error_rows) == (12, 0), good.errors
    services.import_accept(actor=staff, batch_id=good.pk)
    assert Resident.objects.get(name="死亡者").deceased_on is not None
    bad = services.import_upload(
        actor=staff,
        source="police",
        uploaded_file=SimpleUploadedFile("police_errors.csv", (FIX / "samples" / "police_errors.csv").read_bytes()),
    )
    lines = {e["line"]: e["message"] for e in bad.errors}
    assert set(lines) == {3, 4, 6, 7, 9, 10}, lines
    assert (bad.total_rows, bad.valid_rows) == (8, 2)  # the empty row is skipped; the 15-digit number is converted


def test_allocation_sample_output_is_what_the_command_gives(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "out.csv"
    call_command(
        "allocate_tasks", str(FIX / "samples" / "allocate_tasks_input.csv"), "--output", str(out), "--total", "1072400"
    )
    assert out.read_text() == (FIX / "samples" / "allocate_tasks_output_total_1072400.csv").read_text()
