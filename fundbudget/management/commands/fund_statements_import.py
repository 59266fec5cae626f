from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from fundbudget import services


class Command(BaseCommand):
    help = "导入财务月度收支报表（xlsx）：先校验整个文件，无错误且指定 --apply 时才写入；重复导入同一文件不作修改。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", required=True, help="以此规划财务科用户的名义导入（用户名）")
        parser.add_argument("--apply", action="store_true", help="校验通过后写入")

    def handle(self, *args, path, user, apply, **options):
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户 {user} 不存在")
        if not path.is_file():
            raise CommandError(f"文件 {path} 不存在")
        batch = services.statement_import_upload(actor=actor, filename=path.name, content=path.read_bytes())
        if batch.errors:
            for e in batch.errors:
                self.stderr.write(f"第{e['line']}行 {e['column']}：{e['message']}")
            raise CommandError(f"文件有 {len(batch.errors)} 处错误，未写入任何数据")
        self.stdout.write(f"校验通过：{len(batch.rows)} 行")
        if apply:
            batch = services.statement_import_apply(actor=actor, import_id=batch.pk)
            r = batch.result
            self.stdout.write(self.style.SUCCESS(f"新增 {r['created']}，更新 {r['updated']}，未变 {r['unchanged']}"))
