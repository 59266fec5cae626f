from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from medinsure.accounts.decorators import area_required
from medinsure.accounts.scoping import Area
from medinsure.audit.models import AuditLog
from medinsure.audit.selectors import audit_log_list
from medinsure.masking import mask_numbers_in_text


class AuditSearchForm(forms.Form):
    q = forms.CharField(label=_("用户名或对象"), required=False)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部"))] + AuditLog.Action.choices)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


@area_required(Area.AUDIT)
@require_safe
def audit_list(request):
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = audit_log_list(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    for row in page:  # rows written before audit_log masked them keep full numbers: shown masked all the same
        row.summary = mask_numbers_in_text(row.summary)
        row.object_id = mask_numbers_in_text(row.object_id)
    return render(request, "audit/list.html", {"form": form, "page": page})
