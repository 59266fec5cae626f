from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "medinsure.institutions"
    label = "institutions"
    verbose_name = _("定点医药机构")
