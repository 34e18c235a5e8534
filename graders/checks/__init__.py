"""Property checks of a reward, through the sandbox: is it deterministic, in range, robust, consistent with its ground truth?

::

    properties.py   run_checks: each property, run with hypothesis and on probe completions
    run.py          the graders a check run uses, and turning results into counterexamples
    report.py       CheckReport and its parts (pure data: what `rewardbox check` prints and writes)
    probes.py       probe completions around real ground truths (right, wrong, hedged, hostile, in each format)
    strategies.py   hypothesis strategies users reuse in their own tests

Names are imported on first use: ``report`` and ``probes`` are read without hypothesis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

_EXPORTS = {
    "run_checks": "properties",
    "CheckReport": "report",
    "PropertyResult": "report",
    "PROPERTIES": "report",
    "CAUSES": "report",
}
__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from .properties import run_checks
    from .report import CAUSES, PROPERTIES, CheckReport, PropertyResult
