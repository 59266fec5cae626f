"""Every write of the claims app: one transaction each, row locks for read-check-write, an audit
row, Celery work queued on commit. Amounts always come from the engine (claims.rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from claims import selectors
from claims.models import (
    Policy,
    PolicyVersion,
    Recalculation,
    RecalculationChunk,
    RecalculationDiff,
    Settlement,
    SettlementImport,
)
from claims.policies import digest, normalise, read_policy_file, shipped_codes
from claims.rules import PolicyError, parse_policy
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.core import uploads
from medinsure.core.figures_cache import bump_on_commit


# --- policies ---------------------------------------------------------------------------------
def _policy_version_write(*, actor, document: dict, note: str = "") -> tuple[PolicyVersion, bool]:
    parsed = parse_policy(document)  # raises PolicyError naming the keys
    doc = normalise(document)
    doc_digest = digest(doc)
    policy, created = Policy.objects.select_for_update().get_or_create(
        code=parsed.code,
        defaults={"name": parsed.name, "scheme": parsed.scheme, "year": parsed.year, "partial": parsed.partial},
    )
    if not created:
        policy = Policy.objects.select_for_update().get(pk=policy.pk)
    current = policy.versions.order_by("-number").first()
    if current is not None and current.digest == doc_digest:
        return current, False
    Policy.objects.filter(pk=policy.pk).update(
        name=parsed.name, scheme=parsed.scheme, year=parsed.year, partial=parsed.partial
    )
    version = PolicyVersion.objects.create(
        policy=policy,
        number=(current.number + 1) if current else 1,
        document=doc,
        digest=doc_digest,
        note=note[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(
        actor=actor,
        action=AuditLog.Action.CHANGE,
        object_type="claims.PolicyVersion",
        object_id=version.pk,
        summary=_("报销政策 %(code)s 新版本 v%(n)s：%(note)s")
        % {"code": policy.code, "n": version.number, "note": note},
    )
    return version, True


def policy_version_create(*, actor, document: dict, note: str = "") -> tuple[PolicyVersion, bool]:
    """Store a policy document as a new version (validated like the schema). The same document as
    the current version changes nothing and returns (current, False)."""
    with transaction.atomic(durable=True):
        return _policy_version_write(actor=actor, document=document, note=note)


def policies_load_files(*, actor=None, codes: list[str] | None = None) -> dict:
    """Load the shipped policy files (all, or ``codes``); unchanged files make no new version."""
    result = {"created": [], "unchanged": [], "errors": {}}
    for code in codes or shipped_codes():
        try:
            version, created = policy_version_create(
                actor=actor, document=read_policy_file(code), note=_("从政策文件 %(code)s.yaml 载入") % {"code": code}
            )
        except PolicyError as exc:
            result["errors"][code] = exc.render(_)
            continue
        (result["created"] if created else result["unchanged"]).append(f"{code} v{version.number}")
    return result


# --- statistics -------------------------------------------------------------------------------
def monthly_stats_refresh(*, year: int) -> int:
    """Rebuild the pre-aggregated monthly figures of ``year`` from the settlements (one statement)."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    with transaction.atomic():
        bump_on_commit(selectors.FIGURES)  # the cached statistics (selectors.settlement_stats)
        with connection.cursor() as cur:
            cur.execute("DELETE FROM claims_monthlystat WHERE year = %s", [year])
            cur.execute(
                """
                INSERT INTO claims_monthlystat (year, month, scheme, kind, hospital_level, township_code,
                    settlements, persons, total_cost, in_scope_cost, fund_paid, critical_paid)
                SELECT %s, EXTRACT(MONTH FROM s.settled_on)::int, s.scheme, s.kind, s.hospital_level,
                       COALESCE(SUBSTRING(d.code, 1, 9) || '000', ''),
                       COUNT(*), COUNT(DISTINCT s.id_number), SUM(s.total_cost), SUM(s.in_scope_cost),
                       SUM(s.fund_paid), SUM(s.critical_paid)
                FROM claims_settlement s LEFT JOIN regions_division d ON d.id = s.division_id
                WHERE s.settled_on >= %s AND s.settled_on < %s
                GROUP BY 2, 3, 4, 5, 6
                """,
                [year, start, end],
            )
            return cur.rowcount


