from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from claims import access, selectors, services
from claims.calculation import calculate_visits, render_steps
from claims.forms import CalculatorForm, PolicyEditForm, VisitFormSet
from claims.models import Kind
from claims.policies import PolicyNotFound, as_yaml
from medinsure.accounts.decorators import area_required
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.services import audit_log
from medinsure.masking import shown_id_number


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- calculator ---------------------------------------------------------------------------------
@area_required(Area.CLAIMS)
def calculator(request):
    """One person's visits of one year through the engine, with the step-by-step explanation."""
    result = None
    if request.method == "POST":
        form = CalculatorForm(request.POST)
        formset = VisitFormSet(request.POST, prefix="v")
        if form.is_valid() and formset.is_valid():
            person = form.cleaned_data
            visits = [
                {
                    **row,
                    "visit_id": f"{i + 1:02d}",
                    "person_id": "calculator",
                    "group": person["group"],
                    "employment": person["employment"],
                    "continuous_years": person["continuous_years"],
                    "tier": person["tier"],
                    "poor": person["poor"],
                }
                for i, row in enumerate(formset.cleaned_data)
                if row
            ]
            if not visits:
                form.add_error(None, _("请至少填写一次就诊"))
            else:
                try:
                    result = calculate_visits(code=person["policy"], visits=visits)
                except PolicyNotFound as exc:
                    form.add_error("policy", str(exc))
                else:
                    kinds = dict(Kind.choices)
                    for row, visit in zip(result["results"], visits, strict=True):
                        row["date"] = visit["date"]
                        row["kind_label"] = kinds[visit["kind"]]
                        row["hospital_level"] = visit["hospital_level"]
                        row["in_scope_cost"] = f"{visit['in_scope_cost']:.2f}"
                    result["results"].sort(key=lambda r: (r["date"], r["visit_id"]))
    else:
        form = CalculatorForm()
        formset = VisitFormSet(prefix="v")
    context = {"form": form, "formset": formset, "result": result}
    if _is_htmx(request):
        return render(request, "claims/_calculator_result.html", context)
    return render(request, "claims/calculator.html", context)


# --- policies -----------------------------------------------------------------------------------
@area_required(Area.CLAIMS)
def policy_list(request):
    policies = list(selectors.policy_list(request.user).prefetch_related("versions"))
    stored = {p.code for p in policies}
    from claims.policies import shipped_codes

    unloaded = [c for c in shipped_codes() if c not in stored]
    return render(request, "claims/policy_list.html", {"policies": policies, "unloaded": unloaded})


@area_required(Area.CLAIMS)
@require_POST
def policy_load_files(request):
    result = services.policies_load_files(actor=request.user)
    messages.success(
        request,
        _("政策文件已载入：新版本 %(created)s；无变化 %(unchanged)s")
        % {"created": "、".join(result["created"]) or "—", "unchanged": "、".join(result["unchanged"]) or "—"},
    )
    for code, errors in result["errors"].items():
        messages.error(request, f"{code}: " + "；".join(errors))
    return redirect("claims:policy_list")


@area_required(Area.CLAIMS)
def policy_detail(request, code):
    policy = access.access_policy_by_code(request.user, code)
    versions = list(selectors.policy_versions(policy))
    number = request.GET.get("version")
    shown = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    summary = selectors.policy_summary(code=code)
    return render(
        request,
        "claims/policy_detail.html",
        {
            "policy": policy,
            "versions": versions,
            "shown": shown,
            "summary": summary,
            "document": as_yaml(shown.document) if shown else "",
        },
    )


@area_required(Area.CLAIMS)
def policy_edit(request, code):
    """Edit a policy document; saving makes a new version (validated like the schema)."""
    policy = access.access_policy_by_code(request.user, code)
    current = policy.versions.order_by("-number").first()
    if request.method == "POST":
        form = PolicyEditForm(request.POST)
        if form.is_valid():
            doc = form.cleaned_data["document"]
            if doc.get("code") != policy.code:
                form.add_error("document", _("code: 编辑时不能修改政策编码（应为 %(code)s）") % {"code": policy.code})
            else:
                version, created = services.policy_version_create(
                    actor=request.user, document=doc, note=form.cleaned_data["note"]
                )
                if created:
                    messages.success(request, _("已保存为新版本 v%(n)s") % {"n": version.number})
                else:
                    messages.info(request, _("内容与当前版本相同，未生成新版本"))
                return redirect("claims:policy_detail", code=policy.code)
    else:
        form = PolicyEditForm(initial={"document": as_yaml(current.document) if current else ""})
    return render(request, "claims/policy_edit.html", {"policy": policy, "form": form, "current": current})


# --- settlements --------------------------------------------------------------------------------
@area_required(Area.CLAIMS)
def settlement_list(request):
    g = request.GET

    def num(key):
        return int(g[key]) if g.get(key, "").isdigit() else None

    rows = selectors.settlement_list(
        request.user,
        year=num("year"),
        month=num("month"),
        kind=g.get("kind") or None,
        level=num("level"),
        id_number=g.get("id_number") or None,
    )
    page = Paginator(rows, 50).get_page(g.get("page"))
    for s in page:
        s.shown_id_number = shown_id_number(request.user, s.id_number)
    if g.get("id_number"):
        audit_log(
            actor=request.user,
            action=AuditLog.Action.VIEW,
            object_type="claims.Settlement",
            summary=_("按身份证号查询结算单"),
            request=request,
        )
    return render(request, "claims/settlement_list.html", {"page": page, "kinds": Kind.choices, "q": g})


@area_required(Area.CLAIMS)
def settlement_detail(request, pk):
    s = access.access_settlement_by_id(request.user, pk)
    audit_log(
        actor=request.user,
        action=AuditLog.Action.VIEW,
        object_type="claims.Settlement",
        object_id=s.pk,
        summary=_("查看结算单 %(n)s") % {"n": s.number},
        request=request,
    )
    return render(
        request,
        "claims/settlement_detail.html",
        {
            "s": s,
            "shown_id_number": shown_id_number(request.user, s.id_number),
            "lines": selectors.settlement_lines(s),
            "steps": render_steps(s.explanation.get("steps", [])),
        },
    )
