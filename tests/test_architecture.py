"""The architecture of STYLE.md, checked statically with `ast`: no import cycle in forum/, no service
importing another, no private name crossing modules, a pure core, and modules of one concern."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("forum", "deliberation")
TOP_LEVEL = ("config", "wsgi")  # project modules outside the packages
MAX_LINES = 600
# Modules allowed past MAX_LINES, each with the reason; the module's docstring must still state its one
# concern in its first line.
LONG_MODULES: dict[str, str] = {
    "deliberation.ballot": "one concern, the ballot's rules from questions to receipts; the parts share its values",
    "deliberation.sortition": "one concern, the draw by lot; the leximin engine is already its own module",
    "deliberation.tracker": "one concern, the tracker's state machine: its table, guards, effects and explanations",
}
# The table of client actions is a dispatch table shared by sockets and pages, not a use case.
DISPATCH_TABLES = {"forum.services.sessions.actions"}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    line: int
    target: str  # the module imported, or the module a name is imported from
    name: str | None = None  # the name imported from `target`, for `from target import name`
    typing_only: bool = False  # inside `if TYPE_CHECKING:`, so never imported when the code runs


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    found = {module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}
    return found | {name: ROOT / f"{name}.py" for name in TOP_LEVEL}


@cache
def tree(module: str) -> ast.Module:
    return ast.parse(modules()[module].read_text(encoding="utf-8"))


def resolve(module: str, level: int, target: str | None) -> str:
    """The absolute name of a relative import made in `module`."""
    if not level:
        return target or ""
    package = module.split(".") if modules()[module].name == "__init__.py" else module.split(".")[:-1]
    base = package[:len(package) - level + 1]
    return ".".join(base + ([target] if target else []))


@cache
def imports(module: str) -> tuple[Import, ...]:
    """Every import the module makes, at the top or inside functions and classes."""
    found = []
    typing_only = {id(inner) for node in ast.walk(tree(module))
                   if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
                   for stmt in node.body for inner in ast.walk(stmt)}
    for node in ast.walk(tree(module)):
        hint = id(node) in typing_only
        if isinstance(node, ast.Import):
            found += [Import(module, node.lineno, alias.name, typing_only=hint) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = resolve(module, node.level, node.module)
            found += [Import(module, node.lineno, target, alias.name, typing_only=hint) for alias in node.names]
    return tuple(found)


def project_module(name: str) -> str | None:
    """The project module `name` refers to (a module, or a name inside one), or None outside the project."""
    while name:
        if name in modules():
            return name
        name = name.rpartition(".")[0]
    return None


def dependencies(module: str) -> dict[str, int]:
    """The project modules `module` imports, each with the first line importing it."""
    found: dict[str, int] = {}
    for imp in imports(module):
        targets = [imp.target]
        if imp.name is not None:
            targets = [f"{imp.target}.{imp.name}"]  # `from forum import models` imports forum.models
        for target in targets:
            dep = project_module(target)
            if dep is not None and dep != module:
                found.setdefault(dep, imp.line)
    return found


def where(module: str, line: int) -> str:
    return f"{modules()[module].relative_to(ROOT)}:{line}"


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle for each strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [shortest_cycle(graph, set(c), c[0]) for c in components]


def shortest_cycle(graph: dict[str, dict[str, int]], members: set[str], start: str) -> list[str]:
    """The shortest path from `start` back to itself inside one component, breadth first."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node]):
                if nxt == start:
                    return paths[node] + [start]
                if nxt in members and nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    return [start]


def describe(cycle: list[str], graph: dict[str, dict[str, int]]) -> str:
    return "  " + " -> ".join(cycle) + "\n" + "".join(
        f"    {a} imports {b} at {where(a, graph[a][b])}\n" for a, b in zip(cycle, cycle[1:]))


def test_forum_has_no_import_cycle():
    graph = {m: {d: line for d, line in dependencies(m).items() if d.startswith("forum")}
             for m in modules() if m.startswith("forum")}
    found = cycles(graph)
    assert not found, f"{len(found)} import cycle(s) in forum/ (imports inside functions count):\n" + "".join(
        describe(c, graph) for c in found)


def test_no_service_imports_another_service():
    offenders = [f"  {where(m, line)}: {m} imports {dep}"
                 for m in modules() if m.startswith("forum.services.") and m not in DISPATCH_TABLES
                 for dep, line in dependencies(m).items() if dep.startswith("forum.services.")]
    assert not offenders, "services import other services (shared helpers belong in records/ or the core):\n" + \
        "\n".join(offenders)


