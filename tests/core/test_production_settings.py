"""Deployment defaults (issue 15): production unless told otherwise, refusing the committed development
secret and field key; secure cookies, HSTS and the proxy header from the deployment settings, so
`manage.py check --deploy --fail-level WARNING` passes with production values; field keys rotate."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
COMMITTED_KEY = "MQa-dYX2TMRXUKpMlFqeUq8h6eQFHw58xXCYOAVEmlo="
DEV_SECRET = "insecure-development-key-only-for-the-embedded-demo"


def _production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MEDINSURE_", "DJANGO_", "FIELD_ENCRYPTION"))}
    env.update(
        DJANGO_SETTINGS_MODULE="medinsure.settings",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://medinsure@postgres:5432/medinsure"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://redis:6379/0"),
        DJANGO_SECRET_KEY="p9-" + "Vq7ZkR2mXw4tLb8Nc3Hd6Jf1Gs5Ky0Pa" * 2,
        FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="ybj.example.gov.cn",
        TRUSTED_PROXY_COUNT="1",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_check_deploy_passes_with_production_values():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Each case loads the settings module afresh in one subprocess: what it refuses, or the values it chose.
PROBE = r"""
import json, os, runpy, sys
cases = json.loads(sys.argv[1])
base = dict(os.environ)
out = {}
for name, env in cases.items():
    os.environ.clear(); os.environ.update(base)
    for k, v in env.items():
        if v is None: os.environ.pop(k, None)
        else: os.environ[k] = v
    try:
        s = runpy.run_path("medinsure/settings.py")
        out[name] = {k: s[k] for k in ["MEDINSURE_DEV", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                                      "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT"]}
        out[name]["proxy_header"] = bool(s["SECURE_PROXY_SSL_HEADER"])
        out[name]["keys"] = len(s["FIELD_ENCRYPTION_KEYS"])
    except Exception as exc:
        out[name] = {"refused": type(exc).__name__, "message": str(exc)}
print(json.dumps(out))
"""


def test_production_is_the_default_and_refuses_the_committed_keys():
    key_a, key_b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    cases = {
        "no_secret": {"DJANGO_SECRET_KEY": None},  # MEDINSURE_DEV unset, a real database: production
        "dev_secret": {"DJANGO_SECRET_KEY": DEV_SECRET},
        "committed_key": {"FIELD_ENCRYPTION_KEY": COMMITTED_KEY},
        "committed_key_in_list": {"FIELD_ENCRYPTION_KEYS": f"{key_a},{COMMITTED_KEY}"},
        "not_a_key": {"FIELD_ENCRYPTION_KEYS": "hello"},
        "production": {"FIELD_ENCRYPTION_KEYS": f"{key_a},{key_b}"},
        "behind_no_proxy": {"TRUSTED_PROXY_COUNT": "0"},
        "development": {"MEDINSURE_DEV": "1", "DJANGO_SECRET_KEY": None, "FIELD_ENCRYPTION_KEY": None},
        "embedded_demo": {"DATABASE_URL": None, "DJANGO_SECRET_KEY": None, "FIELD_ENCRYPTION_KEY": None},
    }
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(cases)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    for name in ["no_secret", "dev_secret", "committed_key", "committed_key_in_list", "not_a_key"]:
        assert out[name].get("refused") == "ImproperlyConfigured", (name, out[name])
    prod = out["production"]
    assert prod["MEDINSURE_DEV"] is False and prod["keys"] == 2
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"] and prod["SECURE_SSL_REDIRECT"]
    assert prod["SECURE_HSTS_SECONDS"] >= 31536000 and prod["proxy_header"]
    assert out["behind_no_proxy"]["proxy_header"] is False  # X-Forwarded-Proto is believed only from a proxy
    for name in ["development", "embedded_demo"]:
        assert out[name].get("MEDINSURE_DEV") is True and not out[name]["SESSION_COOKIE_SECURE"], (name, out[name])
        assert out[name]["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.django_db
def test_field_keys_rotate_without_losing_old_rows(settings):
    from medinsure.core import crypto
    from supervision import selectors, services
    from supervision.models import Report

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    identity = {"reporter_name": "举报人钱七", "reporter_phone": "13812345678", "reporter_id_number": ""}
    report = services.report_submit(
        institution_id=None, subject="某药店", content="该药店用医保卡刷生活用品。", **identity
    )
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]  # rotation: the new key in front
    report = Report.objects.get(pk=report.pk)
    assert "举报人钱七" in selectors.report_identity(report).values()  # the old row stays readable
    written = crypto.encrypt_text("新行")
    assert Fernet(new_key.encode()).decrypt(written.encode()).decode() == "新行"  # new rows: the first key
    rotated = crypto.rotate_text(report.identity_encrypted)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # after re-encryption the old key can go
    assert "举报人钱七" in json.loads(crypto.decrypt_text(rotated)).values()


@pytest.mark.django_db
def test_rotate_field_keys_re_encrypts_every_encrypted_column(settings):
    from django.core.management import call_command

    from medinsure.core import crypto
    from supervision import services
    from supervision.models import Report

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    report = services.report_submit(subject="某药店", content="该药店用医保卡刷生活用品。", reporter_name="举报人钱七")
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key has left the list
    report = Report.objects.get(pk=report.pk)
    assert "举报人钱七" in json.loads(crypto.decrypt_text(report.identity_encrypted)).values()
