"""The public channel's limits (issue 15): throttles key on the real client address behind the trusted
proxies, keep a global cap, fail closed without Redis; anonymous and form bodies are small."""

import pytest
from captcha.models import CaptchaStore
from django.test import RequestFactory
from rest_framework.test import APIClient

from medinsure.accounts.models import Role
from medinsure.core.client_ip import client_ip
from supervision.models import Report

pytestmark = pytest.mark.django_db

REPORT = "/supervision/public/report/"


def _form():
    key = CaptchaStore.generate_key()
    return {
        "subject": "某药店",
        "content": "该药店用医保卡刷生活用品，时间是上周五下午。",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }


def test_the_client_address_is_the_one_the_trusted_proxy_saw(settings):
    rf = RequestFactory()
    forged = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(forged) == "10.0.0.1"  # no proxy: the header is the client's own text
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(forged) == "203.0.113.7"  # what our proxy appended; the forged entry is never read
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(forged) == "6.6.6.6"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.1"


def test_the_report_throttle_keys_on_the_real_client_behind_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        assert client.post(REPORT, _form(), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 302
    assert client.post(REPORT, _form(), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # another member of the public behind the same proxy is not throttled by the first one's reports,
    # and the first cannot escape by forging an address in front of the proxy's
    assert client.post(REPORT, _form(), HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 302
    forged = "1.2.3.4, 203.0.113.7"
    assert client.post(REPORT, _form(), HTTP_X_FORWARDED_FOR=forged, **proxy).status_code == 429
    assert Report.objects.count() == 6


def test_the_report_form_has_a_global_cap(client, settings):
    settings.PUBLIC_GLOBAL_LIMITS = {**settings.PUBLIC_GLOBAL_LIMITS, "report": (3, 3600)}
    codes = [client.post(REPORT, _form(), REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(4)]
    assert codes == [302, 302, 302, 429] and Report.objects.count() == 3


def test_without_redis_the_public_limits_fail_closed(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "medinsure.core.cache.FailSoftRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert client.get(REPORT).status_code == 200  # the page itself renders
    assert client.post(REPORT, _form()).status_code == 429
    assert not Report.objects.exists()
    assert APIClient().get("/api/v1/replies/published/").status_code == 429  # the anonymous API too


def test_the_anonymous_api_throttle_ignores_forged_addresses(settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api = APIClient()
    codes = [api.get("/api/v1/replies/published/", HTTP_X_FORWARDED_FOR=f"10.1.1.{i}").status_code for i in range(3)]
    assert codes == [200, 200, 429]


def test_anonymous_and_form_bodies_are_small_uploads_keep_theirs(client, make_user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = "content=" + "x" * (70 * 1024)  # 70 KB: past the anonymous limit, far below the 200 MB before
    form = "application/x-www-form-urlencoded"
    assert client.post(REPORT, data=body, content_type=form).status_code == 413
    assert client.post("/accounts/login/", data=body, content_type=form).status_code == 413
    client.force_login(make_user(Role.ENROLLMENT))
    settings.REQUEST_FORM_MAX_BYTES = 10 * 1024
    assert client.post("/", data=body, content_type=form).status_code == 413  # a signed-in user's form: small too
    upload = client.post("/", {"file": SimpleUploadedFile("a.csv", b"x" * (70 * 1024))})
    assert upload.status_code != 413  # a signed-in user's upload keeps the upload limits
