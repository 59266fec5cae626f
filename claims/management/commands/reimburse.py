"""python manage.py reimburse --policy CODE --visits VISITS.csv --output OUT.csv"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from claims.policies import PolicyNotFound, read_policy_file
from claims.rules import PolicyError, VisitsError, parse_policy, reimburse_csv


class Command(BaseCommand):
    help = _("按报销政策计算就诊记录的起付线、统筹支付、大病保险和个人负担")

    def add_arguments(self, parser):
        parser.add_argument("--policy", required=True, help=_("政策编码，如 guanxian-2018"))
        parser.add_argument("--visits", required=True, help=_("就诊记录 CSV（UTF-8，含表头）"))
        parser.add_argument("--output", required=True, help=_("结果 CSV"))
        parser.add_argument(
            "--registry",
            action="store_true",
            help=_(
                "person_id 为身份证号码时，按本局参保库和备案取档次、连续参保年数、建档立卡和备案病种；无待遇的就诊统筹不予支付"
            ),
        )

    def handle(self, *args, policy, visits, output, registry=False, **options):
        engine_policy = self._policy(policy)
        try:
            text = Path(visits).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise CommandError(_("找不到就诊记录文件 %(path)s") % {"path": visits}, returncode=2) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("就诊记录文件不是 UTF-8 编码"), returncode=2) from exc
        try:
            result = self._registry(engine_policy, text) if registry else reimburse_csv(engine_policy, text)
        except VisitsError as exc:
            for line in exc.render(_):
                self.stderr.write(line)
            raise CommandError(
                _("就诊记录有 %(n)s 处错误，未生成结果文件") % {"n": len(exc.errors)}, returncode=2
            ) from exc
        try:
            Path(output).write_text(result, encoding="utf-8")
        except OSError as exc:
            raise CommandError(
                _("无法写入结果文件 %(path)s：%(e)s") % {"path": output, "e": exc}, returncode=2
            ) from exc
        self.stdout.write(
            _("已计算 %(n)s 条就诊记录，结果写入 %(path)s") % {"n": result.count("\n") - 1, "path": output}
        )

    def _registry(self, engine_policy, text):
        """Rows whose person_id is a valid ID number read entitlement from the registry; other rows
        (free-text person ids) are settled as given. Differences are reported on stderr, per line."""
        from datetime import date

        from claims.rules import parse_visits_csv, settle
        from claims.rules.visits_csv import format_results_csv
        from claims.selectors import entitled_visits
        from medinsure.masking import mask_id_number
        from medinsure.rules.id_numbers import is_valid

        visits = parse_visits_csv(text)
        asked = [i for i, v in enumerate(visits) if is_valid(v.person_id, as_of=date.today())]
        try:
            entitled = entitled_visits([visits[i] for i in asked])
        except DatabaseError as exc:
            raise CommandError(_("无法读取参保库：%(e)s") % {"e": exc}, returncode=2) from exc
        for i, (visit, findings) in zip(asked, entitled, strict=True):
            visits[i] = visit
            for f in findings:
                # the line of the file (its header is line 1) and a masked number, never the whole
                self.stderr.write(
                    _("第 %(line)s 行（%(who)s）：%(msg)s")
                    % {"line": i + 2, "who": mask_id_number(visit.person_id), "msg": f.message.render(_)}
                )
        return format_results_csv(settle(engine_policy, visits))

    def _policy(self, code):
        try:
            from claims.policies import current_version, parsed_version

            version = current_version(code)
            if version is not None:
                return parsed_version(version)
        except DatabaseError:
            pass  # no database: the shipped file is enough
        try:
            return parse_policy(read_policy_file(code))
        except PolicyNotFound as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except PolicyError as exc:
            raise CommandError("; ".join(exc.render(_)), returncode=2) from exc
