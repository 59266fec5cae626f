"""The HTTP gateway channel against a real local HTTP server; the last round is a voice call; the demo
loader and seed_demo are idempotent."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command

from enrollment import services
from enrollment.models import InsuranceStatus, ReminderMessage
from tests.enrollment.factories import ResidentFactory, make_campaign

pytestmark = pytest.mark.django_db


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    fail = False

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Gateway.received.append((self.headers.get("Authorization"), body))
        if Gateway.fail:
            self.send_response(503)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps({"id": f"gw-{body['client_id']}"}).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Gateway.received = []
    Gateway.fail = False
    settings.SMS_CHANNEL = "http"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"
    yield Gateway
    server.shutdown()


def test_http_gateway_delivers_and_failures_are_retried(divisions, gateway):
    camp = make_campaign(2025, rounds=(0, 30, 60))
    r = ResidentFactory(hukou_division=divisions.village_a1, phone="13700001111")
    assert services.reminders_enqueue(year=2025, as_of=camp.collection_start) == 1
    assert services.reminders_send() == {"sent": 1, "failed": 0}
    auth, body = gateway.received[0]
    assert auth == "Bearer secret-token" and body["phone"] == "13700001111" and body["kind"] == "sms"
    m = ReminderMessage.objects.get()
    assert (m.status, m.provider_id) == ("sent", f"gw-{m.pk}")
    gateway.fail = True
    services.reminders_enqueue(year=2025, as_of=camp.collection_start + timedelta(days=61))
    last = ReminderMessage.objects.get(round_id="2024-R3")
    assert last.kind == "voice"  # the last round is an automated voice call
    assert services.reminders_send() == {"sent": 0, "failed": 1}
    last.refresh_from_db()
    assert last.status == "retry" and "503" in last.last_error
    # paid meanwhile: the retry is dropped, not sent
    InsuranceStatus.objects.create(resident=r, year=2025, status="tier1", source="tax", status_date=camp.collection_end)
    ReminderMessage.objects.filter(pk=last.pk).update(next_attempt_at=last.next_attempt_at - timedelta(hours=1))
    gateway.fail = False
    services.reminders_send()
    last.refresh_from_db()
    assert (last.status, last.last_error) == ("failed", "paid") and len(gateway.received) == 2


def test_reminder_summary_api_is_scoped(divisions, make_user, api_as):
    camp = make_campaign(2025, rounds=(0, 30))
    ResidentFactory(hukou_division=divisions.village_a1)
    ResidentFactory(hukou_division=divisions.village_b1)
    services.reminders_enqueue(year=2025, as_of=camp.collection_start)
    rows = api_as(make_user("enrollment")).get("/api/v1/enrollment/reminders/summary/").json()
    assert rows == [{"round_id": "2024-R1", "kind": "sms", "status": "queued", "count": 2}]
    own = api_as(make_user("township", divisions.town_b)).get("/api/v1/enrollment/reminders/summary/").json()
    assert own == [{"round_id": "2024-R1", "kind": "sms", "status": "queued", "count": 1}]


def test_demo_loader_is_idempotent_and_seed_demo_grows_the_registry():
    from enrollment import demo
    from enrollment.models import GuidelineTask, MobilisationTask, Payment, ProgressDaily, Resident
    from medinsure.core import demo as core_demo

    core_demo.load()
    demo.load()
    counts = (
        Resident.objects.count(),
        Payment.objects.count(),
        MobilisationTask.objects.count(),
        GuidelineTask.objects.count(),
        ProgressDaily.objects.count(),
    )
    assert counts[0] == demo.DEFAULT_RESIDENTS and all(counts)
    demo.load()
    assert counts == (
        Resident.objects.count(),
        Payment.objects.count(),
        MobilisationTask.objects.count(),
        GuidelineTask.objects.count(),
        ProgressDaily.objects.count(),
    )
    call_command("seed_demo", "--residents", "4000")
    assert Resident.objects.count() == 4000
    pay = Payment.objects.count()
    call_command("seed_demo", "--residents", "4000")
    assert Resident.objects.count() == 4000 and Payment.objects.count() == pay
    # the demo village worker has a list, the township tasks add up to the district's resident total
    assert MobilisationTask.objects.filter(assignee__username="village").exists()
    from enrollment.models import Campaign

    camp = Campaign.objects.get(year=2025)
    assert sum(GuidelineTask.objects.filter(campaign=camp).values_list("task", flat=True)) == camp.township_total


def test_gateway_delivery_receipts(divisions, make_user, api_as, gateway):
    camp = make_campaign(2025, rounds=(0, 30))
    ResidentFactory(hukou_division=divisions.village_a1)
    ResidentFactory(hukou_division=divisions.village_b1)
    services.reminders_enqueue(year=2025, as_of=camp.collection_start)
    services.reminders_send()
    ids = list(ReminderMessage.objects.order_by("id").values_list("provider_id", flat=True))
    body = [
        {"provider_id": ids[0], "status": "delivered"},
        {"provider_id": ids[1], "status": "failed", "error": "空号"},
        {"provider_id": "unknown", "status": "delivered"},
    ]
    assert (
        api_as(make_user("township", divisions.town_a))
        .post("/api/v1/enrollment/reminders/receipts/", body, format="json")
        .status_code
        == 403
    )
    gw = api_as(make_user("api_client"))
    r = gw.post("/api/v1/enrollment/reminders/receipts/", body, format="json")
    assert r.status_code == 200 and r.json() == {"updated": 2}
    assert list(ReminderMessage.objects.order_by("id").values_list("status", "last_error")) == [
        ("delivered", ""),
        ("failed", "空号"),
    ]
    assert (
        gw.post(
            "/api/v1/enrollment/reminders/receipts/", [{"provider_id": "x", "status": "lost"}], format="json"
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    "name, cls", [("file", "FileChannel"), ("console", "ConsoleChannel"), ("http", "HttpGatewayChannel")]
)
def test_channel_chosen_by_settings(settings, name, cls):
    from enrollment import channels

    settings.SMS_CHANNEL = name
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    assert type(channels.get_channel()).__name__ == cls
    settings.ENROLLMENT_REMINDER_CHANNEL = "enrollment.channels.ConsoleChannel"
    assert type(channels.get_channel()).__name__ == "ConsoleChannel"
    assert channels.ConsoleChannel().send(kind="sms", phone="13800001111", text="x", message_id=1) == "console-1"
