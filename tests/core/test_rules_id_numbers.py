from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medinsure.rules.id_numbers import (
    FEMALE,
    MALE,
    IdNumberError,
    check_char,
    make_id_number,
    parse_id_number,
    upgrade_15,
)

AS_OF = date(2025, 6, 30)


@pytest.mark.parametrize(
    "raw, number, born, sex, converted",
    [
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31), FEMALE, False),
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31), FEMALE, False),
        (" 360426199101010071 ", "360426199101010071", date(1991, 1, 1), MALE, False),
        ("360426199101010071.0", "360426199101010071", date(1991, 1, 1), MALE, False),
        ("3604\u30002619910101 0071", "360426199101010071", date(1991, 1, 1), MALE, False),
        ("370101190102039973", "370101190102039973", date(1901, 2, 3), MALE, False),
        ("610104620927690", "610104196209276908", date(1962, 9, 27), FEMALE, True),
        ("810000199408230021", "810000199408230021", date(1994, 8, 23), FEMALE, False),
        ("'360426199101010071", "360426199101010071", date(1991, 1, 1), MALE, False),
    ],
)
def test_valid_numbers(raw, number, born, sex, converted):
    got = parse_id_number(raw, as_of=AS_OF)
    assert (got.number, got.birth_date, got.sex, got.converted_from_15) == (number, born, sex, converted)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "empty"),
        (None, "empty"),
        ("12345", "format"),
        ("11010519491231002Y", "format"),
        ("1101051949123100", "format"),
        ("110105194912310021", "check_digit"),
        ("360426199101010070", "check_digit"),
        (make_id_number("500116", date(2024, 2, 28), 1)[:10] + "0230" + "0011", "check_digit"),
        ("440524188001010014", "too_old"),
    ],
)
def test_invalid_numbers(raw, code):
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(raw, as_of=AS_OF)
    assert exc.value.code == code


def test_impossible_birth_date_with_good_check_digit():
    s17 = "50011619490230001"
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(s17 + check_char(s17), as_of=AS_OF)
    assert exc.value.code == "birth_date"


def test_future_birth_date():
    n = make_id_number("500116", date(2025, 7, 1), 12)
    with pytest.raises(IdNumberError) as exc:
        parse_id_number(n, as_of=AS_OF)
    assert exc.value.code == "future_birth"
    assert parse_id_number(n, as_of=date(2025, 7, 1)).birth_date == date(2025, 7, 1)


def test_15_digit_bad_date_and_centenarian_flag():
    with pytest.raises(IdNumberError) as exc:
        parse_id_number("610104621327690", as_of=AS_OF)
    assert exc.value.code == "birth_date"
    assert parse_id_number("610104050927997", as_of=AS_OF).needs_review is True
    assert parse_id_number("610104620927690", as_of=AS_OF).needs_review is False


def test_weights_are_powers_of_two_mod_11():
    from medinsure.rules.id_numbers import WEIGHTS

    assert WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))


def test_upgrade_example():
    assert upgrade_15("610104620927690") == "610104196209276908"


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=AS_OF),
    st.integers(min_value=0, max_value=999),
    st.sampled_from(["500116", "110105", "440524"]),
)
def test_generated_numbers_round_trip(born, seq, county):
    n = make_id_number(county, born, seq)
    got = parse_id_number(n, as_of=AS_OF)
    assert got.number == n and got.birth_date == born
    assert got.sex == (MALE if seq % 2 else FEMALE)
    # any single-digit change in the first 17 breaks the check digit
    changed = n[:3] + str((int(n[3]) + 1) % 10) + n[4:]
    with pytest.raises(IdNumberError):
        parse_id_number(changed, as_of=AS_OF)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 995))
def test_15_to_18_agrees_with_18(born, seq):
    n15 = f"500116{born:%y%m%d}{seq:03d}"
    assert parse_id_number(n15, as_of=AS_OF).number == make_id_number("500116", born, seq)


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_fast_check_char_equals_weighted_sum(s17):
    from medinsure.rules.id_numbers import CHECK_CHARS, WEIGHTS

    assert check_char(s17) == CHECK_CHARS[sum(int(c) * w for c, w in zip(s17, WEIGHTS, strict=True)) % 11]
