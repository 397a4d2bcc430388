"""The import graph of the product packages, read with ``ast`` (nothing is imported).

The rule (docs/ARCHITECTURE.md): imports point one way, down the layers
``bantin`` → ``webapp`` → ``review`` / ``samplegen`` → ``indexer`` → ``archive``, and inside
``indexer`` down its stages ``search`` → ``analyze`` → ``segment`` → ``extract``; no cycles
between modules; a first-party import inside a function says why it is deferred (a comment
with the word ``deferred`` on its line).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Layer of each package prefix, lowest first; the longest matching prefix decides.
LAYERS: dict[str, int] = {
    "archive": 0,
    "indexer.extract": 10, "indexer.segment": 11, "indexer.analyze": 12, "indexer.search": 13,
    "indexer": 14,
    "samplegen": 20, "review": 20,
    "webapp": 30,
    "bantin": 40,
}


@dataclass
class Graph:
    modules: dict[str, Path] = field(default_factory=dict)
    edges: dict[str, set[str]] = field(default_factory=dict)
    # (module, line, text) of first-party imports inside functions without a reason
    undeferred: list[tuple[str, int, str]] = field(default_factory=list)


def read_graph(root: Path, packages: Sequence[str]) -> Graph:
    g = Graph()
    for pkg in packages:
        for f in sorted((root / pkg).rglob("*.py")):
            name = ".".join(f.relative_to(root).with_suffix("").parts)
            g.modules[name.removesuffix(".__init__")] = f
    for name, f in g.modules.items():
        source = f.read_text(encoding="utf-8")
        lines = source.splitlines()
        tree = ast.parse(source)
        inner = {id(n) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
                 for n in ast.walk(fn)}
        g.edges[name] = set()
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                found = _resolve(target, g.modules)
                if found is None or found == name:
                    continue
                g.edges[name].add(found)
                if id(node) in inner and "deferred" not in lines[node.lineno - 1]:
                    g.undeferred.append((name, node.lineno, lines[node.lineno - 1].strip()))
    return g


def _resolve(target: str, modules: Mapping[str, Path]) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def layer(module: str, layers: Mapping[str, int]) -> tuple[int, str]:
    """(rank, the package prefix that decided it)."""
    best = max((p for p in layers if module == p or module.startswith(p + ".")), key=len, default="")
    return layers.get(best, -1), best


def upward(g: Graph, layers: Mapping[str, int]) -> list[str]:
    """Imports from a lower layer to a higher one, or across two packages of one layer."""
    out = []
    for a, targets in sorted(g.edges.items()):
        ra, pa = layer(a, layers)
        for b in sorted(targets):
            rb, pb = layer(b, layers)
            if rb > ra or (rb == ra and pa != pb):
                out.append(f"{a} ({pa}) imports {b} ({pb})")
    return out


def cycles(g: Graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(g.edges):
        if root in index:
            continue
        work = [(root, iter(sorted(g.edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.edges.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found
