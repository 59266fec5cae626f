"""The layering of docs/ARCHITECTURE.md: rules/ packages import nothing of Django (import-linter contracts in
pyproject.toml), and no app imports another app's views, api or tasks."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["enrollment", "claims", "handling", "supervision", "fundbudget", "replies"]
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


# --- issue 14: services enqueue by name, never import tasks; no services module grows past ~400 lines ---
SERVICE_ROOTS = [ROOT / "medinsure", *(ROOT / app for app in APPS)]


def _services_modules():
    for root in SERVICE_ROOTS:
        for path in root.rglob("*.py"):
            if "services" in path.parts or path.name == "services.py":
                yield path


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def test_no_services_module_imports_a_tasks_module():
    offences = []
    for path in _services_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            offences += [f"{path.relative_to(ROOT)}:{node.lineno} {n}" for n in names if n.split(".")[-1] == "tasks"]
    assert offences == []


def test_every_name_given_to_the_outbox_is_a_registered_task():
    import importlib

    from medinsure.celery import app as celery_app

    celery_app.loader.import_default_modules()  # what a worker does at start: every app's tasks module
    seen, offences = 0, []
    for root in SERVICE_ROOTS:
        for path in root.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", "")) == "enqueue_on_commit"
                ):
                    continue
                first = node.args[0] if node.args else None
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    name = first.value
                elif isinstance(first, ast.Name):
                    name = getattr(importlib.import_module(_module_name(path)), first.id, None)
                else:
                    offences.append(f"{where}: the task is not given by name")
                    continue
                seen += 1
                if not isinstance(name, str) or name not in celery_app.tasks:
                    offences.append(f"{where}: {name!r} is not a registered task")
    assert offences == []
    assert seen >= 10  # the scan found the calls


def test_no_services_module_above_about_400_lines():
    long = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for p in _services_modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420
    ]
    assert long == []


def _cycles(graph, package: str) -> list[list[str]]:
    """Strongly connected components (more than one module) of the imports among ``package``'s modules."""
    inside = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):  # Tarjan, iterative enough for a few hundred modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if not (w == package or w.startswith(package + ".")):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in inside:
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_between_the_modules_of_an_app():
    """Imports inside functions count too (grimp sees them): a circle that only a lazy import hides is
    still a circle (the old services ↔ tasks one was)."""
    import grimp

    packages = [*APPS, "medinsure"]
    graph = grimp.build_graph(*packages, include_external_packages=False)
    assert {p: c for p in packages if (c := _cycles(graph, p))} == {}
