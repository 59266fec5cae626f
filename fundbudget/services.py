"""Every write of the fund-budget area: one transaction, row locks, an audit row, Celery on commit."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from medinsure.accounts.models import Role
from medinsure.accounts.scoping import Area, has_area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.celery import enqueue_on_commit
from medinsure.core import uploads
from medinsure.core.imports import RowError, Verdict, check_import_transition, pack

from . import importers, selectors
from .models import (
    BudgetLine,
    ExpenditureCategory,
    Fund,
    FundBudget,
    FundWarning,
    IncomeSource,
    MonthlyStatement,
    StatementImport,
    WarningNotice,
    WarningRule,
)
from .rules import warnings as wr
from .rules.execution import execution

CENT = Decimal("0.01")

# The Celery tasks this module queues, by the names fundbudget/tasks.py registers (never imported here).
EVALUATE_TASK = "fundbudget.warnings_evaluate"
REFRESH_TASK = "fundbudget.warnings_refresh"
AMOUNT_FIELDS = importers.AMOUNT_FIELDS


def _require_writer(actor) -> None:
    if not has_area(actor, Area.FUNDBUDGET):
        raise PermissionDenied


def _money(name: str, value, *, allow_negative: bool) -> Decimal:
    try:
        amount = Decimal(str(value))
    except Exception as exc:  # noqa: BLE001
        raise ValidationError({name: _("不是有效金额")}) from exc
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({name: _("金额最多两位小数")})
    if not allow_negative and amount < 0:
        raise ValidationError({name: _("不能为负数")})
    if abs(amount) >= Decimal("1e14"):
        raise ValidationError({name: _("金额过大")})
    return amount.quantize(CENT)


def _check_period(fund, year, month) -> None:
    errors = {}
    if fund not in Fund.values:
        errors["fund"] = _("基金应为 employee、resident 或 ltc")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("年度应在2000至2100之间")
    if not isinstance(month, int) or not 1 <= month <= 12:
        errors["month"] = _("月份应为1至12")
    if errors:
        raise ValidationError(errors)


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class SaveOutcome:
    statement: MonthlyStatement
    outcome: str  # "created" | "updated" | "unchanged"


def _statement_upsert(*, actor, fund, year, month, amounts: dict, source: str) -> SaveOutcome:
    """Inside a transaction: lock the row, write only if something changed, queue warnings on commit."""
    key = {"fund": fund, "year": year, "month": month}
    existing = MonthlyStatement.objects.select_for_update().filter(**key).first()
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: losing the race below must not spoil the transaction
                st = MonthlyStatement.objects.create(**key, source=source, updated_by=actor, **amounts)
            outcome = "created"
        except IntegrityError:
            # Another request created the same month meanwhile (the insert waited for it to commit):
            # lock that row and replace it like any existing statement.
            existing = MonthlyStatement.objects.select_for_update().get(**key)
    if existing is not None:
        st = existing
        if all(getattr(st, k) == v for k, v in amounts.items()):
            return SaveOutcome(st, "unchanged")
        for k, v in amounts.items():
            setattr(st, k, v)
        st.source, st.updated_by = source, actor
        st.save()
        outcome = "updated"
    audit_log(
        actor=actor,
        verb=AuditLog.Action.CHANGE,
        obj=st,
        summary=f"{outcome} {fund} {year}-{month:02d} " + " ".join(f"{k}={amounts[k]}" for k in AMOUNT_FIELDS),
    )
    enqueue_on_commit(EVALUATE_TASK, st.pk)
    # This month next year compares itself with this one.
    following = (
        MonthlyStatement.objects.filter(fund=fund, year=year + 1, month=month).values_list("pk", flat=True).first()
    )
    if following:
        enqueue_on_commit(EVALUATE_TASK, following)
    return SaveOutcome(st, outcome)


def statement_save(
    *, actor, fund: str, year: int, month: int, income_ytd, expenditure_ytd, accumulated_balance, source: str
) -> SaveOutcome:
    """Create or replace the statement of one fund and month (form, API)."""
    _require_writer(actor)
    _check_period(fund, year, month)
    amounts = {
        "income_ytd": _money("income_ytd", income_ytd, allow_negative=False),
        "expenditure_ytd": _money("expenditure_ytd", expenditure_ytd, allow_negative=False),
        "accumulated_balance": _money("accumulated_balance", accumulated_balance, allow_negative=True),
    }
    with transaction.atomic(durable=True):
        return _statement_upsert(actor=actor, fund=fund, year=year, month=month, amounts=amounts, source=source)


def statement_import_upload(*, actor, filename: str, content: bytes) -> StatementImport:
    """Validate a workbook as a whole and keep the result for preview; nothing is written to statements."""
    _require_writer(actor)
    filename = uploads.display_name(filename)
    parsed = importers.read_statement_workbook(content)
    with transaction.atomic(durable=True):
        batch = StatementImport.objects.create(
            filename=filename[:200],
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor,
            status=StatementImport.Status.PREVIEW if parsed.ok and parsed.rows else StatementImport.Status.INVALID,
            raw=content,
            checked=pack(json.dumps(parsed.rows, ensure_ascii=False).encode("utf-8")),
            errors=[
                e.as_dict()
                for e in parsed.errors or ([] if parsed.rows else [RowError(0, _("文件"), "", _("文件中没有数据行"))])
            ],
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary=f"upload {filename} rows={len(parsed.rows)} errors={len(parsed.errors)}",
        )
    return batch


def statement_import_apply(*, actor, import_id) -> StatementImport:
    """Write every row of a validated upload in one transaction; a second apply is refused."""
    _require_writer(actor)
    with transaction.atomic(durable=True):
        batch = StatementImport.objects.select_for_update().get(pk=import_id, uploaded_by=actor)
        if check_import_transition(batch.status, StatementImport.Status.ACCEPTING) != Verdict.GO:
            raise ValidationError(_("此批次已导入或有错误，不能再次导入"))
        if batch.purged_at or batch.checked is None:
            raise ValidationError(_("该文件已超过保存期限被删除，请重新上传"))
        batch.status = StatementImport.Status.ACCEPTING  # accepting → done in this one transaction
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for row in sorted(batch.rows, key=lambda r: (r["fund"], r["year"], r["month"])):
            amounts = {k: Decimal(row[k]) for k in AMOUNT_FIELDS}
            outcome = _statement_upsert(
                actor=actor,
                fund=row["fund"],
                year=row["year"],
                month=row["month"],
                amounts=amounts,
                source=MonthlyStatement.Source.IMPORT,
            )
            counts[outcome.outcome] += 1
        batch.status = StatementImport.Status.DONE
        batch.result = counts
        batch.save(update_fields=["status", "result"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=batch,
            summary="apply " + " ".join(f"{k}={v}" for k, v in counts.items()),
        )
    return batch


# ---------------------------------------------------------------- budgets


def budget_save(*, actor, fund: str, year: int, income: dict, expenditure: dict, note: str = "") -> FundBudget:
    """Create or replace a fund's yearly budget (income by source, expenditure by category)."""
    _require_writer(actor)
    _check_period(fund, year, 1)
    lines = []
    for kind, values, allowed in (
        (BudgetLine.Kind.INCOME, income, IncomeSource.values),
        (BudgetLine.Kind.EXPENDITURE, expenditure, ExpenditureCategory.values),
    ):
        for code, value in values.items():
            if code not in allowed:
                raise ValidationError({code: _("未知的预算项目")})
            if value in (None, ""):
                continue
            lines.append((kind, code, _money(code, value, allow_negative=False)))
    if not any(kind == BudgetLine.Kind.EXPENDITURE and amount > 0 for kind, _c, amount in lines):
        raise ValidationError({"expenditure": _("支出预算不能全部为空")})
    with transaction.atomic(durable=True):
        budget, created = FundBudget.objects.select_for_update().get_or_create(
            fund=fund, year=year, defaults={"note": note, "updated_by": actor}
        )
        current = {(ln.kind, ln.code, ln.amount) for ln in budget.lines.all()}
        if not created and budget.note == note and current == set(lines):
            return budget  # the same budget again: nothing to write, nothing to re-evaluate
        budget.note, budget.updated_by = note, actor
        budget.save()
        budget.lines.all().delete()
        BudgetLine.objects.bulk_create(
            [BudgetLine(budget=budget, kind=kind, code=code, amount=amount) for kind, code, amount in lines]
        )
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=budget,
            summary=f"{'create' if created else 'replace'} {fund} {year} " + " ".join(f"{c}={a}" for _k, c, a in lines),
        )
        for pk in MonthlyStatement.objects.filter(fund=fund, year=year).values_list("pk", flat=True):
            enqueue_on_commit(EVALUATE_TASK, pk)
    return budget


