"""A hygiene report as terminal text (rich), JSON, Markdown or one self-contained HTML file.

Every format shows the same rows (``figure_rows``), each marked with the worst
severity among the recommendations that name one of its report keys, then the
recommendations themselves; Markdown and HTML add the plots of ``report_plots``.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from typing import Callable

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from rewardbox.graders.hygiene import HygieneReport, StepFigures
from rewardbox.graders.hygiene.recommendations import Recommendation, Severity

from .report_plots import Plot, plots

TITLE = "Reward hygiene report"
RICH_STYLES = {Severity.error: "bold red", Severity.warning: "yellow", Severity.info: "cyan", None: ""}
MARKS = {Severity.error: "✖ error", Severity.warning: "⚠ warning", Severity.info: "ℹ info", None: ""}


@dataclass(frozen=True)
class Row:
    """One line of the figures table: a label, its value as text, and the worst severity that concerns it."""

    label: str
    value: str
    severity: Severity | None


def _pct(fraction: float | None) -> str:
    return "not known" if fraction is None else f"{fraction:.1%}"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def figure_rows(report: HygieneReport) -> list[Row]:
    """The report's figures as labelled rows, in reading order."""
    order = list(Severity)

    def row(label: str, value: str, *keys: str) -> Row:
        concerned = [r.severity for r in report.recommendations if set(r.figures) & set(keys)]
        return Row(label, value, min(concerned, key=order.index) if concerned else None)

    low, high = report.score_range
    sizes = f"{report.group_size} per group" if report.group_size else "sizes " + ", ".join(f"{size}×{count}" for size, count in report.group_size_counts.items())
    range_note = "given" if report.score_range_source == "given" else "inferred from the scores: pass --range LO,HI to set it"
    rows = [
        row("groups", f"{report.num_groups:,} groups, {report.num_completions:,} completions, {sizes}", "num_groups", "group_size_counts"),
        row("scores", "graded here" if report.score_source == "fresh" else "stored in the input", "score_source"),
        row("score range", f"[{low:g}, {high:g}] ({range_note})", "score_range"),
        row("reward mean ± std", f"{report.reward_mean:.3f} ± {report.reward_std:.3f}", "reward_mean", "reward_std"),
        row("mean std within a group", f"{report.per_group_std_mean:.3f}", "per_group_std_mean"),
        row("no signal (constant groups)", _pct(report.no_signal_fraction), "no_signal_fraction"),
        row(f"  ALL-min (all {low:g})", _pct(report.all_min_fraction), "all_min_fraction"),
        row(f"  ALL-max (all {high:g})", _pct(report.all_max_fraction), "all_max_fraction"),
        row("  other constant", _pct(report.other_constant_fraction), "other_constant_fraction"),
    ]
    if report.status_counts:
        failed = ", ".join(f"{status} {count}" for status, count in report.status_counts.items() if status != "ok" and count)
        rows.append(row("grading failures", f"{_pct(report.error_fraction)}" + (f" ({failed})" if failed else ""), "status_counts", "error_fraction"))
    else:
        rows.append(row("grading failures", "not known (no statuses: grade with --reward)", "error_fraction"))
    truncation = _pct(report.truncation_fraction)
    if report.truncation_fraction is not None:
        truncation += f" (mean score truncated {_num(report.truncated_mean_score)}, finished {_num(report.finished_mean_score)})"
    else:
        truncation += " (no stop_reasons)"
    rows += [
        row("truncated (stop reason length)", truncation, "truncation_fraction", "truncated_mean_score", "finished_mean_score"),
        row("distinct scores", str(report.distinct_values), "distinct_values"),
        row("mean length", f"{report.mean_length:.1f} {report.length_unit}", "mean_length"),
        row("length–score correlation (within groups)", "–" if report.length_reward_correlation is None else f"{report.length_reward_correlation:+.2f}", "length_reward_correlation"),
        row("empty completions", f"{_pct(report.empty_completion_fraction)}" + (f" (mean score {_num(report.empty_mean_score)})" if report.empty_mean_score is not None else ""), "empty_completion_fraction", "empty_credited", "empty_mean_score"),
    ]
    hacking = report.hacking
    signals = ", ".join(f"{signal.name} {signal.count}" for signal in hacking.signals)
    rows.append(row("hacking signals (top-scored)", f"{signals or 'none'} among {hacking.rewarded} completions at or near the maximum", "hacking"))
    for signal in hacking.signals:
        for example in signal.examples:
            rows.append(Row(f"  {signal.name}", repr(example[:160]), Severity.warning))
    if report.latency_ms is not None:
        latency = report.latency_ms
        rows.append(row("grading latency (ms)", f"p50 {latency.p50:.1f}, p90 {latency.p90:.1f}, p99 {latency.p99:.1f}, max {latency.max:.1f}", "latency_ms"))
    if report.disagreement is not None:
        found = report.disagreement
        rows.append(row("stored vs fresh scores", f"{found.changed} of {found.compared} changed ({_pct(found.changed_fraction)})", "disagreement"))
    for name, summary in report.components.items():
        rows.append(row(f"component {name}", f"mean {summary.mean:.3f} ± {summary.std:.3f}, constant in {_pct(summary.no_signal_fraction)} of groups", "components"))
    if report.malformed_lines:
        rows.append(Row("malformed input lines (left out)", ", ".join(str(m.line) for m in report.malformed_lines), Severity.error))
    return rows


