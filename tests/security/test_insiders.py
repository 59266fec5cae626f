"""What insiders may see: every GET route (pages, API, exports, error reports) as every role, and an
attempt to rebuild each resident's ID and phone number from what the role got.

The route walk (test_route_walk.py) proves that outsiders see nothing of another area. This walk is
about the people a role *may* see: a role that may not see personal numbers (everyone outside
``PERSONAL_NUMBER_ROLES``) gets a view of a person with the numbers masked — and masking field by field
is not enough, because fields rebuild each other. The masked ID keeps the first 6 and last 4 digits
(check digit included), so the birth date beside it *is* the ID. So, for each role and each resident:

- no full ID number, no 17 first digits (the check digit is computable), no 15-digit old number, and no
  full phone number (present or past) may appear — except the phones of the worker's own tasks, which
  the worker calls;
- from everything the role got (all its responses together, since a person may put two pages side by
  side), the ID numbers that agree with the masked number and the birth information shown (a full
  date in any common format, or the age) must number at least ``MIN_CANDIDATES``.

Routes come from the URL resolver (``all_routes``), so a new route is walked without new code; a page's
export links (``?format=…`` / ``.xlsx`` / ``.csv`` on the same page) are followed too, and its search
forms (a POST form to itself with a ``q`` or ``id_number`` box) and the API's search endpoints (POST
routes named ``…search``) are sent each resident's number: the answer must not echo it back in full.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from medinsure.accounts import scoping
from medinsure.accounts.models import Role
from medinsure.masking import age_of, mask_id_number, mask_phone
from medinsure.rules.id_numbers import check_char
from tests.security import world as worldmod
from tests.security.routes import PUBLIC, all_routes, build_url, kwargs_for
from tests.security.test_route_walk import _clients, _Forms, _get, body_text, kwargs_table, zone_table

pytestmark = [pytest.mark.django_db, pytest.mark.service]

MIN_CANDIDATES = 20


def date_forms(d: date) -> list[str]:
    """The ways a page, an API or a workbook may write a date (ISO, compact, Chinese, slashes, English)."""
    en_short = d.strftime("%b") + ("" if d.month in (5, 6, 7) else ".")  # Django's "N": Jan. Feb. … May June July
    return [
        d.isoformat(),
        f"{d:%Y%m%d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}年{d:%m}月{d:%d}日",
        f"{d:%Y/%m/%d}",
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}-{d.month}-{d.day}",
        f"{d:%Y.%m.%d}",
        f"{d:%B} {d.day}, {d.year}",
        f"{en_short} {d.day}, {d.year}",
        f"{d.isoformat()}T00:00:00",  # an xlsx cell holding a date
    ]


def _born(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def _ages_shown(text: str) -> set[int]:
    ages = {int(a) for a in re.findall(r"(\d{1,3})\s*岁", text)}
    ages |= {int(a) for a in re.findall(r'"age"\s*:\s*(\d{1,3})', text)}
    return ages


def candidates(id_number: str, text: str, *, today: date) -> int:
    """How many valid ID numbers agree with what ``text`` shows of this person (1 = rebuilt)."""
    if id_number in text or id_number[:17] in text or (id_number[:6] + id_number[8:17]) in text:
        return 1
    masked = mask_id_number(id_number)
    if masked not in text:
        return 10**6  # the page names no number of this person: nothing to rebuild from
    born = _born(id_number)
    if any(form in text for form in date_forms(born)):
        window = [born]
    elif age_of(born, as_of=today) in _ages_shown(text):
        age = age_of(born, as_of=today)
        start = date(today.year - age - 1, today.month, 1)
        window = [
            start + timedelta(days=i) for i in range(800) if age_of(start + timedelta(days=i), as_of=today) == age
        ]
    else:
        return 10**6  # a century of dates
    head, tail = id_number[:6], id_number[-4:]
    return sum(1 for d in window if check_char(f"{head}{d:%Y%m%d}{tail[:3]}") == tail[3])


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def export_links(url: str, html: str) -> list[str]:
    """The page's own downloads: links to the same path with ``format=`` or to an .xlsx/.csv file."""
    parser = _Links()
    parser.feed(html)
    path = urlsplit(url).path
    out = []
    for href in parser.hrefs:
        parts = urlsplit(href)
        same = parts.path in ("", path)
        if (same and "format=" in parts.query) or parts.path.endswith((".xlsx", ".csv")):
            out.append((parts.path or path) + ("?" + parts.query if parts.query else ""))
    return out


def _residents(w):
    o = w.objects
    return [o["resident_a"], o["resident_a2"], o["resident"]]


def _phones_of(w, resident) -> list[str]:
    key = {w.objects["resident_a"].pk: "a", w.objects["resident_a2"].pk: "a2", w.objects["resident"].pk: "b"}
    return [resident.phone, worldmod.OLD_PHONES[key[resident.pk]]]


def collect(w, user) -> dict[str, str]:
    """URL → body text of every GET route (B's objects, then A's villages' residents and tasks) that
    answers the user 200, with the downloads each page links to."""
    page, api = _clients(w, user)
    tables = [kwargs_table(w), zone_table(w, "a1"), zone_table(w, "a2")]
    seen: dict[str, str] = {}
    for route in all_routes():
        if route.name in PUBLIC or route.name == "logout":
            continue
        if route.is_api and route.methods == {"POST"} and route.name.endswith("search") and not route.params:
            url = build_url(route, {})
            for resident in _residents(w):
                for key in SEARCH_FIELDS:
                    rs = api.post(url, {key: resident.id_number}, format="json")
                    seen[f"POST {url} {key}={resident.name}"] = body_text(rs) if rs.status_code == 200 else ""
        if route.methods is not None and "GET" not in route.methods:
            continue
        for table in tables:
            url = build_url(route, kwargs_for(route, table))
            if url in seen:
                continue
            client = api if route.is_api else page
            r = _get(client, url)
            seen[url] = body_text(r) if r.status_code == 200 else ""
            if r.status_code == 200 and "html" in r.get("Content-Type", ""):
                for link in export_links(url, seen[url]):
                    if link not in seen:
                        rl = client.get(link)
                        seen[link] = body_text(rl) if rl.status_code == 200 else ""
                _search_forms(w, client, url, seen)
    return seen


