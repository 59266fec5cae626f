import pytest
from django.core.management import CommandError, call_command

from fundbudget.models import MonthlyStatement
from fundbudget.tasks import warnings_refresh_task

from .test_import import SEED_004_ROWS, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.service]


def test_command_validates_then_applies_idempotently(fund_user, tmp_path, capsys):
    path = tmp_path / "april.xlsx"
    path.write_bytes(workbook(SEED_004_ROWS))
    call_command("fund_statements_import", str(path), "--user", fund_user.username)
    assert not MonthlyStatement.objects.exists()
    call_command("fund_statements_import", str(path), "--user", fund_user.username, "--apply")
    call_command("fund_statements_import", str(path), "--user", fund_user.username, "--apply")
    out = capsys.readouterr().out
    assert "新增 3，更新 0，未变 0" in out and "新增 0，更新 0，未变 3" in out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook([["职工医保", 2024, 99, 1, 1, 1]]))
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("fund_statements_import", str(bad), "--user", fund_user.username, "--apply")
    assert warnings_refresh_task.run(2024) == 3
