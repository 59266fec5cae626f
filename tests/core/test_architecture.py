"""The layering of DESIGN.md: rules/ packages import nothing of Django (import-linter contracts in
pyproject.toml), and no app imports another app's views, api or tasks."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["enrollment", "claims", "supervision", "fundbudget", "replies"]
PRIVATE_ROOMS = ("views", "api", "tasks", "forms", "urls")


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rules/ packages are pure" in result.stdout


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_no_app_imports_another_apps_views_api_or_tasks():
    offences = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for module in _imported_modules(path):
                parts = module.split(".")
                if parts[0] in APPS and parts[0] != app and len(parts) > 1 and parts[1] in PRIVATE_ROOMS:
                    offences.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offences == []
