from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enrollment.rules.allocation import (
    AllocationError,
    AllocationInputError,
    TownshipFigures,
    allocate,
    format_output,
    parse_allocation_rows,
    raw_task,
)


def T(code, hukou, *rest, name=""):
    return TownshipFigures(code, name or code, hukou, *rest)


@pytest.mark.parametrize(
    "fig, base_ratio, raw",
    [
        (T("500116001", 1000), "0.96", Decimal("960.00")),
        (T("500116002", 1001, 3, 1, 2, 5, 100, 10), "0.96", Decimal("849.96")),
        (T("500116003", 12, 0, 0, 0, 0, 20, 0), "0.96", Decimal("-8.48")),
        (T("500116004", 1000, 10, 0, 0, 0, 0, 0), "1", Decimal("1010")),
        (T("500116005", 100000, 500, 800, 700, 600, 12000, 300), "0.95", Decimal("82500.00")),
    ],
)
def test_raw_formula(fig, base_ratio, raw):
    assert raw_task(fig, Decimal(base_ratio)) == raw


@pytest.mark.parametrize(
    "figures, base_ratio, expected",
    [
        # round_half_up of max(raw, 0), no total
        (
            [T("1" * 9, 1000), T("2" * 9, 1001, 3, 1, 2, 5, 100, 10), T("3" * 9, 12, 0, 0, 0, 0, 20)],
            "0.96",
            [960, 850, 0],
        ),
        ([T("100000001", 1), T("100000002", 5), T("100000003", 3)], "0.5", [1, 3, 2]),  # 0.5→1, 2.5→3, 1.5→2
        ([T("100000001", 7)], "0.5", [4]),  # 3.5 → 4 (not banker's 4 either way) ...
        ([T("100000001", 9)], "0.5", [5]),  # 4.5 → 5 (banker's would give 4)
        ([T("100000001", 1, 0, 0, 0, 0, 0, 1)], "0.5", [0]),  # -0.5 → 0
    ],
)
def test_no_total(figures, base_ratio, expected):
    got = allocate(figures, base_ratio=Decimal(base_ratio))
    assert [t.task for t in got] == expected


@pytest.mark.parametrize(
    "hukous, total, expected",
    [
        ([1, 1, 1], 10, [4, 3, 3]),  # equal remainders: the smaller code
        ([5, 3, 2], 7, [4, 2, 1]),  # 3.5, 2.1, 1.4
        ([5, 3, 2], 10, [5, 3, 2]),  # exact
        ([5, 3, 2], 0, [0, 0, 0]),
        ([2, 2, 1], 4, [2, 1, 1]),  # 1.6, 1.6, 0.8 → floors 1,1,0, two left: .8 then .6 (smaller code)
        ([100, 0, 1], 5, [5, 0, 0]),  # zero raw gets nothing
    ],
)
def test_largest_remainder(hukous, total, expected):
    figs = [T(f"50011600{i + 1}", h) for i, h in enumerate(hukous)]
    got = allocate(figs, total=total, base_ratio=Decimal(1))
    assert [t.task for t in got] == expected
    assert sum(t.task for t in got) == total


def test_tie_goes_to_smaller_code_whatever_the_input_order():
    figs = [T("500116002", 1), T("500116001", 1)]
    got = allocate(figs, total=3, base_ratio=Decimal(1))
    assert [(t.township_code, t.task) for t in got] == [("500116002", 1), ("500116001", 2)]


def test_negative_raw_is_zero_weight_with_total():
    figs = [T("500116001", 10), T("500116002", 10, 0, 0, 0, 0, 50)]
    got = allocate(figs, total=9, base_ratio=Decimal(1))
    assert [t.task for t in got] == [9, 0]
    assert got[1].raw == Decimal(-40)


def test_errors():
    with pytest.raises(AllocationError):
        allocate([T("500116001", 0)], total=5)
    with pytest.raises(AllocationError):
        allocate([T("500116001", 1), T("500116001", 2)])
    with pytest.raises(AllocationError):
        allocate([T("500116001", 1)], total=-1)


def test_jiangjin_scale_adds_up():
    # 2025: the townships' resident total 1,072,400 shared over a district of ~30 townships
    figs = [T(f"500116{100 + i:03d}", 20000 + 1379 * i, 100, 80, 150, 120, 3000 + 17 * i, 200) for i in range(30)]
    got = allocate(figs, total=1_072_400)
    assert sum(t.task for t in got) == 1_072_400
    raws = [max(t.raw, 0) for t in got]
    for t, r in zip(got, raws, strict=False):
        assert abs(Decimal(t.task) - Decimal(1_072_400) * r / sum(raws)) < 1


@given(
    st.lists(st.integers(min_value=0, max_value=2_000_000), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=2_000_000),
    st.sampled_from(["0.96", "0.9", "1", "0.333"]),
)
def test_property_sum_and_quota(hukous, total, ratio):
    figs = [T(f"500116{i:03d}", h) for i, h in enumerate(hukous)]
    if sum(hukous) == 0 and total:
        with pytest.raises(AllocationError):
            allocate(figs, total=total, base_ratio=Decimal(ratio))
        return
    got = allocate(figs, total=total, base_ratio=Decimal(ratio))
    assert sum(t.task for t in got) == total
    w = sum(max(t.raw, 0) for t in got)
    for t in got:
        quota = Decimal(total) * max(t.raw, 0) / w if w else 0
        assert quota - 1 < t.task < quota + 1


HEADER = (
    "township_code,township_name,hukou_population,moved_in,moved_out,births,deaths,employee_insured,enrolled_elsewhere"
)


def rows(text):
    import csv
    import io

    return list(csv.reader(io.StringIO(text)))


def test_parse_and_format():
    figs = parse_allocation_rows(
        rows(HEADER + "\n500116100,几江街道,1000,1,2,3,4,5,6\n\n500116101,德感街道,10,0,0,0,0,0,0\n")
    )
    assert [f.township_code for f in figs] == ["500116100", "500116101"]
    out = format_output(allocate(figs))
    assert out == [["township_code", "raw", "task"], ["500116100", "947.00", "947"], ["500116101", "9.60", "10"]]


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("", 1, "township_code"),
        ("township_code,township_name\n", 1, "hukou_population"),
        (HEADER + "\n", 2, "township_code"),
        (HEADER + "\n500116100,A,1000,1,2,3,4,5,6\n500116101,B,abc,0,0,0,0,0,0\n", 3, "hukou_population"),
        (HEADER + "\n500116100,A,1000,1,2,3,4,5,-6\n", 2, "enrolled_elsewhere"),
        (HEADER + "\n500116100,A,1000,1,2,3,4,5\n", 2, "enrolled_elsewhere"),
        (HEADER + "\n5001161,A,1000,1,2,3,4,5,6\n", 2, "township_code"),
        (HEADER + "\n500116100,A,1000,1,2,3,4,5,6\n500116100,B,1,0,0,0,0,0,0\n", 3, "township_code"),
        (HEADER + "\n500116100,A,10.5,1,2,3,4,5,6\n", 2, "hukou_population"),
    ],
)
def test_parse_errors_name_line_and_column(text, line, column):
    with pytest.raises(AllocationInputError) as exc:
        parse_allocation_rows(rows(text))
    assert (exc.value.line, exc.value.column) == (line, column)