def test_the_api_shapes_what_services_return_and_loads_no_rows():
    """forum/api parses, calls one service and shapes its answer; models appear only as annotations."""
    offenders = [f"  {where(m, imp.line)}: imports {imp.target}" + (f".{imp.name}" if imp.name else "")
                 for m in modules() if m.startswith("forum.api")
                 for imp in imports(m) if not imp.typing_only
                 and (project_module(f"{imp.target}.{imp.name}" if imp.name else imp.target) or "").startswith(
                     ("forum.models", "forum.records", "forum.extensions"))
                 and not (imp.target == "forum.extensions" and imp.name == "csrf")]
    assert not offenders, "the API reaches past the services:\n" + "\n".join(offenders)


def private_uses(module: str) -> list[str]:
    """`from project.module import _name`, and `alias._name` on a project module imported as `alias`."""
    found = []
    aliases: dict[str, str] = {}
    for imp in imports(module):
        if imp.name is None:
            if project_module(imp.target) == imp.target:
                aliases[imp.target.split(".")[0]] = imp.target.split(".")[0]
            continue
        if project_module(f"{imp.target}.{imp.name}") == f"{imp.target}.{imp.name}":
            aliases[imp.name] = f"{imp.target}.{imp.name}"  # a module imported by name: `from forum import x`
        elif imp.name.startswith("_") and not imp.name.startswith("__") and project_module(imp.target):
            found.append(f"  {where(module, imp.line)}: from {imp.target} import {imp.name}")
    for node in ast.walk(tree(module)):
        chain = []
        current = node
        while isinstance(current, ast.Attribute):
            chain.append(current.attr)
            current = current.value
        if not chain or not isinstance(current, ast.Name) or current.id not in aliases:
            continue
        dotted = aliases[current.id]
        for attr in reversed(chain):
            if attr.startswith("_") and not attr.startswith("__"):
                if project_module(dotted) == dotted and dotted != module:
                    found.append(f"  {where(module, node.lineno)}: {current.id}.{'.'.join(reversed(chain))} "
                                 f"uses {dotted}.{attr}")
                break
            dotted = f"{dotted}.{attr}"
    return sorted(set(found))


def test_no_private_name_crosses_modules():
    offenders = [line for m in modules() for line in private_uses(m)]
    assert not offenders, "private names used from another module (make them public, or move the code):\n" + \
        "\n".join(offenders)


def test_the_core_imports_nothing_from_the_shell_or_the_web():
    banned = ("flask", "sqlalchemy", "werkzeug", "forum")
    offenders = [f"  {where(m, imp.line)}: imports {imp.target}" + (f".{imp.name}" if imp.name else "")
                 for m in modules() if m.split(".")[0] == "deliberation"
                 for imp in imports(m) if imp.target.split(".")[0] in banned]
    assert not offenders, "deliberation/ is pure Python, yet:\n" + "\n".join(offenders)


def first_docstring_line(module: str) -> str:
    doc = ast.get_docstring(tree(module)) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def test_long_modules_have_one_stated_concern_and_a_reason():
    offenders = []
    for m, path in modules().items():
        if m in TOP_LEVEL:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines <= MAX_LINES:
            continue
        if m not in LONG_MODULES:
            offenders.append(f"  {path.relative_to(ROOT)}: {lines} lines, not in LONG_MODULES")
        elif not first_docstring_line(m):
            offenders.append(f"  {path.relative_to(ROOT)}: {lines} lines, no docstring stating its one concern")
    stale = [m for m in LONG_MODULES if m not in modules()
             or len(modules()[m].read_text(encoding="utf-8").splitlines()) <= MAX_LINES]
    offenders += [f"  {m}: in LONG_MODULES but missing or no longer over {MAX_LINES} lines" for m in stale]
    assert not offenders, f"modules over {MAX_LINES} lines (split them, or list them with a reason):\n" + \
        "\n".join(offenders)


def test_the_checks_see_the_imports_they_are_about():
    """The import graph finds imports inside functions and relative imports, or the checks above prove nothing."""
    assert "forum.services.proposals" in dependencies("forum.demo")  # imported inside load_demo()
    assert dependencies("forum")  # forum/__init__.py imports its blueprints
    assert resolve("forum.web.admin", 1, "forms") == "forum.web.forms"
    assert any(imp.typing_only and imp.target == "forum.models" for imp in imports("forum.api.shapes"))
    assert resolve("forum", 1, "extensions") == "forum.extensions"
    assert cycles({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3, "d": 4}, "d": {}}) == [["a", "b", "c", "a"]]