# ---------------------------------------------------------------- warning rules


def warning_rules_ensure_defaults() -> int:
    """Create any missing default rule (domain page thresholds); existing rules are left as edited."""
    created = 0
    with transaction.atomic():
        for rule in wr.DEFAULT_RULES:
            _obj, made = WarningRule.objects.get_or_create(
                indicator=rule.indicator,
                level=rule.level,
                defaults={"comparison": rule.comparison, "threshold": rule.threshold},
            )
            created += made
    return created


def warning_rule_update(*, actor, rule_id: int, threshold, active: bool) -> WarningRule:
    _require_writer(actor)
    amount = _money("threshold", threshold, allow_negative=True)
    with transaction.atomic(durable=True):
        rule = WarningRule.objects.select_for_update().get(pk=rule_id)
        before = (rule.threshold, rule.active)
        rule.threshold, rule.active = amount, active
        rule.save(update_fields=["threshold", "active", "updated_at"])
        audit_log(
            actor=actor,
            verb=AuditLog.Action.CHANGE,
            obj=rule,
            summary=f"{rule.indicator}/{rule.level}: {before[0]}→{amount} active {before[1]}→{active}",
        )
        # The latest year's statements are re-evaluated under the new threshold after commit.
        latest = MonthlyStatement.objects.order_by("-year").values_list("year", flat=True).first()
        if latest:
            enqueue_on_commit(REFRESH_TASK, latest)
    return rule


