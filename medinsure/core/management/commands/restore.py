from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medinsure.audit.services import audit_log
from medinsure.core import backups


class Command(BaseCommand):
    help = (
        "从 `manage.py backup` 生成的备份恢复。默认恢复到所配置的数据库（替换其中的表，须加 --replace）；"
        "--database 新库名 则新建该库并恢复到其中，原库不动。恢复在一个事务中进行，失败时目标库不变。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（.dump；加密的备份为 .dump.enc，须设置 MEDINSURE_BACKUP_KEY）")
        parser.add_argument("--database", help="恢复到这个新建的数据库，而不是所配置的数据库")
        parser.add_argument("--replace", action="store_true", help="确认替换所配置数据库中的数据")

    def handle(self, *args, **options):
        dump = Path(options["file"])
        database = options["database"]
        if not database and not options["replace"]:
            raise CommandError("恢复会替换当前数据库中的数据：确认请加 --replace，或用 --database 恢复到新库。")
        try:
            backups.backup_restore(dump, database=database, create=bool(database))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not database:
            audit_log(
                actor=None,
                username="manage.py restore",
                verb="backup.restore",
                obj="database",
                key=backups.configured_target().name,
                summary=f"从 {dump.name} 恢复",
            )
        self.stdout.write(
            self.style.SUCCESS(f"已从 {dump.name} 恢复到数据库 {database or backups.configured_target().name}")
        )
