"""Imports point one way: a circle of modules (counting imports inside functions and under TYPE_CHECKING) fails here."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import import_graph  # noqa: E402


def test_no_import_circle():
    """The runtime reads bottom-up (sources/loader -> zygote, wire -> managers -> faces), hygiene figures ->
    recommendations -> report: none of rewardbox's modules imports one that imports it back."""
    assert import_graph.cycles(import_graph.graph()) == []


def test_the_checker_sees_function_level_and_type_checking_imports(tmp_path):
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert import_graph.cycles(edges) == [["a", "b", "c"]]
    module = tmp_path / "m.py"
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .x import X\ndef f():\n    from . import y\n")
    assert import_graph.imports_of("pkg.m", module, {"pkg.m", "pkg.x", "pkg.y", "pkg"}) == {"pkg.x", "pkg.y"}