# --- settlement import ----------------------------------------------------------------------------
def _parsed_visit(p):
    from claims.rules import Visit

    f = p.fields
    in_scope = sum((i["amount"] for i in p.lines if i["category"] != "self"), Decimal(0))
    return Visit(
        visit_id=f"{f['settled_on']:%Y%m%d}-{f['institution'].pk:08d}-{p.number}",
        person_id=f["id_number"],
        date=f["settled_on"],
        kind=f["kind"],
        hospital_level=f["hospital_level"],
        in_scope_cost=in_scope,
        essential_drug_cost=f["essential_drug_cost"],
        disease=f["disease"],
        third_party=f["third_party"],
        group=f["group"],
        employment=f["employment"],
        continuous_years=f["continuous_years"],
        tier=f["tier"],
        poor=f["poor"],
    )


def _settle_new(policy: Policy, engine_policy, parsed: list) -> dict:
    """Engine results for new settlements, settled together with the same persons' stored ones of
    the year (their running totals count)."""
    from claims.calculation import settlement_visit
    from claims.rules import settle
    from claims.selectors import person_year_settlements

    new_visits = [_parsed_visit(p) for p in parsed]
    existing = person_year_settlements(id_numbers={v.person_id for v in new_visits}, year=policy.year, policy=policy)
    old_visits = [settlement_visit(s) for s in existing.select_related(None)]
    results = settle(engine_policy, old_visits + new_visits)
    return dict(zip([v.visit_id for v in new_visits], results[len(old_visits) :], strict=True)), new_visits


SETTLEMENT_COPY_COLUMNS = (
    "id",
    "number",
    "institution_id",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "division_id",
    "scheme",
    "kind",
    "hospital_level",
    "admitted_on",
    "discharged_on",
    "settled_on",
    "essential_drug_cost",
    "disease",
    "third_party",
    "group",
    "employment",
    "continuous_years",
    "tier",
    "poor",
    "total_cost",
    "in_scope_cost",
    "deductible",
    "fund_paid",
    "critical_paid",
    "personal_paid",
    "relief_paid",
    "policy_version_id",
    "explanation",
    "import_batch_id",
    "created_at",
    "updated_at",
)
_LINE_COLUMNS = ("settlement_id", "item_code", "item_name", "category", "quantity", "price", "amount", "charged_on")


def _copy(table: str, columns, rows) -> None:
    """COPY rows into a table (inside the caller's transaction)."""
    import csv
    import io

    def cell(v):
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        return v

    buf = io.StringIO()
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow([cell(v) for v in r])
    buf.seek(0)
    cols = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        cur.cursor.copy_expert(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buf)


