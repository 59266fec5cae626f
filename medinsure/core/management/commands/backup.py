from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from medinsure.audit.services import audit_log
from medinsure.core import backups


class Command(BaseCommand):
    help = (
        "备份所配置的数据库（pg_dump 自定义格式）及私有文件（证据材料等）到 BACKUP_DIR（默认 var/backups）；"
        "设置了 MEDINSURE_BACKUP_KEY 时两个文件均加密（.enc）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="备份目录（默认 settings.BACKUP_DIR）")

    def handle(self, *args, **options):
        try:
            dump, archive = backups.backup_create(directory=Path(options["dir"]) if options["dir"] else None)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        audit_log(
            actor=None,
            username="manage.py backup",
            verb="backup.create",
            obj="database",
            key=backups.configured_target().name,
            summary=f"备份 {dump.name}（{dump.stat().st_size:,} 字节）",
        )
        self.stdout.write(self.style.SUCCESS(f"数据库备份：{dump}"))
        self.stdout.write(f"文件备份：{archive}")
        self.stdout.write(f"恢复：make restore FILE={dump}")
