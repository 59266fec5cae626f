"""Reminders to pay (SMS and voice calls) and a resident's opt-out."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import selectors
from enrollment.models import Campaign, InsuranceStatus, ReminderMessage, Resident, ResidentHistory, Source
from enrollment.services._common import today
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core.bulk import linear_plan


def reminders_enqueue(*, year: int | None = None, as_of: date | None = None) -> int:
    """Put this round's reminders in the outbox for the unpaid: one statement, never twice per person and round.
    Without ``year``, the current campaign's (nothing to do when there is none)."""
    from enrollment.rules.reminders import current_round

    if year is None:
        current = selectors.current_campaign()
        if current is None:
            return 0
        year = current.year
    as_of = as_of or today()
    campaign = Campaign.objects.get(year=year)
    round_id = current_round(
        as_of,
        collection_start=campaign.collection_start,
        collection_end=campaign.collection_end,
        round_days=tuple(campaign.reminder_round_days or (0,)),
    )
    if round_id is None:
        return 0
    # the last round before the period closes is an automated voice call (人工智能语音电话), the others SMS
    rounds = tuple(campaign.reminder_round_days or (0,))
    kind = "voice" if len(rounds) > 1 and round_id.endswith(f"-R{len(rounds)}") else "sms"
    text = _(
        "【医保局】您%(year)s年度城乡居民医保尚未缴费，集中缴费期至%(end)s，逾期缴费需缴纳全额且有3个月待遇等待期。回复TD退订"
    ) % {
        "year": year,
        "end": campaign.collection_end.strftime("%m月%d日"),
    }
    # the same eligibility as rules.reminders.eligibility, as one set-based statement
    with transaction.atomic(durable=True), connection.cursor() as cur, linear_plan(cur):
        cur.execute(
            """INSERT INTO enrollment_remindermessage (campaign_id, resident_id, round_id, kind, phone, text, status, attempts,
                   last_error, provider_id, created_at)
               SELECT %(c)s, r.id, %(round)s, %(kind)s, r.phone, %(text)s, 'queued', 0, '', '', now()
               FROM enrollment_resident r
               LEFT JOIN enrollment_insurancestatus st ON st.resident_id = r.id AND st.year = %(y)s
               WHERE r.phone <> '' AND NOT r.reminder_opt_out AND r.deceased_on IS NULL AND r.moved_out_on IS NULL
                 AND (st.status IS NULL OR st.status = 'none')
               ON CONFLICT (resident_id, campaign_id, round_id, kind) DO NOTHING""",
            {"c": campaign.pk, "round": round_id, "text": text, "y": year, "kind": kind},
        )
        return cur.rowcount


def reminders_send(*, limit: int | None = None) -> dict:
    """Send due messages through the configured channel, at most ``limit`` (the rate limit per run).
    Each message is locked (SKIP LOCKED) so two workers never send the same one."""
    from enrollment.channels import get_channel
    from enrollment.rules.reminders import retry_delay_seconds

    limit = limit or int(getattr(settings, "ENROLLMENT_REMINDER_RATE_PER_RUN", 200))
    max_attempts = int(getattr(settings, "ENROLLMENT_REMINDER_MAX_ATTEMPTS", 5))
    channel = get_channel()
    now = timezone.now()
    sent = failed = 0
    due = Q(status=ReminderMessage.Status.QUEUED) | Q(status=ReminderMessage.Status.RETRY, next_attempt_at__lte=now)
    for _i in range(limit):
        with transaction.atomic():
            msg = (
                ReminderMessage.objects.select_for_update(skip_locked=True)
                .filter(due)
                .select_related("resident")
                .order_by("id")
                .first()
            )
            if msg is None:
                break
            # re-check at send time: paid since queued or opted out → drop silently
            paid = (
                InsuranceStatus.objects.filter(resident_id=msg.resident_id, year=msg.campaign.year)
                .exclude(status="none")
                .exists()
            )
            if paid or msg.resident.reminder_opt_out:
                msg.status = ReminderMessage.Status.FAILED
                msg.last_error = "paid" if paid else "opted_out"
                msg.save(update_fields=["status", "last_error"])
                continue
            msg.attempts += 1
            try:
                provider_id = channel.send(kind=msg.kind, phone=msg.phone, text=msg.text, message_id=msg.pk)
            except Exception as exc:  # the channel's failure is recorded, the message retried later
                msg.last_error = str(exc)[:300]
                if msg.attempts >= max_attempts:
                    msg.status = ReminderMessage.Status.FAILED
                else:
                    msg.status = ReminderMessage.Status.RETRY
                    msg.next_attempt_at = now + timezone.timedelta(seconds=retry_delay_seconds(msg.attempts))
                failed += 1
            else:
                msg.status = ReminderMessage.Status.SENT
                msg.provider_id = str(provider_id or "")[:64]
                msg.sent_at = timezone.now()
                msg.last_error = ""
                sent += 1
            msg.save()
    return {"sent": sent, "failed": failed}


def reminders_record_receipts(*, actor, receipts: list[dict]) -> int:
    """Delivery reports from the gateway: ``[{"provider_id", "status": delivered|failed, "error"}]``.
    Updates the outbox rows in one statement per status; an unknown id is ignored. Safe to repeat."""
    by_status: dict[str, list[str]] = {"delivered": [], "failed": []}
    errors: dict[str, str] = {}
    for r in receipts:
        status = r.get("status")
        if status not in by_status:
            raise ValidationError({"status": _("回执状态应为 delivered 或 failed")})
        by_status[status].append(str(r.get("provider_id", ""))[:64])
        if r.get("error"):
            errors[str(r["provider_id"])] = str(r["error"])[:300]
    with transaction.atomic(durable=True):
        n = (
            ReminderMessage.objects.filter(provider_id__in=by_status["delivered"], provider_id__gt="")
            .exclude(status=ReminderMessage.Status.DELIVERED)
            .update(status=ReminderMessage.Status.DELIVERED)
        )
        for m in ReminderMessage.objects.select_for_update().filter(
            provider_id__in=by_status["failed"], provider_id__gt=""
        ):
            m.status = ReminderMessage.Status.FAILED
            m.last_error = errors.get(m.provider_id, "gateway: failed")
            m.save(update_fields=["status", "last_error"])
            n += 1
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=ReminderMessage,
            summary=_("导入送达回执 %(r)s 条，更新 %(n)s 条") % {"r": len(receipts), "n": n},
        )
    return n


def resident_set_opt_out(*, actor, resident_id: int, opt_out: bool) -> Resident:
    from enrollment.access import access_resident_by_id

    with transaction.atomic(durable=True):
        r = access_resident_by_id(actor, resident_id, for_update=True)
        if r.reminder_opt_out != opt_out:
            ResidentHistory.objects.create(
                resident=r,
                source=Source.WORKER,
                actor=actor,
                field="reminder_opt_out",
                before={"reminder_opt_out": r.reminder_opt_out},
                after={"reminder_opt_out": opt_out},
            )
            r.reminder_opt_out = opt_out
            r.save(update_fields=["reminder_opt_out", "updated_at"])
            audit_log(
                actor=actor,
                verb=AuditLog.Action.CHANGE,
                obj=r,
                summary=(_("设置拒收缴费提醒") if opt_out else _("恢复接收缴费提醒")),
            )
    return r
