import pytest


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.ENROLLMENT_REMINDER_FILE = str(tmp_path / "outbox.jsonl")


@pytest.fixture
def staff(make_user):
    return make_user("enrollment")


@pytest.fixture
def registry(divisions):
    """Villages and a grid of the shared tree, and the 2025 campaign."""
    from tests.enrollment.factories import make_campaign

    make_campaign(2025)
    return divisions