def _copy_settlements(rows: list, parsed: list) -> list:
    """Write settlements and their line items with COPY (ids drawn from the table's sequence first)."""
    import json

    from django.utils import timezone

    if not rows:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence('claims_settlement', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [r[0] for r in cur.fetchall()]
    now = timezone.now().isoformat()
    settlement_rows, line_rows = [], []
    for pk, s, p in zip(ids, rows, parsed, strict=True):
        s.pk = s.id = pk
        settlement_rows.append(
            [
                pk,
                s.number,
                s.institution_id,
                s.id_number,
                s.name,
                s.sex,
                s.birth_date,
                s.division_id,
                s.scheme,
                s.kind,
                s.hospital_level,
                s.admitted_on,
                s.discharged_on,
                s.settled_on,
                s.essential_drug_cost,
                s.disease,
                s.third_party,
                s.group,
                s.employment,
                s.continuous_years,
                s.tier,
                s.poor,
                s.total_cost,
                s.in_scope_cost,
                s.deductible,
                s.fund_paid,
                s.critical_paid,
                s.personal_paid,
                s.relief_paid,
                s.policy_version_id,
                json.dumps(s.explanation, ensure_ascii=False),
                s.import_batch_id,
                now,
                now,
            ]
        )
        for item in p.lines:
            line_rows.append(
                [
                    pk,
                    item["item_code"],
                    item["item_name"],
                    item["category"],
                    item["quantity"],
                    item["price"],
                    item["amount"],
                    item["charged_on"],
                ]
            )
    _copy("claims_settlement", SETTLEMENT_COPY_COLUMNS, settlement_rows)
    _copy("claims_settlementline", _LINE_COLUMNS, line_rows)
    return rows


def settlement_import_create(*, actor, policy: Policy, file_name: str, content: bytes) -> SettlementImport:
    """Validate an uploaded file as a whole and keep it for preview (nothing else is written)."""
    from claims.importers import parse_settlement_file
    from claims.policies import parsed_version

    file_name = uploads.display_name(file_name)
    parsed = parse_settlement_file(content, file_name, policy_scheme=policy.scheme, policy_year=policy.year)
    version = policy.versions.order_by("-number").first()
    summary: dict = {}
    status = SettlementImport.Status.INVALID if parsed.errors else SettlementImport.Status.PREVIEW
    if not parsed.errors and version is not None:
        existing = set(
            Settlement.objects.filter(number__in=[p.number for p in parsed.settlements]).values_list(
                "institution__code", "number"
            )
        )
        fresh = [p for p in parsed.settlements if (p.fields["institution"].code, p.number) not in existing]
        results, visits = _settle_new(policy, parsed_version(version), fresh)
        totals = {
            "in_scope_cost": Decimal(0),
            "fund_paid": Decimal(0),
            "critical_paid": Decimal(0),
            "personal_paid": Decimal(0),
        }
        sample = []
        for p, v in zip(fresh, visits, strict=True):
            r = results[v.visit_id]
            totals["in_scope_cost"] += v.in_scope_cost
            totals["fund_paid"] += r.fund_paid
            totals["critical_paid"] += r.critical_paid
            totals["personal_paid"] += r.personal_paid
            if len(sample) < 20:
                sample.append(
                    {
                        "number": p.number,
                        "name": p.fields["name"],
                        "kind": p.fields["kind"],
                        "in_scope_cost": str(v.in_scope_cost),
                        "deductible": str(r.deductible),
                        "fund_paid": str(r.fund_paid),
                        "critical_paid": str(r.critical_paid),
                        "personal_paid": str(r.personal_paid),
                    }
                )
        summary = {
            "new": len(fresh),
            "existing": len(parsed.settlements) - len(fresh),
            "version": version.number,
            "totals": {k: str(v) for k, v in totals.items()},
            "sample": sample,
        }
    elif version is None:
        parsed.errors.append({"line": 0, "column": "", "message": _("所选政策尚未载入数据库")})
        status = SettlementImport.Status.INVALID
    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.create(
            file_name=file_name[:200],
            content=content,
            policy=policy,
            status=status,
            rows=parsed.rows,
            settlement_count=len(parsed.settlements),
            errors=parsed.errors[:5000],
            summary=summary,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="claims.SettlementImport",
            object_id=batch.pk,
            summary=_("上传结算单文件 %(f)s：%(n)s 行，%(e)s 处错误")
            % {"f": file_name, "n": parsed.rows, "e": len(parsed.errors)},
        )
    return batch


def settlement_import_accept(*, actor, import_id) -> SettlementImport:
    """Staff accept a clean preview: the bulk write is queued (imports queue) with a progress job."""
    from claims.tasks import settlement_import_apply_task
    from medinsure.celery import enqueue_on_commit
    from medinsure.jobs.services import job_create

    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.select_for_update().get(pk=import_id)
        if batch.status != SettlementImport.Status.PREVIEW:
            raise ValueError(_("该导入批次当前状态为“%(s)s”，不能确认写入") % {"s": batch.get_status_display()})
        _refuse_during_recalculation(batch.policy_id)
        job = job_create(
            actor=actor,
            kind="claims.import",
            title=_("写入结算单 %(f)s") % {"f": batch.file_name},
            total=batch.settlement_count,
        )
        batch.status = SettlementImport.Status.QUEUED
        batch.job = job
        batch.save(update_fields=["status", "job"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="claims.SettlementImport",
            object_id=batch.pk,
            summary=_("确认写入结算单文件 %(f)s") % {"f": batch.file_name},
        )
        enqueue_on_commit(settlement_import_apply_task, str(batch.pk), job=job)
    return batch


def settlement_import_apply(*, import_id) -> dict:
    """Write an accepted import in one transaction (bulk). Safe to run twice: a finished batch is
    left alone and settlements already stored (same institution and number) are skipped."""
    from claims.importers import parse_settlement_file
    from claims.policies import parsed_version
    from medinsure.jobs.services import job_fail, job_finish, job_progress

    with transaction.atomic(durable=True):
        batch = SettlementImport.objects.select_for_update().select_related("policy").get(pk=import_id)
        if batch.status == SettlementImport.Status.DONE:
            return {"created": batch.created, "skipped": batch.skipped}
        policy = Policy.objects.select_for_update().get(pk=batch.policy_id)  # one import per policy at a time
        _refuse_during_recalculation(policy.pk)
        version = policy.versions.order_by("-number").first()
        parsed = parse_settlement_file(
            bytes(batch.content), batch.file_name, policy_scheme=policy.scheme, policy_year=policy.year
        )
        if parsed.errors:
            batch.status = SettlementImport.Status.FAILED
            batch.errors = parsed.errors[:5000]
            batch.save(update_fields=["status", "errors"])
            if batch.job_id:
                job_fail(batch.job_id, message=_("文件校验未通过"))
            return {"created": 0, "skipped": 0}
        existing = set(
            Settlement.objects.filter(number__in=[p.number for p in parsed.settlements]).values_list(
                "institution__code", "number"
            )
        )
        fresh = [p for p in parsed.settlements if (p.fields["institution"].code, p.number) not in existing]
        results, visits = _settle_new(policy, parsed_version(version), fresh)
        rows = []
        for p, v in zip(fresh, visits, strict=True):
            r = results[v.visit_id]
            f = p.fields
            rows.append(
                Settlement(
                    number=p.number,
                    institution=f["institution"],
                    id_number=f["id_number"],
                    name=f["name"],
                    sex=f["sex"],
                    birth_date=f["birth_date"],
                    division=f["division"],
                    scheme=f["scheme"],
                    kind=f["kind"],
                    hospital_level=f["hospital_level"],
                    admitted_on=f["admitted_on"],
                    discharged_on=f["discharged_on"],
                    settled_on=f["settled_on"],
                    essential_drug_cost=f["essential_drug_cost"],
                    disease=f["disease"],
                    third_party=f["third_party"],
                    group=f["group"],
                    employment=f["employment"],
                    continuous_years=f["continuous_years"],
                    tier=f["tier"],
                    poor=f["poor"],
                    total_cost=sum((i["amount"] for i in p.lines), Decimal(0)),
                    in_scope_cost=v.in_scope_cost,
                    deductible=r.deductible,
                    fund_paid=r.fund_paid,
                    critical_paid=r.critical_paid,
                    personal_paid=r.personal_paid,
                    relief_paid=r.relief_paid,
                    policy_version=version,
                    explanation=r.explanation_json(),
                    import_batch=batch,
                )
            )
        created = _copy_settlements(rows, fresh)
        batch.status = SettlementImport.Status.DONE
        batch.created = len(created)
        batch.skipped = len(parsed.settlements) - len(created)
        batch.save(update_fields=["status", "created", "skipped"])
        monthly_stats_refresh(year=policy.year)
        audit_log(
            actor=batch.created_by,
            action=AuditLog.Action.CHANGE,
            object_type="claims.SettlementImport",
            object_id=batch.pk,
            summary=_("写入结算单 %(n)s 张，跳过已存在 %(s)s 张") % {"n": batch.created, "s": batch.skipped},
        )
        if batch.job_id:
            job_progress(batch.job_id, done=len(created), total=len(parsed.settlements))
    if batch.job_id:
        job_finish(
            batch.job_id,
            result={"created": batch.created, "skipped": batch.skipped},
            message=_("新增 %(n)s 张，跳过 %(s)s 张") % {"n": batch.created, "s": batch.skipped},
        )
    return {"created": batch.created, "skipped": batch.skipped}


def _refuse_during_recalculation(policy_id: int) -> None:
    """New settlements would not be in an open difference report: wait until it is applied."""
    if Recalculation.objects.filter(
        policy_version__policy_id=policy_id,
        status__in=[Recalculation.Status.COMPUTING, Recalculation.Status.READY, Recalculation.Status.APPROVED],
    ).exists():
        raise ValueError(_("该政策有尚未完成的批量重算，请在应用或放弃后再导入结算单"))


def settlement_import_failed(*, import_id, message: str) -> None:
    from medinsure.jobs.services import job_fail

    batch = SettlementImport.objects.filter(pk=import_id).first()
    if batch is None or batch.status == SettlementImport.Status.DONE:
        return
    SettlementImport.objects.filter(pk=import_id).update(status=SettlementImport.Status.FAILED)
    if batch.job_id:
        job_fail(batch.job_id, message=message)


# --- batch recalculation -------------------------------------------------------------------------
CHUNK_PERSONS = int(getattr(settings, "CLAIMS_RECALC_CHUNK_PERSONS", 5000))
_FIELDS = (
    "id",
    "number",
    "institution_id",
    "id_number",
    "settled_on",
    "kind",
    "hospital_level",
    "in_scope_cost",
    "essential_drug_cost",
    "disease",
    "third_party",
    "group",
    "employment",
    "continuous_years",
    "tier",
    "poor",
    "deductible",
    "fund_paid",
    "critical_paid",
    "relief_paid",
)


def recalculation_start(*, actor, version: PolicyVersion, year: int) -> Recalculation:
    """Start a recalculation of ``year``'s settlements of the version's policy: first a difference
    report (Celery, engine queue, progress job), which staff approve before it is applied."""
    from claims.tasks import recalculation_compute_task
    from medinsure.celery import enqueue_on_commit
    from medinsure.jobs.services import job_create

    with transaction.atomic(durable=True):
        Policy.objects.select_for_update().get(pk=version.policy_id)
        running = Recalculation.objects.filter(
            policy_version__policy_id=version.policy_id,
            year=year,
            status__in=[Recalculation.Status.COMPUTING, Recalculation.Status.APPROVED],
        )
        if running.exists():
            raise ValueError(_("该政策 %(y)s 年度已有进行中的批量重算") % {"y": year})
        job = job_create(
            actor=actor,
            kind="claims.recalculation",
            title=_("重算 %(y)s 年度结算单（%(v)s）") % {"y": year, "v": version},
        )
        rc = Recalculation.objects.create(
            policy_version=version,
            year=year,
            job=job,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="claims.Recalculation",
            object_id=rc.pk,
            summary=_("发起批量重算：%(v)s，%(y)s 年度") % {"v": version, "y": year},
        )
        enqueue_on_commit(recalculation_compute_task, str(rc.pk), job=job)
    return rc


def _year_settlements(rc: Recalculation):
    return Settlement.objects.filter(
        policy_version__policy_id=rc.policy_version.policy_id,
        settled_on__gte=date(rc.year, 1, 1),
        settled_on__lt=date(rc.year + 1, 1, 1),
    )


def _chunk_rows(rc: Recalculation, index: int, *, lock: bool = False):
    b = rc.boundaries
    rows = _year_settlements(rc).filter(id_number__gte=b[index])
    if index + 1 < len(b):
        rows = rows.filter(id_number__lt=b[index + 1])
    if lock:
        rows = rows.select_for_update(of=("self",))
    return list(rows.order_by("id").values_list(*_FIELDS))


def _visit(row):
    from claims.rules import Visit

    (_id, number, inst, idn, settled, kind, level, cost, ess, disease, third, group, emp, years, tier, poor, *_rest) = (
        row
    )
    return Visit(
        visit_id=f"{settled:%Y%m%d}-{inst:08d}-{number}",
        person_id=idn,
        date=settled,
        kind=kind,
        hospital_level=level,
        in_scope_cost=cost,
        essential_drug_cost=ess,
        disease=disease,
        third_party=third,
        group=group,
        employment=emp,
        continuous_years=years,
        tier=tier,
        poor=poor,
    )


def _recompute(rc: Recalculation, rows, *, explain: bool = True):
    from claims.policies import parsed_version
    from claims.rules import settle

    return settle(parsed_version(rc.policy_version), [_visit(r) for r in rows], explain=explain)


def _boundaries(rc: Recalculation) -> list[str]:
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT id_number FROM (
                SELECT id_number, ROW_NUMBER() OVER (ORDER BY id_number) - 1 AS n
                FROM (SELECT DISTINCT s.id_number FROM claims_settlement s
                      JOIN claims_policyversion v ON v.id = s.policy_version_id
                      WHERE v.policy_id = %s AND s.settled_on >= %s AND s.settled_on < %s) persons
            ) numbered WHERE n %% %s = 0 ORDER BY id_number
            """,
            [rc.policy_version.policy_id, date(rc.year, 1, 1), date(rc.year + 1, 1, 1), CHUNK_PERSONS],
        )
        found = [row[0] for row in cur.fetchall()]
    return [""] + found[1:] if found else [""]


def _compute_chunk(rc: Recalculation, index: int) -> int:
    """Compute one chunk's differences in one transaction (replacing any earlier attempt)."""
    with transaction.atomic():
        chunk = RecalculationChunk.objects.select_for_update().get(recalculation=rc, index=index)
        if chunk.computed:
            return 0
        rows = _chunk_rows(rc, index)
        results = _recompute(rc, rows, explain=False)  # the report needs the figures only
        RecalculationDiff.objects.filter(recalculation=rc, chunk=index).delete()
        diffs, totals = [], {}
        for row, r in zip(rows, results, strict=True):
            sid, level = row[0], row[6]
            old_ded, old_fund, old_crit = row[16], row[17], row[18]
            t = totals.setdefault(
                str(level),
                {
                    "count": 0,
                    "old_fund": "0",
                    "new_fund": "0",
                    "old_critical": "0",
                    "new_critical": "0",
                    "more": 0,
                    "less": 0,
                },
            )
            t["count"] += 1
            t["old_fund"] = str(Decimal(t["old_fund"]) + old_fund)
            t["new_fund"] = str(Decimal(t["new_fund"]) + r.fund_paid)
            t["old_critical"] = str(Decimal(t["old_critical"]) + old_crit)
            t["new_critical"] = str(Decimal(t["new_critical"]) + r.critical_paid)
            if (old_ded, old_fund, old_crit) != (r.deductible, r.fund_paid, r.critical_paid):
                delta = (r.fund_paid + r.critical_paid) - (old_fund + old_crit)
                t["more" if delta > 0 else "less"] += 1 if delta else 0
                diffs.append(
                    RecalculationDiff(
                        recalculation=rc,
                        chunk=index,
                        settlement_id=sid,
                        hospital_level=level,
                        old_deductible=old_ded,
                        old_fund_paid=old_fund,
                        old_critical_paid=old_crit,
                        new_deductible=r.deductible,
                        new_fund_paid=r.fund_paid,
                        new_critical_paid=r.critical_paid,
                        delta=delta,
                    )
                )
        RecalculationDiff.objects.bulk_create(diffs, batch_size=5000)
        chunk.computed = True
        chunk.totals = totals
        chunk.save(update_fields=["computed", "totals"])
        return len(rows)


def _sum_totals(chunks) -> dict:
    levels: dict = {}
    for c in chunks:
        for level, t in c.totals.items():
            cur = levels.setdefault(
                level,
                {
                    "count": 0,
                    "old_fund": Decimal(0),
                    "new_fund": Decimal(0),
                    "old_critical": Decimal(0),
                    "new_critical": Decimal(0),
                    "more": 0,
                    "less": 0,
                },
            )
            for k in ("count", "more", "less"):
                cur[k] += t[k]
            for k in ("old_fund", "new_fund", "old_critical", "new_critical"):
                cur[k] += Decimal(t[k])
    out = {}
    for level in sorted(levels):
        t = levels[level]
        out[level] = {
            **{k: (str(v) if isinstance(v, Decimal) else v) for k, v in t.items()},
            "delta": str(t["new_fund"] + t["new_critical"] - t["old_fund"] - t["old_critical"]),
        }
    total = {
        "count": 0,
        "more": 0,
        "less": 0,
        "old_fund": Decimal(0),
        "new_fund": Decimal(0),
        "old_critical": Decimal(0),
        "new_critical": Decimal(0),
    }
    for t in levels.values():
        for k in total:
            total[k] += t[k]
    total["delta"] = total["new_fund"] + total["new_critical"] - total["old_fund"] - total["old_critical"]
    return {"levels": out, "total": {k: (str(v) if isinstance(v, Decimal) else v) for k, v in total.items()}}


def recalculation_compute(*, recalculation_id) -> dict:
    """Compute the difference report chunk by chunk. Each chunk commits on its own; a re-run (or a
    re-delivery after a worker died) skips computed chunks and redoes the rest, so the report is the
    same whatever happened."""
    from medinsure.jobs.services import job_finish, job_progress

    rc = Recalculation.objects.select_related("policy_version").get(pk=recalculation_id)
    if rc.status != Recalculation.Status.COMPUTING:
        return rc.totals
    if not rc.boundaries:
        with transaction.atomic():
            rc = Recalculation.objects.select_for_update().select_related("policy_version").get(pk=rc.pk)
            if not rc.boundaries:
                rc.boundaries = _boundaries(rc)
                rc.save(update_fields=["boundaries"])
                RecalculationChunk.objects.bulk_create(
                    [RecalculationChunk(recalculation=rc, index=i) for i in range(len(rc.boundaries))],
                    ignore_conflicts=True,
                )
    total = _year_settlements(rc).count()
    done_chunks = set(rc.chunks.filter(computed=True).values_list("index", flat=True))
    done = 0
    for chunk in rc.chunks.filter(computed=True):
        done += sum(t["count"] for t in chunk.totals.values())
    if rc.job_id:
        job_progress(rc.job_id, done=done, total=total)
    for index in range(len(rc.boundaries)):
        if index in done_chunks:
            continue
        done += _compute_chunk(rc, index)
        if rc.job_id:
            job_progress(rc.job_id, done=done, total=total)
    with transaction.atomic():
        rc = Recalculation.objects.select_for_update().get(pk=rc.pk)
        if rc.status != Recalculation.Status.COMPUTING:
            return rc.totals
        rc.totals = _sum_totals(rc.chunks.all())
        rc.status = Recalculation.Status.READY
        rc.save(update_fields=["totals", "status"])
    if rc.job_id:
        job_finish(rc.job_id, result=rc.totals["total"], message=_("差异报告已生成，待审批"))
    return rc.totals


def recalculation_approve(*, actor, recalculation_id) -> Recalculation:
    """Staff approve a ready difference report; applying it is queued with its own progress job."""
    from django.utils import timezone

    from claims.tasks import recalculation_apply_task
    from medinsure.celery import enqueue_on_commit
    from medinsure.jobs.services import job_create

    with transaction.atomic(durable=True):
        rc = Recalculation.objects.select_for_update().select_related("policy_version").get(pk=recalculation_id)
        if rc.status != Recalculation.Status.READY:
            raise ValueError(_("只有“待审批”的批量重算可以批准（当前：%(s)s）") % {"s": rc.get_status_display()})
        rc.status = Recalculation.Status.APPROVED
        rc.approved_by = actor
        rc.approved_at = timezone.now()
        rc.apply_job = job_create(
            actor=actor,
            kind="claims.recalculation_apply",
            title=_("应用批量重算 %(y)s 年度（%(v)s）") % {"y": rc.year, "v": rc.policy_version},
            total=int(rc.totals.get("total", {}).get("count", 0)),
        )
        rc.save(update_fields=["status", "approved_by", "approved_at", "apply_job"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="claims.Recalculation",
            object_id=rc.pk,
            summary=_("批准批量重算：%(v)s，%(y)s 年度，待遇变化 %(d)s 元")
            % {"v": rc.policy_version, "y": rc.year, "d": rc.totals.get("total", {}).get("delta", "0")},
        )
        enqueue_on_commit(recalculation_apply_task, str(rc.pk), job=rc.apply_job)
    return rc


def _apply_chunk(rc: Recalculation, index: int) -> int:
    """Write one chunk's new figures, checking them against the approved report first."""
    import json

    with transaction.atomic():
        chunk = RecalculationChunk.objects.select_for_update().get(recalculation=rc, index=index)
        if chunk.applied:
            return 0
        rows = _chunk_rows(rc, index, lock=True)
        results = _recompute(rc, rows)
        approved = {
            d[0]: d[1:]
            for d in RecalculationDiff.objects.filter(recalculation=rc, chunk=index).values_list(
                "settlement_id", "new_deductible", "new_fund_paid", "new_critical_paid"
            )
        }
        values = []
        for row, r in zip(rows, results, strict=True):
            expected = approved.get(row[0], (row[16], row[17], row[18]))
            if (r.deductible, r.fund_paid, r.critical_paid) != tuple(expected):
                raise RuntimeError(_("结算单 %(n)s 在生成差异报告后发生了变化，请重新发起批量重算") % {"n": row[1]})
            values.append(
                (
                    row[0],
                    r.deductible,
                    r.fund_paid,
                    r.critical_paid,
                    r.personal_paid,
                    r.relief_paid,
                    json.dumps(r.explanation_json(), ensure_ascii=False),
                    rc.policy_version_id,
                )
            )
        if values:
            # COPY the new figures into a session-private table, then one UPDATE joins them in
            with connection.cursor() as cur:
                cur.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS claims_apply_tmp (id bigint PRIMARY KEY, d numeric, "
                    "f numeric, c numeric, p numeric, r numeric, e jsonb, pv bigint)"
                )
                cur.execute("DELETE FROM claims_apply_tmp")
            _copy("claims_apply_tmp", ("id", "d", "f", "c", "p", "r", "e", "pv"), values)
            with connection.cursor() as cur:
                cur.execute(
                    """UPDATE claims_settlement s SET deductible = v.d, fund_paid = v.f, critical_paid = v.c,
                           personal_paid = v.p, relief_paid = v.r, explanation = v.e, policy_version_id = v.pv,
                           updated_at = now()
                       FROM claims_apply_tmp v WHERE s.id = v.id"""
                )
                cur.execute("DELETE FROM claims_apply_tmp")
        chunk.applied = True
        chunk.save(update_fields=["applied"])
        return len(rows)


def recalculation_apply(*, recalculation_id) -> dict:
    """Apply an approved recalculation chunk by chunk (each chunk in one transaction); a re-run skips
    applied chunks, so running it twice or after a worker died gives the same rows."""
    from django.utils import timezone

    from medinsure.jobs.services import job_finish, job_progress

    rc = Recalculation.objects.select_related("policy_version").get(pk=recalculation_id)
    if rc.status == Recalculation.Status.APPLIED:
        return rc.totals
    if rc.status != Recalculation.Status.APPROVED:
        raise ValueError(_("批量重算尚未批准"))
    done = 0
    for chunk in rc.chunks.order_by("index"):
        if chunk.applied:
            done += sum(t["count"] for t in chunk.totals.values())
            continue
        done += _apply_chunk(rc, chunk.index)
        if rc.apply_job_id:
            job_progress(rc.apply_job_id, done=done)
    with transaction.atomic():
        rc = Recalculation.objects.select_for_update().get(pk=rc.pk)
        if rc.status == Recalculation.Status.APPROVED:
            rc.status = Recalculation.Status.APPLIED
            rc.applied_at = timezone.now()
            rc.save(update_fields=["status", "applied_at"])
            monthly_stats_refresh(year=rc.year)
            audit_log(
                actor=rc.approved_by,
                action=AuditLog.Action.CHANGE,
                object_type="claims.Recalculation",
                object_id=rc.pk,
                summary=_("批量重算已应用：%(y)s 年度") % {"y": rc.year},
            )
    if rc.apply_job_id:
        job_finish(rc.apply_job_id, result=rc.totals.get("total", {}), message=_("已应用"))
    return rc.totals


def recalculation_discard(*, actor, recalculation_id) -> Recalculation:
    """Staff reject a difference report (or give up a failed run); nothing is applied."""
    with transaction.atomic(durable=True):
        rc = Recalculation.objects.select_for_update().get(pk=recalculation_id)
        if rc.status not in (Recalculation.Status.READY, Recalculation.Status.FAILED):
            raise ValueError(
                _("只有“待审批”或“失败”的批量重算可以放弃（当前：%(s)s）") % {"s": rc.get_status_display()}
            )
        rc.status = Recalculation.Status.DISCARDED
        rc.save(update_fields=["status"])
        audit_log(
            actor=actor,
            action=AuditLog.Action.CHANGE,
            object_type="claims.Recalculation",
            object_id=rc.pk,
            summary=_("放弃批量重算：%(y)s 年度") % {"y": rc.year},
        )
    return rc


def recalculation_failed(*, recalculation_id, message: str) -> None:
    from medinsure.jobs.services import job_fail

    rc = Recalculation.objects.filter(pk=recalculation_id).first()
    if rc is None:
        return
    Recalculation.objects.filter(pk=rc.pk).update(status=Recalculation.Status.FAILED, message=message[:500])
    for job_id in (rc.job_id, rc.apply_job_id):
        if job_id:
            job_fail(job_id, message=message)