def step_table(report: HygieneReport) -> tuple[list[str], list[list[str]]]:
    """Column names and one row of text cells per training step; columns no step knows (failures, truncation) are left out."""
    columns: list[tuple[str, Callable[[StepFigures], str]]] = [
        ("step", lambda s: str(s.step)),
        ("groups", lambda s: str(s.num_groups)),
        ("reward mean", lambda s: f"{s.reward_mean:.3f}"),
        ("no signal", lambda s: _pct(s.no_signal_fraction)),
        ("ALL-min", lambda s: _pct(s.all_min_fraction)),
        ("ALL-max", lambda s: _pct(s.all_max_fraction)),
    ]
    if any(s.truncation_fraction is not None for s in report.steps):
        columns.append(("truncated", lambda s: _pct(s.truncation_fraction)))
    if any(s.error_fraction is not None for s in report.steps):
        columns.append(("failures", lambda s: _pct(s.error_fraction)))
    columns.append(("mean length", lambda s: f"{s.mean_length:.1f}"))
    return [name for name, _ in columns], [[cell(s) for _, cell in columns] for s in report.steps]


# ---- terminal ---------------------------------------------------------------------------------


def render_text(report: HygieneReport) -> RenderableType:
    """A compact rich table of the figures (problems in colour), the steps, then the recommendations."""
    table = Table(title=TITLE, show_header=False, title_justify="left", box=None, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column()
    for r in figure_rows(report):
        table.add_row(r.label, Text(r.value, style=RICH_STYLES[r.severity]))
    parts: list[RenderableType] = [table]
    if report.steps:
        names, cells = step_table(report)
        steps = Table(*names, title="per step", title_justify="left", box=None, padding=(0, 2, 0, 0))
        for column in steps.columns:
            column.justify = "right"
        for row_cells in cells:
            steps.add_row(*row_cells)
        parts += [Text(), steps]
    parts.append(Text())
    if not report.recommendations:
        parts.append(Text("No problems found: the samples carry a learning signal.", style="green"))
    for item in report.recommendations:
        parts.append(Text.assemble((f"{MARKS[item.severity]} ", RICH_STYLES[item.severity]), (item.code, "bold"), f": {item.finding}"))
        parts.append(Padding(Text(f"→ {item.action}"), (0, 0, 0, 4)))
    return Group(*parts)


def render_json(report: HygieneReport) -> str:
    return report.model_dump_json(indent=2) + "\n"


# ---- Markdown ---------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _recommendation_md(item: Recommendation) -> str:
    return f"- **{MARKS[item.severity]}** `{item.code}`: {_md_cell(item.finding)}.  \n  {_md_cell(item.action)}"


def render_markdown(report: HygieneReport, image_dir: str | None = None) -> tuple[str, dict[str, bytes]]:
    """Markdown text and the image files it links to (``image_dir/NAME.png``), or no files when images are data URIs.

    With ``image_dir`` None the plots are embedded as data URIs, so the text stands
    alone (for stdout); with a directory, the caller writes the returned files there.
    """
    lines = [f"# {TITLE}", "", "| figure | value | |", "|---|---|---|"]
    lines += [f"| {_md_cell(r.label.strip())} | {_md_cell(r.value)} | {MARKS[r.severity]} |" for r in figure_rows(report)]
    lines += ["", "## Recommendations", ""]
    lines += [_recommendation_md(item) for item in report.recommendations] or ["No problems found: the samples carry a learning signal."]
    if report.steps:
        names, cells = step_table(report)
        lines += ["", "## Per step", "", "| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
        lines += ["| " + " | ".join(row_cells) + " |" for row_cells in cells]
    lines += ["", "## Plots", ""]
    files: dict[str, bytes] = {}
    for plot in plots(report):
        if image_dir is None:
            target = _data_uri(plot)
        else:
            target = f"{image_dir}/{plot.name}.png"
            files[target] = plot.png
        lines += [f"![{plot.title}]({target})", "", f"*{plot.title}*", ""]
    return "\n".join(lines), files


def _data_uri(plot: Plot) -> str:
    return "data:image/png;base64," + base64.b64encode(plot.png).decode("ascii")


# ---- HTML -------------------------------------------------------------------------------------

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
td, th { padding: 0.25rem 0.75rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
.error { color: #b00020; font-weight: bold; } .warning { color: #a15c00; } .info { color: #006680; }
li { margin-bottom: 0.6rem; } figure { margin: 1.5rem 0; } img { max-width: 100%; }
"""


def render_html(report: HygieneReport) -> str:
    """One self-contained HTML page: figures, recommendations, steps and the plots as base64 PNG images."""
    esc = html.escape

    def cls(severity: Severity | None) -> str:
        return f' class="{severity.value}"' if severity else ""

    rows = "\n".join(f"<tr><th>{esc(r.label.strip())}</th><td{cls(r.severity)}>{esc(r.value)}</td></tr>" for r in figure_rows(report))
    advice = "\n".join(
        f"<li><span{cls(item.severity)}>{esc(MARKS[item.severity])}</span> <code>{esc(item.code)}</code>: {esc(item.finding)}.<br>{esc(item.action)}</li>"
        for item in report.recommendations
    ) or "<li>No problems found: the samples carry a learning signal.</li>"
    steps = ""
    if report.steps:
        names, cells = step_table(report)
        header = "".join(f"<th>{esc(name)}</th>" for name in names)
        body = "\n".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row_cells) + "</tr>" for row_cells in cells)
        steps = f"<h2>Per step</h2>\n<table><tr>{header}</tr>\n{body}</table>"
    figures = "\n".join(
        f'<figure><img alt="{esc(plot.title)}" src="{_data_uri(plot)}"><figcaption>{esc(plot.title)}</figcaption></figure>' for plot in plots(report)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{TITLE}</title><style>{_CSS}</style></head>\n<body>\n'
        f"<h1>{TITLE}</h1>\n<table>\n{rows}\n</table>\n<h2>Recommendations</h2>\n<ul>\n{advice}\n</ul>\n{steps}\n"
        f"<h2>Plots</h2>\n{figures}\n</body></html>\n"
    )
