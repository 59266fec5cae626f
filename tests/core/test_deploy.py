"""The production shape: docker-compose.yml names its services and validates."""

import os
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_compose_file_has_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "beat", "postgres", "redis"}
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]


def test_compose_file_validates():
    env = {**os.environ, "DJANGO_SECRET_KEY": "x", "FIELD_ENCRYPTION_KEY": "y", "POSTGRES_PASSWORD": "z"}
    if shutil.which("docker-compose"):
        command = ["docker-compose", "-f", "docker-compose.yml", "config", "-q"]
    elif (
        shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        command = ["docker", "compose", "-f", "docker-compose.yml", "config", "-q"]
    else:  # `make test` installs Debian's docker-compose (browser-deps): a missing one is a failure, not a skip
        raise AssertionError("docker-compose is not installed (make browser-deps installs Debian's package)")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_no_secret_is_committed_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ["DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEY", "POSTGRES_PASSWORD"]:
        assert f"${{{name}:?" in text