SEARCH_FIELDS = ("q", "id_number")


def _search_forms(w, client, url, seen) -> None:
    """POST each resident's number to the page's own search form (a POST form to the same URL with a
    ``q`` or ``id_number`` box), keeping the form's other fields as the page filled them."""
    parser = _Forms(url)
    parser.feed(seen[url])
    for action, fields in parser.forms.items():
        if urlsplit(action).path != urlsplit(url).path:
            continue
        for key in SEARCH_FIELDS:
            if key not in fields:
                continue
            for resident in _residents(w):
                data = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"} | {key: resident.id_number}
                rs = client.post(action, data)
                seen[f"POST {action} {key}={resident.name}"] = body_text(rs) if rs.status_code == 200 else ""


def rebuilds(w, user, bodies: dict[str, str]) -> list[str]:
    """The numbers ``user`` could rebuild from ``bodies``: per response, and from all of them together."""
    if scoping.may_see_personal_numbers(user):
        return []
    from enrollment.models import MobilisationTask

    own_phones = set(MobilisationTask.objects.filter(assignee=user).values_list("resident__phone", flat=True))
    today = timezone.localdate()
    problems = []
    everything = "\n".join(bodies.values())
    for resident in _residents(w):
        for url, text in [*bodies.items(), ("(all responses together)", everything)]:
            if not text:
                continue
            n = candidates(resident.id_number, text, today=today)
            if n < MIN_CANDIDATES:
                problems.append(f"{url}: {resident.name}'s ID number rebuilt to {n} candidate(s)")
            for phone in _phones_of(w, resident):
                if phone not in own_phones and phone in text:
                    problems.append(f"{url}: {resident.name}'s phone {mask_phone(phone)} in full")
    return problems


WHO = [*Role.values, "b_township", "b_village", "b_institution"]  # B's own workers see B's people


@pytest.mark.parametrize("role", WHO)
def test_no_role_rebuilds_a_number_it_may_not_see(world, role):
    """Every GET route as this role: no resident's ID or phone number can be rebuilt from what it got."""
    user = world.b_users[role[2:]] if role.startswith("b_") else world.users[role]
    bodies = collect(world, user)
    problems = rebuilds(world, user, bodies) + audit_rows_holding_numbers(world)
    assert not problems, f"{role}:\n" + "\n".join(sorted(set(problems)))


def audit_rows_holding_numbers(w) -> list[str]:
    """The audit log's contents after the walk (its rows are read by the admin, a masked role): no row's
    summary, object id or path holds a resident's full ID number or phone number, whoever's visit wrote it."""
    from medinsure.audit.models import AuditLog

    numbers = {}
    for resident in _residents(w):
        numbers[resident.id_number] = f"{resident.name}'s ID number"
        for phone in _phones_of(w, resident):
            numbers[phone] = f"{resident.name}'s phone"
    problems = []
    for summary, object_id, path in AuditLog.objects.values_list("summary", "object_id", "path"):
        text = f"{summary}\n{object_id}\n{path}"
        problems += [f"audit log: {what} in full" for number, what in numbers.items() if number in text]
    return problems


def test_the_walk_sees_people(world):
    """The positive control: the walk reaches the pages that show people — a masked role (a village
    worker, the leader) gets their masked numbers and their ages there, and a role that sees numbers gets
    the full ID and birth date, so the checks above are not passed by an empty walk."""
    res_a = world.objects["resident_a"]
    res_b = world.objects["resident"]
    village = collect(world, world.users[Role.VILLAGE])
    shown = "\n".join(village.values())
    assert mask_id_number(res_a.id_number) in shown
    assert age_of(res_a.birth_date) in _ages_shown(shown)
    leader = "\n".join(collect(world, world.users[Role.LEADER]).values())
    assert mask_id_number(res_b.id_number) in leader and res_b.id_number not in leader
    staff = collect(world, world.users[Role.ENROLLMENT])
    assert res_b.id_number in "\n".join(staff.values()) and res_b.birth_date.isoformat() in "\n".join(staff.values())
    searched = [k for k, text in staff.items() if k.startswith("POST") and res_b.name in text]
    assert any("/enrollment/residents/" in k for k in searched), sorted(staff)[:5]
    assert any("/api/v1/enrollment/residents/search/" in k for k in searched)


def test_the_rebuild_catches_a_date_beside_the_mask():
    """The rebuild itself: the old resident list's row (masked ID + birth date) is one candidate; the
    masked ID with the age leaves dozens; a 17-digit prefix or the old 15-digit number is the number."""
    number = "500116194207110008"
    assert check_char(number[:17]) == number[-1]
    today = date(2026, 12, 8)
    row = json.dumps({"id_number": mask_id_number(number), "birth_date": "1942-07-11"})
    assert candidates(number, row, today=today) == 1
    assert candidates(number, f"{mask_id_number(number)} 1942年7月11日", today=today) == 1
    masked = json.dumps({"id_number": mask_id_number(number), "birth_date": None, "age": 84})
    assert candidates(number, masked, today=today) >= MIN_CANDIDATES
    assert candidates(number, number[:17] + "?", today=today) == 1
    assert candidates(number, number[:6] + number[8:17], today=today) == 1
    assert candidates(number, "nothing", today=today) >= MIN_CANDIDATES
