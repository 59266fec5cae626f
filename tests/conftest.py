"""Shared fixtures: a coherent division tree, users of every role, logged-in clients, a real Celery
worker and a Playwright page on Debian's Chromium. Every test runs on PostgreSQL."""

import os
from dataclasses import dataclass

import pytest

from medinsure.regions.models import Division
from tests.factories import PASSWORD, DivisionFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; pytest-django's live_server needs this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _fresh_figures_cache():
    """Cached statistics (medinsure.core.figures_cache) live in Redis across tests and runs: every
    test starts with all of them out of reach."""
    from medinsure.core import figures_cache

    figures_cache.forget_all()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters (medinsure.core.throttles) live in Redis across tests: every test starts with none."""
    from medinsure.core import throttles

    throttles.reset_all()


@dataclass
class Tree:
    district: Division
    town_a: Division
    town_b: Division
    village_a1: Division
    village_a2: Division
    village_b1: Division
    village_b2: Division
    grid_a1: Division


@pytest.fixture
def divisions(db) -> Tree:
    district = DivisionFactory()
    town_a = DivisionFactory.township(district, 101, "甲镇")
    town_b = DivisionFactory.township(district, 102, "乙镇")
    village_a1 = DivisionFactory.village(town_a, 201, "甲镇一村")
    return Tree(
        district=district,
        town_a=town_a,
        town_b=town_b,
        village_a1=village_a1,
        village_a2=DivisionFactory.village(town_a, 202, "甲镇二村"),
        village_b1=DivisionFactory.village(town_b, 201, "乙镇一村"),
        village_b2=DivisionFactory.village(town_b, 202, "乙镇二村"),
        grid_a1=DivisionFactory.grid(village_a1, 1),
    )


@pytest.fixture
def make_user(db):
    def make(role, division=None, **kwargs):
        return UserFactory(role=role, division=division, **kwargs)

    return make


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_as():
    from django.utils import timezone
    from rest_framework.test import APIClient

    from medinsure.accounts import tokens
    from medinsure.accounts.models import ApiToken

    def make(user):
        # any role: tests act as every role through the API; the role check is the minting service's
        token, secret = tokens.issue(user)
        # noted as used now: the write that records a token's first use (at most one per 5 minutes,
        # medinsure.accounts.authentication) stays out of the tests that count a request's queries
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        return api

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD


# --- Celery: a real worker thread consuming every named queue from the test's Redis ----------------
@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (celery.contrib.testing) on the configured broker. Use with
    @pytest.mark.django_db(transaction=True): the worker's own connection must see committed rows."""
    from celery.contrib.testing.worker import start_worker

    from medinsure.celery import QUEUES
    from medinsure.celery import app as celery_app

    celery_app.control.purge()  # nothing left over from an earlier run
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        queues=list(QUEUES),
        loglevel="WARNING",
        shutdown_timeout=30,
    ) as worker:
        yield worker


# --- Browser ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def _playwright_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_playwright_browser):
    context = _playwright_browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def phone_page(_playwright_browser):
    """A phone-sized screen (a village worker's)."""
    context = _playwright_browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def login_page():
    def login(page, live_server, user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/**")
        return page

    return login
