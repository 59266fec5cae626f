"""The division file: a bad file is refused with a ValidationError naming the file's lines, and nothing is written."""

import pytest
from django.core.exceptions import ValidationError

from medinsure.regions.models import Division
from medinsure.regions.services import divisions_load_csv

pytestmark = pytest.mark.django_db


def test_a_bad_division_file_names_its_lines_and_writes_nothing(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("code,name\n500116000000,江津区\n", encoding="utf-8")
    with pytest.raises(ValidationError) as exc:
        divisions_load_csv(path=missing)
    assert exc.value.message_dict == {"file": ["缺少列：level, parent_code"]}

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,level,parent_code\n500116000000,江津区,district,\n500116101000,,township,500116000000\n5001161,甲村,village,500116101000\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as exc:
        divisions_load_csv(path=bad)
    assert exc.value.message_dict["file"] == ["第3行 name：不能为空", "第4行 code：应为12位数字"]
    assert Division.objects.count() == 0
