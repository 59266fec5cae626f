"""python manage.py reimburse on good and bad files (no policy rows in the database needed)."""

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.rules import parse_policy
from claims.services import policy_version_create
from tests.claims.claims_rules_helpers import policy_doc

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "claims" / "visits-guanxian-2018.csv"
EXPECTED = [
    ["visit_id", "deductible", "fund_paid", "critical_paid", "personal_paid"],
    ["v001", "500.00", "5250.00", "0.00", "2750.00"],
    ["v002", "250.00", "5425.00", "0.00", "2575.00"],
    ["v003", "0.00", "35000.00", "4162.50", "10837.50"],
    ["v004", "200.00", "672.00", "0.00", "328.00"],
    ["v005", "0.00", "50.00", "0.00", "50.00"],
    ["v006", "0.00", "70.00", "0.00", "230.00"],
    ["v007", "60.00", "0.00", "0.00", "60.00"],
    ["v008", "40.00", "1000.00", "0.00", "1000.00"],
    ["v009", "0.00", "7800.00", "0.00", "4200.00"],
    ["v010", "0.00", "650.00", "0.00", "350.00"],
    ["v011", "0.00", "0.00", "0.00", "20000.00"],
]


@pytest.mark.django_db
def test_good_file_from_the_shipped_policy(tmp_path):
    out = tmp_path / "out.csv"
    call_command("reimburse", policy="guanxian-2018", visits=str(FIXTURE), output=str(out))
    with open(out, encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == EXPECTED


@pytest.mark.django_db
def test_the_stored_version_wins_over_the_file(tmp_path):
    doc = policy_doc("guanxian-2018")
    doc["benefits"]["outpatient_general"]["ratio"] = 0.6
    policy_version_create(actor=None, document=doc, note="test")
    out = tmp_path / "out.csv"
    call_command("reimburse", policy="guanxian-2018", visits=str(FIXTURE), output=str(out))
    rows = {r[0]: r for r in csv.reader(open(out, encoding="utf-8"))}
    assert rows["v005"][2] == "60.00"
    assert parse_policy(doc).code == "guanxian-2018"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "line, needle",
    [
        ("v1,P1,2018-01-01,surgery,2,100,,,,,,", "第 3 行，kind 列"),
        ("v1,P1,2018-01-01,inpatient,6,100,,,,,,", "第 3 行，hospital_level 列"),
        ("v1,P1,2018-01-01,inpatient,2,abc,,,,,,", "第 3 行，in_scope_cost 列"),
    ],
)
def test_bad_row_names_the_line_exit_2_and_no_output(tmp_path, capsys, line, needle):
    visits = tmp_path / "visits.csv"
    good = FIXTURE.read_text(encoding="utf-8").splitlines()[:2]
    visits.write_text("\n".join([*good, line]) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(CommandError) as exc:
        call_command("reimburse", policy="guanxian-2018", visits=str(visits), output=str(out))
    assert exc.value.returncode == 2
    assert needle in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.django_db
def test_missing_column_and_unknown_policy(tmp_path, capsys):
    visits = tmp_path / "visits.csv"
    visits.write_text("visit_id,person_id,date,kind\nv1,P1,2018-01-01,inpatient\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("reimburse", policy="guanxian-2018", visits=str(visits), output=str(tmp_path / "o.csv"))
    assert exc.value.returncode == 2
    assert "hospital_level 列：缺少该列" in capsys.readouterr().err
    with pytest.raises(CommandError) as exc:
        call_command("reimburse", policy="nowhere-1999", visits=str(FIXTURE), output=str(tmp_path / "o.csv"))
    assert exc.value.returncode == 2
    assert not (tmp_path / "o.csv").exists()


def test_command_line_exit_status(tmp_path):
    """The real command line: exit status 2 for a bad file."""
    import os
    import subprocess
    import sys

    visits = tmp_path / "visits.csv"
    visits.write_text(FIXTURE.read_text(encoding="utf-8") + "v99,P9,2018-13-01,inpatient,2,1,,,,,,\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "reimburse",
            "--policy",
            "guanxian-2018",
            "--visits",
            str(visits),
            "--output",
            str(tmp_path / "out.csv"),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ},
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "第 13 行，date 列" in proc.stderr
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.django_db
def test_the_calculator_page_takes_the_same_file(make_user, client_as):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from medinsure.accounts.models import Role

    client = client_as(make_user(Role.CLAIMS))
    r = client.post(
        "/claims/calculator/file/",
        {
            "policy": "guanxian-2018",
            "visits": SimpleUploadedFile("v.csv", FIXTURE.read_bytes()),
        },
    )
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert list(csv.reader(r.content.decode().splitlines())) == EXPECTED
    bad = FIXTURE.read_text(encoding="utf-8") + "v99,P9,2018-01-01,surgery,2,1,,,,,,\n"
    r = client.post(
        "/claims/calculator/file/",
        {
            "policy": "guanxian-2018",
            "visits": SimpleUploadedFile("v.csv", bad.encode()),
        },
    )
    assert r.status_code == 400 and "第 13 行，kind 列" in r.content.decode()
