"""Reminder sending channels (SMS / voice), chosen by settings.ENROLLMENT_REMINDER_CHANNEL:

- ``enrollment.channels.FileChannel`` (default): appends each message as a JSON line to
  ``ENROLLMENT_REMINDER_FILE`` (default var/reminders/outbox.jsonl) and to the log — what a test or a
  bureau without a contract uses;
- ``enrollment.channels.HttpGatewayChannel``: POSTs JSON to ``ENROLLMENT_REMINDER_GATEWAY_URL`` with
  ``Authorization: Bearer ENROLLMENT_REMINDER_GATEWAY_TOKEN``; a non-2xx answer raises (retried later).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Channel:
    def send(self, *, kind: str, phone: str, text: str, message_id: int) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class FileChannel(Channel):
    def __init__(self, path: str | None = None):
        default = Path(settings.BASE_DIR) / "var" / "reminders" / "outbox.jsonl"
        self.path = Path(path or getattr(settings, "ENROLLMENT_REMINDER_FILE", "") or default)

    def send(self, *, kind, phone, text, message_id):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {"id": message_id, "kind": kind, "phone": phone, "text": text, "at": timezone.now().isoformat()},
            ensure_ascii=False,
        )
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        log.info("reminder %s %s → %s", message_id, kind, phone[:3] + "****" + phone[-4:])
        return f"file-{message_id}"


class HttpGatewayChannel(Channel):
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10):
        self.url = url or settings.ENROLLMENT_REMINDER_GATEWAY_URL
        self.token = token or getattr(settings, "ENROLLMENT_REMINDER_GATEWAY_TOKEN", "")
        self.timeout = timeout

    def send(self, *, kind, phone, text, message_id):
        body = json.dumps({"kind": kind, "phone": phone, "text": text, "client_id": str(message_id)}).encode()
        req = urllib.request.Request(self.url, data=body, method="POST", headers={"Content-Type": "application/json"})
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - URL from settings
            payload = resp.read().decode() or "{}"
        data = json.loads(payload)
        return str(data.get("id", ""))


def get_channel() -> Channel:
    path = getattr(settings, "ENROLLMENT_REMINDER_CHANNEL", "") or "enrollment.channels.FileChannel"
    return import_string(path)()
