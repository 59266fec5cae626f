"""No page of the shell loads anything from another host; static files are served by the portal."""

import re

import pytest

from medinsure.accounts.models import Role

pytestmark = pytest.mark.django_db

URL_ATTR = re.compile(r"""(?:src|href|action)\s*=\s*["']([^"']+)["']""", re.I)
CSS_URL = re.compile(r"url\(([^)]+)\)")


def _outside(urls):
    return [u for u in urls if re.match(r"^(https?:)?//", u.strip(" '\""))]


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/regions/", "/audit/", "/api/docs/"])
def test_pages_reference_no_outside_host(client_as, client, make_user, divisions, path):
    client = client_as(make_user(Role.ADMIN))
    html = client.get(path).content.decode()
    assert _outside(URL_ATTR.findall(html)) == []


def test_static_files_are_served_locally(client):
    for path in [
        "/static/vendor/bootstrap/css/bootstrap.min.css",
        "/static/vendor/bootstrap/js/bootstrap.bundle.min.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/echarts/echarts.min.js",
        "/static/css/medinsure.css",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert len(body) > 100


def test_swagger_ui_assets_come_from_the_sidecar(client_as, make_user):
    html = client_as(make_user(Role.ADMIN)).get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar" in html


def test_the_portal_name_is_a_setting(client, settings):
    assert "区医疗保障局业务平台" in client.get("/accounts/login/").content.decode()
    settings.PORTAL_NAME = "重庆市江津区医疗保障局业务平台"
    html = client.get("/accounts/login/").content.decode()
    assert "重庆市江津区医疗保障局业务平台" in html


def test_read_only_core_pages_refuse_other_methods(client_as, make_user, divisions):
    """Home, divisions, the audit search and a job's progress only read: a POST is a 405, not a page."""
    from medinsure.jobs.models import Job

    admin = make_user(Role.ADMIN, divisions.district)
    c = client_as(admin)
    job = Job.objects.create(owner=admin, kind="test", title="t")
    for url in ("/", "/regions/", f"/regions/{divisions.town_a.code}/", "/audit/", f"/jobs/{job.pk}/"):
        assert c.get(url).status_code == 200, url
        assert c.post(url).status_code == 405, url
