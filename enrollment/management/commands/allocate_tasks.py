"""python manage.py allocate_tasks INPUT.csv --output OUT.csv [--total N] [--base-ratio 0.96]

The guideline-task arithmetic from a file, for staff who prepare the figures in Excel. A malformed input
gets an error naming the line and the column, exit status 2, and no output file."""

import csv
import os
import sys
import tempfile
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand

from enrollment.rules.allocation import (
    AllocationError,
    AllocationInputError,
    allocate,
    format_output,
    parse_allocation_rows,
)


class Command(BaseCommand):
    help = "按户籍人口基数比例测算各镇街指导性任务数（最大余数法分配区级总数）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "input",
            help="输入 CSV：township_code,township_name,hukou_population,moved_in,moved_out,births,deaths,employee_insured,enrolled_elsewhere",
        )
        parser.add_argument("--output", required=True, help="输出 CSV：township_code,raw,task")
        parser.add_argument("--total", type=int, default=None, help="区级居民医保指导性任务总数（按最大余数法分配）")
        parser.add_argument("--base-ratio", default="0.96", help="户籍人口基数比例，默认 0.96")

    def fail(self, message: str):
        self.stderr.write(message)
        sys.exit(2)

    def handle(self, *args, **opts):
        try:
            ratio = Decimal(opts["base_ratio"])
            if not ratio.is_finite() or ratio < 0:
                raise InvalidOperation
        except InvalidOperation:
            self.fail(f"--base-ratio: not a non-negative number: {opts['base_ratio']!r}")
        if opts["total"] is not None and opts["total"] < 0:
            self.fail("--total: must not be negative")
        try:
            raw = open(opts["input"], "rb").read()
        except OSError as exc:
            self.fail(f"{opts['input']}: {exc.strerror}")
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        rows = list(csv.reader(text.splitlines()))
        try:
            figures = parse_allocation_rows(rows)
            tasks = allocate(figures, total=opts["total"], base_ratio=ratio)
        except AllocationInputError as exc:
            self.fail(
                f"{opts['input']}: 第 {exc.line} 行 {exc.column} 列有误 (line {exc.line}, column {exc.column}): {exc.message}"
            )
        except AllocationError as exc:
            self.fail(f"{opts['input']}: {exc}")
        out = opts["output"]
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(out)) or ".", suffix=".tmp")
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(format_output(tasks))
        os.replace(tmp, out)
        self.stdout.write(f"{len(tasks)} townships, total {sum(t.task for t in tasks)} → {out}")
