from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_holiday_schedule(sender, *, using=DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    """The package's holiday years are seed data, like content types: put back any that is missing after
    ``migrate`` and after ``flush`` (which empties every table, the data migration's seed included, and
    then sends post_migrate: a test that runs after a transactional test, or in a reused test database,
    would otherwise compute every due date as provisional). Staff-entered years are never touched."""
    if using != DEFAULT_DB_ALIAS:
        return
    if apps is None:  # flush sends no migration state: the models as they are
        from django.apps import apps
    try:
        HolidayYear = apps.get_model("replies", "HolidayYear")
        HolidayDay = apps.get_model("replies", "HolidayDay")
    except LookupError:  # replies is not migrated (yet, or any more)
        return
    from replies.holidays import seed

    seed(HolidayYear, HolidayDay)


class RepliesConfig(AppConfig):
    name = "replies"
    verbose_name = _("建议提案办理")

    def ready(self) -> None:
        post_migrate.connect(_seed_holiday_schedule, sender=self, dispatch_uid="replies.seed_holiday_schedule")
        # the holiday rows are replies'; the apps below it read them through the core (medinsure.core.holidays)
        from medinsure.core.holidays import register_holiday_reader
        from replies.selectors import holiday_schedule

        register_holiday_reader(holiday_schedule)
