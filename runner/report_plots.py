"""Plots of a hygiene report as PNG images, drawn with matplotlib's object API (no pyplot, no global backend).

matplotlib is the ``report`` extra; it is imported only when a plot is drawn.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from rewardbox.graders.hygiene import Bin, HygieneReport

from .errors import UsageError

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Colours of the group outcomes, shared by every plot (and the HTML legend).
COLOURS = {"min": "#d62728", "max": "#ff7f0e", "other": "#7f7f7f", "mixed": "#2ca02c", "bar": "#1f77b4"}


@dataclass(frozen=True)
class Plot:
    """One rendered plot: a file-name stem, a caption, and the PNG bytes."""

    name: str
    title: str
    png: bytes


def require_matplotlib() -> None:
    """Raise ``UsageError`` saying how to install matplotlib when it is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("plots need matplotlib: pip install 'rewardbox[report]' (or use --format text or json)") from None


def plots(report: HygieneReport) -> list[Plot]:
    """Reward histogram, per-group spread, group outcomes and, when groups carry steps, trends per step."""
    require_matplotlib()
    from matplotlib.figure import Figure

    drawings: list[tuple[str, str, Callable[[Figure, HygieneReport], None]]] = [
        ("score_histogram", "Scores of all completions", _score_histogram),
        ("group_spread", "Spread of scores within each group (population std)", _group_spread),
        ("group_outcomes", "Groups without signal (ALL-min, ALL-max, other constant) and mixed groups", _group_outcomes),
    ]
    if report.steps:
        drawings.append(("steps", "Trends per training step", _steps))
    rendered = []
    for name, title, draw in drawings:
        figure = Figure(figsize=(6.4, 3.4 if name != "steps" else 5.4), dpi=100, layout="constrained")
        draw(figure, report)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        rendered.append(Plot(name, title, buffer.getvalue()))
    return rendered


def _bar_labels(bins: list[Bin]) -> list[str]:
    return [f"{b.low:g}" if b.low == b.high else f"{b.low:.3g}–{b.high:.3g}" for b in bins]


def _categorical_bars(axes: Axes, labels: list[str], counts: list[int], colours: list[str]) -> None:
    """Bars at 0..n-1 labelled with ``labels``, thinning the tick labels when there are many."""
    positions = range(len(labels))
    axes.bar(positions, counts, color=colours)
    step = max(1, len(labels) // 8)
    axes.set_xticks(list(positions)[::step], labels[::step], rotation=30 if step > 1 or len(labels) > 6 else 0, ha="right" if step > 1 else "center")


def _score_histogram(figure: Figure, report: HygieneReport) -> None:
    axes = figure.subplots()
    bins = report.score_histogram
    low, high = report.score_range
    colours = [COLOURS["min"] if b.high <= low else COLOURS["max"] if b.low >= high else COLOURS["bar"] for b in bins]
    _categorical_bars(axes, _bar_labels(bins), [b.count for b in bins], colours)
    axes.set_xlabel("score")
    axes.set_ylabel("completions")


def _group_spread(figure: Figure, report: HygieneReport) -> None:
    axes = figure.subplots()
    bins = report.group_std_histogram
    labels = ["constant", *(f"{b.low:.3g}–{b.high:.3g}" for b in bins[1:])]
    _categorical_bars(axes, labels, [b.count for b in bins], [COLOURS["min"], *[COLOURS["bar"]] * (len(bins) - 1)])
    axes.set_xlabel("std of the scores within a group")
    axes.set_ylabel("groups")


def _group_outcomes(figure: Figure, report: HygieneReport) -> None:
    axes = figure.subplots()
    low, high = report.score_range
    labels = [f"ALL-min ({low:g})", f"ALL-max ({high:g})", "other constant", "mixed"]
    fractions = [report.all_min_fraction, report.all_max_fraction, report.other_constant_fraction, 1 - report.no_signal_fraction]
    bars = axes.bar(labels, fractions, color=[COLOURS[key] for key in ("min", "max", "other", "mixed")])
    axes.bar_label(bars, labels=[f"{fraction:.0%}" for fraction in fractions])
    axes.set_ylim(0, 1.1)
    axes.set_ylabel("fraction of groups")


def _steps(figure: Figure, report: HygieneReport) -> None:
    from matplotlib.ticker import MaxNLocator

    reward, fractions = figure.subplots(2, 1, sharex=True)
    steps = [s.step for s in report.steps]
    means = [s.reward_mean for s in report.steps]
    stds = [s.reward_std for s in report.steps]
    reward.plot(steps, means, marker="o", color=COLOURS["bar"], label="reward mean")
    reward.fill_between(steps, [m - s for m, s in zip(means, stds)], [m + s for m, s in zip(means, stds)], alpha=0.2, color=COLOURS["bar"], label="± std")
    reward.set_ylabel("reward")
    reward.legend(loc="best", fontsize="small")
    series = [
        ("no signal", [s.no_signal_fraction for s in report.steps], "black"),
        ("ALL-min", [s.all_min_fraction for s in report.steps], COLOURS["min"]),
        ("ALL-max", [s.all_max_fraction for s in report.steps], COLOURS["max"]),
        ("truncated", [s.truncation_fraction for s in report.steps], "#9467bd"),
        ("errors", [s.error_fraction for s in report.steps], "#8c564b"),
    ]
    for label, values, colour in series:
        if any(value is not None for value in values):
            fractions.plot(steps, [float("nan") if value is None else value for value in values], marker=".", label=label, color=colour)
    fractions.set_ylim(-0.02, 1.02)
    fractions.set_xlabel("step")
    fractions.set_ylabel("fraction")
    fractions.xaxis.set_major_locator(MaxNLocator(integer=True))
    figure.legend(*fractions.get_legend_handles_labels(), loc="outside lower center", fontsize="small", ncol=5)
