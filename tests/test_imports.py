"""The import rule holds: no cycles, no upward imports, deferred imports say why."""

from __future__ import annotations

from pathlib import Path

from tests.importgraph import LAYERS, cycles, read_graph, upward

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "indexer", "samplegen", "review", "webapp", "bantin")
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "importgraph"


def test_the_product_has_no_import_cycle() -> None:
    found = cycles(read_graph(REPO, PACKAGES))
    assert not found, f"import cycles (move the shared piece down into its own module): {found}"


def test_imports_point_down_the_layers() -> None:
    found = upward(read_graph(REPO, PACKAGES), LAYERS)
    assert not found, "imports that point up (move what both need down a layer):\n" + "\n".join(found)


def test_first_party_imports_inside_functions_say_why() -> None:
    found = read_graph(REPO, PACKAGES).undeferred
    assert not found, ("imports inside functions without a '# deferred: <why>' comment "
                       f"(import at the top instead): {found}")


def test_the_checks_fail_on_a_package_that_breaks_the_rule() -> None:
    graph = read_graph(FIXTURE, ("low", "high"))
    assert upward(graph, {"low": 0, "high": 1}) == ["low.base (low) imports high.top (high)"]
    assert cycles(graph) == [["low.ring_a", "low.ring_b"]]
    assert [(m, line) for m, line, _text in graph.undeferred] == [("low.ring_b", 2)]
    # and a layer order that allows the import finds nothing upward
    assert upward(graph, {"low": 1, "high": 0}) == []


def test_long_modules_say_why() -> None:
    """House style: a module over about 400 lines is two modules, or says at its top why not."""
    long = []
    for pkg in PACKAGES:
        for f in sorted((REPO / pkg).rglob("*.py")):
            text = f.read_text(encoding="utf-8")
            if text.count("\n") > 400 and "Why one module" not in text[:4000]:
                long.append(f"{f.relative_to(REPO)} ({text.count(chr(10))} lines)")
    assert not long, f"split these modules or say at their top why not: {long}"


def test_no_bench_script_hides_a_standard_module() -> None:
    """A bench script runs with bench/ first on sys.path: one named like a standard module
    (``queue.py``) would be imported instead of it by every other bench script's libraries."""
    import sys

    clashes = sorted(f.name for f in (REPO / "bench").glob("*.py") if f.stem in sys.stdlib_module_names)
    assert not clashes, f"rename these bench scripts: {clashes}"
