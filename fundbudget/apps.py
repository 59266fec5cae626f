from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundbudgetConfig(AppConfig):
    name = "fundbudget"
    verbose_name = _("基金预算")
