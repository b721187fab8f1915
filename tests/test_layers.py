"""The layout is the pipeline: imports go down the layers, never up, and never in a circle.

Read from the source with :mod:`ast` (nothing is imported): every ``import`` of a
``distillguard`` module, at module level or inside a function (a lazy import is still a
dependency), but not those under ``if TYPE_CHECKING:`` (annotations only). ``from pkg
import name`` depends on ``pkg.name`` when that is a module, else on ``pkg``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
ROOT = SRC / "distillguard"
#: Top-level modules every part may use: they import no package of ours.
BASE = frozenset({"distillguard", "addresses", "config", "crashpoints", "errors", "privacy",
                  "schema", "textsafe"})
#: The packages (and ``scan``) each part may import besides the base, lowest layer first.
ALLOWED: dict[str, frozenset[str]] = {
    "ingest": frozenset(),
    "detect": frozenset(),
    "store": frozenset(),
    "simulate": frozenset(),
    "watermark": frozenset(),
    "engines": frozenset({"ingest", "detect", "store"}),
    "intel": frozenset({"detect", "store"}),
    "text_protocol": frozenset({"detect"}),
    "report": frozenset(),
    "scan": frozenset({"ingest", "detect", "store", "engines", "intel", "report"}),
    "evaluation": frozenset({"detect", "store", "scan", "simulate", "text_protocol"}),
    "online": frozenset({"detect", "ingest", "evaluation"}),
    "integrations": frozenset({"online"}),
    "ui": frozenset({"detect", "store", "report"}),
    "cli": frozenset({"ingest", "detect", "store", "engines", "intel", "report", "scan",
                      "evaluation", "simulate", "text_protocol", "online", "ui",
                      "watermark"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Import statements that run (skipping ``if TYPE_CHECKING:`` blocks)."""
    def walk(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from (n for branch in child.orelse for n in walk_one(branch))
                continue
            yield from walk_one(child)

    def walk_one(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from walk(node)

    yield from walk(tree)


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module → the distillguard modules it imports."""
    known = modules()
    edges: dict[str, frozenset[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name in known}
            elif node.level == 0 and node.module and node.module in known:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in known else node.module)
        edges[name] = frozenset(targets - {name})
    return edges


def part(module: str) -> str:
    """The top-level part a module belongs to (``detect``, ``cli``, ``scan``, a base module)."""
    return module.split(".")[1] if "." in module else module


def test_every_part_is_declared() -> None:
    parts = {part(m) for m in modules()}
    assert parts == BASE | set(ALLOWED), "declare a new part's layer here"


@pytest.mark.parametrize("module", sorted(modules()))
def test_imports_go_down_the_layers(module: str) -> None:
    own = part(module)
    allowed = set(BASE) | ALLOWED.get(own, frozenset()) | {own}
    upward = sorted(t for t in graph()[module] if part(t) not in allowed
                    or (own in BASE and part(t) not in BASE))
    assert not upward, f"{module} imports up the layers: {upward}"


def test_nothing_imports_the_cli_but_the_cli() -> None:
    users = sorted(m for m, targets in graph().items() if part(m) != "cli"
                   and any(part(t) == "cli" for t in targets))
    assert not users, f"only the entry point may import distillguard.cli: {users}"


def _cycles(edges: dict[str, frozenset[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert _cycles(graph()) == []


def test_no_part_depends_on_itself_through_others() -> None:
    parts: dict[str, set[str]] = {}
    for module, targets in graph().items():
        parts.setdefault(part(module), set()).update(
            part(t) for t in targets if part(t) != part(module))
    assert _cycles({p: frozenset(t) for p, t in parts.items()}) == []


def test_the_check_finds_a_cycle_and_an_upward_import() -> None:
    assert _cycles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}),
                    "d": frozenset({"a"})}) == [["a", "b", "c"]]
    tree = ast.parse("import x\nif TYPE_CHECKING:\n    import y\ndef f():\n    import z\n")
    assert [ast.unparse(n) for n in _runtime_imports(tree)] == ["import x", "import z"]
