"""`make run`: migrate, load the demo district once, then run the web server, a Celery worker and
Celery beat together until Ctrl-C, which stops all of them (and the embedded servers it started)."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from medinsure import embedded
from medinsure.celery import QUEUES
from medinsure.core import demo
from medinsure.regions.models import Division


class Command(BaseCommand):
    help = "启动平台：网页服务、Celery 工作进程和定时任务（Ctrl-C 全部停止）。"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("MEDINSURE_BIND", "127.0.0.1:8000"))
        parser.add_argument("--reload-demo", action="store_true", help="再次载入演示数据")

    def handle(self, *args, bind, reload_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        load_demo = reload_demo or not Division.objects.filter(level=Division.Level.DISTRICT).exists()
        if load_demo:
            demo.load(stdout=self.stdout)  # the district and the logins first: seconds
        python = sys.executable
        celery = [python, "-m", "celery", "-A", "medinsure"]
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "medinsure.wsgi",
                "--bind",
                bind,
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                "-",
            ],
            "worker": [*celery, "worker", "-Q", ",".join(QUEUES), "--concurrency", "2", "-l", "INFO"],
            "beat": [*celery, "beat", "-l", "INFO", "--scheduler", settings.CELERY_BEAT_SCHEDULER],
        }
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "medinsure.settings"}
        processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        if load_demo:
            # The login page is already served; the areas' demo data follows (idempotent loaders).
            self.stdout.write("正在载入各业务模块的演示数据……")
            call_command("load_demo", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\n平台已启动：http://{bind}/   （Ctrl-C 停止）"))
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, role, full_name, _code in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<16} {role.label}（{full_name}）")
        self.stdout.write(f"  {'hospital':<16} 定点机构人员（江津区中心医院医保办）\n")

        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in processes.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} 已退出（状态 {proc.returncode}），正在停止其余进程")
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.time() + 15
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            if not os.environ.get("REDIS_URL"):
                embedded.stop_redis()
            if not os.environ.get("DATABASE_URL"):
                from django.db import connections

                connections.close_all()
                embedded.stop_postgres()
            self.stdout.write("已停止")
