"""The chinese-calendar package as seed data for the holiday schedule (HolidayYear / HolidayDay)."""

from __future__ import annotations

NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争胜利70周年纪念日",
}


def package_schedule() -> dict[int, dict]:
    """{year: {"holidays": [(date, name)], "workdays": [(date, name)]}} for every year the package knows."""
    import chinese_calendar

    years: dict[int, dict] = {}
    for d, name in chinese_calendar.holidays.items():
        years.setdefault(d.year, {"holidays": [], "workdays": []})["holidays"].append((d, NAMES.get(name, name)))
    for d, name in chinese_calendar.workdays.items():
        years.setdefault(d.year, {"holidays": [], "workdays": []})["workdays"].append((d, NAMES.get(name, name)))
    return years


def seed(HolidayYear, HolidayDay, *, replace_package_years: bool = False) -> list[int]:
    """Add the package's years that are not there yet (staff-entered years are never touched)."""
    added = []
    existing = dict(HolidayYear.objects.values_list("year", "source"))
    for year, days in sorted(package_schedule().items()):
        if year in existing and not (replace_package_years and existing[year] == "package"):
            continue
        hy, _c = HolidayYear.objects.update_or_create(
            year=year, defaults={"source": "package", "note": "chinese-calendar"}
        )
        HolidayDay.objects.filter(year=hy).delete()
        HolidayDay.objects.bulk_create(
            [HolidayDay(year=hy, day=d, kind="holiday", name=n) for d, n in days["holidays"]]
            + [HolidayDay(year=hy, day=d, kind="workday", name=n) for d, n in days["workdays"]]
        )
        added.append(year)
    return added
