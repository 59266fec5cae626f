import subprocess
import sys

import pytest
from django.core.management import call_command

HEADER = "township_code,township_name,hukou_population,moved_in,moved_out,births,deaths,employee_insured,enrolled_elsewhere\n"
GOOD = (
    HEADER
    + "500116100000,几江街道,100000,500,800,700,600,12000,300\n500116101000,德感街道,50000,100,100,300,200,5000,100\n500116102000,双福街道,30001,0,0,0,0,0,0\n"
)


def test_file_to_file_without_total(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(GOOD, encoding="utf-8")
    call_command("allocate_tasks", str(src), "--output", str(out))
    assert out.read_text().splitlines() == [
        "township_code,raw,task",
        "500116100000,83500.00,83500",
        "500116101000,43000.00,43000",
        "500116102000,28800.96,28801",
    ]


def test_file_to_file_with_total_and_ratio(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(GOOD, encoding="gbk")
    call_command("allocate_tasks", str(src), "--output", str(out), "--total", "100000", "--base-ratio", "1")
    lines = out.read_text().splitlines()
    # raws 87500, 45000, 30001: tasks add up to the total
    tasks = [int(line.split(",")[2]) for line in lines[1:]]
    assert sum(tasks) == 100000
    assert lines[1].startswith("500116100000,87500.00,")


@pytest.mark.parametrize(
    "text, where",
    [
        (
            HEADER + "500116100000,A,abc,0,0,0,0,0,0\n",
            "第 2 行 hukou_population 列有误 (line 2, column hukou_population)",
        ),
        (HEADER.replace("births,", "") + "x\n", "line 1, column births"),
        (HEADER + "500116100000,A,1,0,0,0,0,0,0\n500116100000,B,1,0,0,0,0,0,0\n", "line 3, column township_code"),
    ],
)
def test_malformed_input_exit_2_and_no_output(tmp_path, text, where):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "manage.py", "allocate_tasks", str(src), "--output", str(out)],
        capture_output=True,
        text=True,
        env=None,
    )
    assert proc.returncode == 2, proc.stderr
    assert where in proc.stderr
    assert not out.exists()