# ---------------------------------------------------------------- warnings


def warnings_evaluate(*, statement_id: int) -> list[FundWarning]:
    """Evaluate the active rules for one statement; update its warnings in place; notify the fund department.

    Safe to run twice: an unchanged warning is left alone and nobody is notified again.
    """
    with transaction.atomic(durable=True):
        statement = MonthlyStatement.objects.select_for_update().filter(pk=statement_id).first()
        if statement is None:
            return []
        totals, last = selectors.warning_facts(statement)
        ex = execution(selectors.rule_statement(statement), budget=totals, last_year=selectors.rule_statement(last))
        rules = [r.as_rule() for r in WarningRule.objects.filter(active=True)]
        raised = {w.indicator: w for w in wr.warnings_for(ex, rules)}
        existing = {w.indicator: w for w in statement.warnings.all()}
        statement.warnings.exclude(indicator__in=list(raised)).delete()
        to_notify = []
        kept = []
        for indicator, w in raised.items():
            row = existing.get(indicator)
            if row is None:
                row = FundWarning.objects.create(
                    statement=statement,
                    fund=statement.fund,
                    year=statement.year,
                    month=statement.month,
                    indicator=indicator,
                    value=w.value,
                    level=w.level,
                    comparison=w.comparison,
                    threshold=w.threshold,
                )
                to_notify.append(row)
            elif (row.value, row.level, row.comparison, row.threshold) != (w.value, w.level, w.comparison, w.threshold):
                level_changed = row.level != w.level
                row.value, row.level, row.comparison, row.threshold = w.value, w.level, w.comparison, w.threshold
                row.save()
                if level_changed:
                    to_notify.append(row)
            kept.append(row)
        if to_notify:
            _notify_fund_department(to_notify)
    return kept


def warnings_refresh(*, year: int | None = None) -> int:
    """Re-evaluate every statement of ``year`` and the year before (default: the current year), one
    statement per transaction (a re-run redoes them all alike); returns how many were evaluated."""
    year = year or timezone.localdate().year
    ids = list(MonthlyStatement.objects.filter(year__in=(year - 1, year)).values_list("pk", flat=True))
    for pk in ids:
        warnings_evaluate(statement_id=pk)
    return len(ids)


def _notify_fund_department(warnings: list[FundWarning]) -> None:
    from django.contrib.auth import get_user_model

    recipients = list(get_user_model().objects.filter(role=Role.FUND, is_active=True).values_list("pk", flat=True))
    WarningNotice.objects.bulk_create(
        [WarningNotice(recipient_id=uid, warning=w, level=w.level) for w in warnings for uid in recipients],
        ignore_conflicts=True,
    )


def notice_mark_read(*, actor, notice_ids: list[int] | None = None) -> int:
    """Mark the actor's own notices read (all unread ones without ids)."""
    with transaction.atomic(durable=True):
        qs = WarningNotice.objects.filter(recipient=actor, read_at__isnull=True)
        if notice_ids is not None:
            qs = qs.filter(pk__in=notice_ids)
        return qs.update(read_at=timezone.now())
