"""Reminder sending channels (SMS / voice), chosen by the deployment's settings (environment):

- ``SMS_CHANNEL=file`` (default): ``FileChannel`` appends each message as a JSON line to
  ``SMS_OUTBOX_DIR/reminders.jsonl`` — what a test or a bureau without a contract uses;
- ``SMS_CHANNEL=console``: ``ConsoleChannel`` writes each message to the log;
- ``SMS_CHANNEL=http``: ``HttpGatewayChannel`` POSTs JSON to ``SMS_GATEWAY_URL`` with
  ``Authorization: Bearer SMS_GATEWAY_TOKEN``; a non-2xx answer raises (the message is retried later).
``ENROLLMENT_REMINDER_CHANNEL`` (a dotted path) overrides the choice, e.g. for a telecom's own client.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from abc import ABC, abstractmethod
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Channel(ABC):
    """The interface every sending channel implements: send one message, return the provider's id."""

    @abstractmethod
    def send(self, *, kind: str, phone: str, text: str, message_id: int) -> str: ...


class ConsoleChannel(Channel):
    def send(self, *, kind, phone, text, message_id):
        log.warning("reminder %s %s → %s: %s", message_id, kind, phone[:3] + "****" + phone[-4:], text)
        return f"console-{message_id}"


class FileChannel(Channel):
    def __init__(self, path: str | None = None):
        outbox = getattr(settings, "SMS_OUTBOX_DIR", None) or Path(settings.BASE_DIR) / "var" / "outbox"
        self.path = Path(path or getattr(settings, "ENROLLMENT_REMINDER_FILE", "") or Path(outbox) / "reminders.jsonl")

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
        self.url = url or getattr(settings, "ENROLLMENT_REMINDER_GATEWAY_URL", "") or settings.SMS_GATEWAY_URL
        self.token = (
            token
            or getattr(settings, "ENROLLMENT_REMINDER_GATEWAY_TOKEN", "")
            or getattr(settings, "SMS_GATEWAY_TOKEN", "")
        )
        if not self.url:
            raise RuntimeError("SMS_CHANNEL=http needs SMS_GATEWAY_URL")
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


CHANNELS = {"file": FileChannel, "console": ConsoleChannel, "http": HttpGatewayChannel}


def get_channel() -> Channel:
    path = getattr(settings, "ENROLLMENT_REMINDER_CHANNEL", "")
    if path:
        return import_string(path)()
    return CHANNELS[getattr(settings, "SMS_CHANNEL", "file") or "file"]()
