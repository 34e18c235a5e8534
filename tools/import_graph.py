"""The import graph of rewardbox's modules, and the circles in it.

Every import counts: at module level, inside functions, and under ``if TYPE_CHECKING:``
(an import that dodges a cycle at run time is a cycle for a reader all the same).

    python tools/import_graph.py                  # every circle, smallest first (exit 1 when there is one)
    python tools/import_graph.py --edges graders  # the edges among rewardbox.graders' modules
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"graders": "rewardbox.graders", "runner": "rewardbox.runner", "library": "rewardbox.library"}


def modules() -> dict[str, Path]:
    """Every module of the three packages, by dotted name."""
    found = {}
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([package, *parts])] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The rewardbox modules ``name`` imports, wherever in the file the import stands."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = ".".join((base[: len(base) - node.level + 1] if node.level else []) + ([node.module] if node.module else []))
            candidates = [f"{module}.{alias.name}" for alias in node.names] + [module]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name and not name.startswith(candidate + "."):  # a package's own parent is not an edge
                targets.add(candidate)
    return targets


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted, smallest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found, key=lambda c: (len(c), c))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edges", metavar="PACKAGE", help="print the edges among PACKAGE's modules (graders, runner, library)")
    args = parser.parse_args(argv)
    edges = graph()
    if args.edges:
        prefix = PACKAGES[args.edges] + "."
        for name in sorted(edges):
            if name.startswith(prefix) or name == prefix[:-1]:
                inside = sorted(t.removeprefix(prefix) for t in edges[name] if t.startswith(prefix))
                print(f"{name.removeprefix(prefix) or '__init__'} -> {', '.join(inside) or '-'}")
        return 0
    found = cycles(edges)
    for component in found:
        print(f"circle of {len(component)}: {' <-> '.join(component)}")
    print(f"{len(edges)} modules, {sum(map(len, edges.values()))} imports, {len(found)} circles")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
