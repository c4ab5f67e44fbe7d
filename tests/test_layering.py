"""The layers of ARCHITECTURE.md, enforced: core, services and db never import Qt;
db never imports desktop; widgets never touch SQL; no module imports another that imports
it back, however indirectly."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_core_services_db_and_cli_do_not_import_qt():
    code = (
        "import sys, pkgutil, importlib\n"
        "import db, desktop.core, desktop.services, desktop.cli\n"
        "for pkg in (db, desktop.core, desktop.services, desktop.cli):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        if '.migrations' in m.name: continue\n"
        "        importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_db_does_not_import_desktop():
    offenders = [
        p
        for p in (REPO / "db").rglob("*.py")
        if re.search(r"^\s*(from|import) desktop", p.read_text(), re.M)
    ]
    assert offenders == []


def test_ui_runs_no_sql():
    offenders = [
        p
        for p in (REPO / "desktop" / "ui").rglob("*.py")
        if re.search(r"^\s*(from|import) (sqlalchemy|sqlite3|db\b)", p.read_text(), re.M)
    ]
    assert offenders == []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of desktop and db it imports, from the source (ast): at the
    top, inside functions and under ``if TYPE_CHECKING:`` alike."""
    files = {
        _module_name(p): p
        for top in ("desktop", "db")
        for p in (REPO / top).rglob("*.py")
        if "migrations" not in p.parts
    }

    def known(name: str) -> str | None:
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str | None] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(known(a.name) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                for a in node.names:  # `from pkg import module` imports the module
                    targets.add(f"{base}.{a.name}" if f"{base}.{a.name}" in files else known(base))
        graph[name] = {t for t in targets if t and t != name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle of imports, one per strongly connected component, as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(_path_through(sorted(component), graph))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def _path_through(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A circle inside a component, from its first module back to it (breadth first)."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(graph[v] & members):
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start]
            if w not in previous:
                previous[w] = v
                queue.append(w)
    return component


def test_no_import_circles():
    """Imports go one way, type-only ones included: a feature names the window through
    the ``Workbench`` protocol (desktop/ui/workbench/host.py), never the window's class."""
    cycles = import_cycles(import_graph())
    assert cycles == [], "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_circle_and_prints_it():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_cycles(graph) == [["a", "b", "c", "a"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_features_do_not_look_up_menus_by_label():
    """The menu bar is declared in desktop/ui/workbench/menus.py; no other module reaches
    into it."""
    offenders = [
        str(p.relative_to(REPO))
        for p in (REPO / "desktop" / "ui").rglob("*.py")
        if p.name != "menus.py"
        and re.search(r"menuBar\(\)|\"&(File|Edit|Code|Review)\"", p.read_text())
    ]
    assert offenders == []
