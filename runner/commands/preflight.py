"""``rewardbox preflight``: lint, property checks, grading and the hygiene report of a reward, one verdict for CI.

::

    REWARD ──lint_reward──▶ findings ─┐
    --data ──run_checks──▶ properties ├─▶ items (stage, severity, finding, action) ──▶ verdict pass | warn | fail
    --samples ─grade─▶ hygiene report ┤
    (no samples) ─probes─▶ signal ────┘

Each stage turns its own result into ``Item``s (pure functions below); the verdict
is the worst severity among them. Without sample groups, the reward is probed
with completions derived from each ground truth (the answer in common formats,
wrong answers, cut-off and unrelated text, empty text) to see whether it can tell
a right answer from a wrong one at all.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import time
from pathlib import Path
from typing import Literal, Sequence

from pydantic import BaseModel, Field
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rewardbox.graders import Binding, Grader
from rewardbox.graders.checks import CheckReport, run_checks
from rewardbox.graders.hygiene import HygieneReport
from rewardbox.graders.lint import Finding, lint_reward

from .advise import data_evidence
from ..datasource import Columns, SourceError, read_table
from ..errors import UsageError
from ..jsonl import open_output, read_lines, read_objects
from ..training.method_choice import CheckEvidence, Evidence, MethodAdvice, RewardEvidence, recommend_method
from ..options import REWARD_DESC, add_grader_options, grader_options
from ..probing import ProbeSummary, as_truth, probe_results, probe_rows, probe_summary, probeable
from .report import graded_report, read_samples

Stage = Literal["data", "lint", "checks", "exploits", "probes", "samples"]
GAMED = "can it be gamed"  # the heading of the exploits stage
DEFAULT_RANGE = (0.0, 1.0)
PROBE_SIGNAL_WARNING = 0.9  # below this share of prompts where a right answer beats every wrong one: warn
CHECK_WARNINGS = frozenset({"latency"})  # failed properties that slow training down rather than mislead it

DATA_DESC = (
    'prompts JSONL, one {"prompt": ..., "ground_truth": any JSON value (optional), ...fields} a line: the rows to '
    "check and probe with (text and number ground truths are probed; a reward naming other fields gets them)"
)
SAMPLES_DESC = "sampled groups JSONL (as for rewardbox report): graded with REWARD and reported; without it, REWARD is probed"
FAIL_ON_DESC = "exit 1 on a verdict of fail (error, default) or also on warn (warning)"
MAX_EXAMPLES_DESC = "generated inputs per property check (default 40; more finds rarer failures and takes longer)"
PROBE_PROMPTS_DESC = "ground truths from --data to probe with, at most (default 50)"
PREFLIGHT_RANGE_DESC = "the reward's minimum and maximum LO,HI (default 0,1): checked in range, and what ALL-min/ALL-max mean"


class Verdict(str, enum.Enum):
    passed = "pass"
    warned = "warn"
    failed = "fail"


class Item(BaseModel):
    """One thing preflight found, from one stage, and what to do about it."""

    stage: Stage
    severity: Literal["error", "warning", "info"]
    finding: str
    action: str


class PreflightReport(BaseModel):
    """Everything preflight ran and the verdict (its JSON is the ``--format json`` output)."""

    reward: str
    verdict: Verdict
    items: list[Item]
    lint: list[Finding]
    checks: CheckReport
    probes: ProbeSummary
    report: HygieneReport | None
    method: MethodAdvice | None  # GRPO or SFT, from the checks and probes (as ``rewardbox advise``); None if --data cannot say
    seconds: float


# ---- pure: stage results into items, items into a verdict --------------------------------------------


def lint_items(findings: Sequence[Finding]) -> list[Item]:
    return [
        Item(
            stage="lint",
            severity=finding.severity,
            finding=f"{finding.path}:{finding.line}:{finding.col}: {finding.code} {finding.message}",
            action=f"fix it (the rule is explained in docs/lint-rules.md#{finding.code.lower()}), or add `# noqa: {finding.code}` on the line if it is intended",
        )
        for finding in findings
        if finding.severity != "info"
    ]


def check_items(report: CheckReport) -> list[Item]:
    items = []
    for result in report.results:
        if result.passed or result.skipped or result.property.startswith("exploit:"):
            continue
        example = result.counterexample
        shown = f" (input {example.completion[:80]!r} with ground truth {example.ground_truth[:40]!r})" if example else ""
        causes = "; ".join(f"{cause.name}: {cause.fix}" for cause in example.causes) if example and example.causes else ""
        items.append(
            Item(
                stage="checks",
                severity="warning" if result.property in CHECK_WARNINGS else "error",
                finding=f"{result.property} failed: {result.details}{shown}",
                action=causes or f"run `rewardbox check REWARD --format json` for the shrunk counterexample of {result.property}",
            )
        )
    return items


def exploit_items(report: CheckReport) -> list[Item]:
    """One warning per exploit family that worked, with its example: a policy will find what the probes found."""
    items = []
    for result in report.results:
        if result.passed or result.skipped or not result.property.startswith("exploit:"):
            continue
        example = result.counterexample
        assert example is not None and example.causes
        scores = f"scored {example.observations[0].score:g} where its plain wrong answer scores {example.observations[1].score:g}"
        lint = f" (rewardbox lint: {example.causes[0].lint_rule})" if example.causes[0].lint_rule else ""
        items.append(
            Item(
                stage="exploits",
                severity="warning",
                finding=f"{result.property}: worked on {result.stats['rows_gamed']:.0f} of {result.stats['rows']:.0f} rows; "
                f"{example.completion[:120]!r} {scores} (ground truth {example.ground_truth[:40]!r}): {example.causes[0].explanation}",
                action=f"{example.causes[0].fix}{lint}; docs/exploits.md#{result.property.removeprefix('exploit:')}",
            )
        )
    return items


def report_items(report: HygieneReport) -> list[Item]:
    return [
        Item(stage="samples", severity=item.severity.value, finding=f"{item.code}: {item.finding}", action=item.action)
        for item in report.recommendations
        if item.severity.value != "info"
    ]


def probe_items(summary: ProbeSummary, samples: bool = False) -> list[Item]:
    items = []
    if summary.skipped:
        unknown = summary.prompts == 0 and not samples  # nothing shows the reward gives signal
        items.append(
            Item(
                stage="probes",
                severity="warning" if unknown else "info",
                finding=f"{summary.skipped} ground truths are {'/'.join(summary.skipped_kinds)}: the probes write an answer only "
                "for text and number ground truths, so they were not probed" + (" (nothing was)" if summary.prompts == 0 else ""),
                action="give --samples (sampled groups) to see the reward's signal on real completions" if unknown
                else "nothing to do: the other ground truths were probed" if summary.prompts else "nothing to do: --samples shows the signal",
            )
        )
    if summary.prompts == 0:
        return items
    failures = sum(count for status, count in summary.status_counts.items() if status != "ok")
    if failures:
        items.append(
            Item(
                stage="probes",
                severity="error",
                finding=f"{failures} of {sum(summary.status_counts.values())} probe calls failed ({_counts(summary.status_counts)})",
                action="fix the reward so it scores every completion: a failed call trains as the failure score",
            )
        )
    examples = ", ".join(repr(truth[:40]) for truth in summary.no_signal_examples)
    if summary.signal_fraction == 0:
        items.append(
            Item(
                stage="probes",
                severity="error",
                finding=f"on none of {summary.prompts} prompts does a right answer score above every wrong one (e.g. {examples})",
                action="the reward gives no learning signal: check how it extracts the answer and parses the ground truths",
            )
        )
    elif summary.signal_fraction < PROBE_SIGNAL_WARNING:
        items.append(
            Item(
                stage="probes",
                severity="warning",
                finding=f"on {1 - summary.signal_fraction:.0%} of prompts no right answer scores above every wrong one (e.g. {examples})",
                action="those ground truths are probably not parsed by the reward; fix them in the data or teach the reward their format",
            )
        )
    return items


def verdict(items: Sequence[Item]) -> Verdict:
    severities = {item.severity for item in items}
    return Verdict.failed if "error" in severities else Verdict.warned if "warning" in severities else Verdict.passed


def exit_code(result: Verdict, fail_on: Literal["warning", "error"]) -> int:
    return int(result is Verdict.failed or (fail_on == "warning" and result is Verdict.warned))


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {status}" for status, count in sorted(counts.items()) if status != "ok")


# ---- the command -----------------------------------------------------------------------------------------


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "preflight",
        help="lint, property checks, grading and hygiene report of a reward: one verdict for CI",
        description="Run everything rewardbox knows about REWARD before training on it: lint its source, check its "
        "properties (determinism, range, robustness, gold consistency, latency) and whether it can be gamed (the exploit "
        "probes of docs/exploits.md) on the rows of --data, and "
        "either grade --samples and report their hygiene or probe the reward with completions derived from each "
        "ground truth. Prints what was checked, what failed and what to do, and a verdict: pass, warn or fail. "
        "Exit status: 0 when the verdict is below --fail-on, 1 when it reaches it, 2 for usage or load errors.",
    )
    parser.add_argument("reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("--data", required=True, metavar="PROMPTS.jsonl", help=DATA_DESC)
    parser.add_argument("--samples", metavar="SAMPLES.jsonl", help=SAMPLES_DESC)
    parser.add_argument("--format", choices=("text", "json", "md"), default="text", help="output format (default text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the result here instead of stdout")
    parser.add_argument("--fail-on", choices=("warning", "error"), default="error", help=FAIL_ON_DESC)
    parser.add_argument("--max-examples", type=int, default=40, metavar="N", help=MAX_EXAMPLES_DESC)
    parser.add_argument("--probe-prompts", type=int, default=50, metavar="N", help=PROBE_PROMPTS_DESC)
    add_grader_options(parser.add_argument_group("grading"), range_help=PREFLIGHT_RANGE_DESC)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the verdict is below ``--fail-on``, 1 when it reaches it, 2 on usage or load errors."""
    if args.max_examples < 1 or args.probe_prompts < 1:
        raise UsageError("--max-examples and --probe-prompts must be at least 1")
    options = grader_options(args)
    result = run_preflight(
        args.reward,
        args.data,
        samples=args.samples,
        max_examples=args.max_examples,
        probe_prompts=args.probe_prompts,
        score_range=options.pop("score_range") or DEFAULT_RANGE,
        grader_options=options,
        console=Console(stderr=True),
    )
    _write(result, args.format, args.output)
    return exit_code(result.verdict, args.fail_on)


def run_preflight(
    reward: str,
    data: str,
    *,
    samples: str | None = None,
    max_examples: int = 40,
    probe_prompts: int = 50,
    score_range: tuple[float, float] = DEFAULT_RANGE,
    grader_options: dict | None = None,
    console: Console | None = None,
) -> PreflightReport:
    """Lint, check and grade ``reward`` on the prompts file ``data`` (and the sample groups file ``samples``).

    ``grader_options`` are ``Grader`` keywords (timeout, workers, isolation, params, ...).
    Raises ``UsageError`` for unusable files and ``RewardLoadError`` when the reward cannot load.
    """
    console = console or Console(stderr=True, quiet=True)
    options = dict(grader_options or {})
    started = time.monotonic()
    lines, items = _read_data(data)
    if not lines:
        raise UsageError(f"--data {data}: no row (a JSON object a line)")

    with console.status("lint") if console.is_terminal else contextlib.nullcontext():
        findings = lint_reward(reward)
    items += lint_items(findings)

    report = None
    try:
        grader = Grader(reward, score_range=score_range, **options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with grader:
        rows, unfit = fit_rows(lines, grader.binding, data)
        items += unfit
        if not rows:
            raise UsageError(f"--data {data}: no row {grader.binding.signature} can grade ({unfit[0].finding})")
        check_options = {key: value for key, value in options.items() if key not in ("calls_per_process", "mode")}
        with console.status("property checks") if console.is_terminal else contextlib.nullcontext():
            checks = run_checks(reward, examples=rows, max_examples=max_examples, score_range=score_range, grader_options=check_options)
        items += check_items(checks) + exploit_items(checks)
        probed, skipped = probeable([as_truth(row) for row in rows])
        probed = probed[:probe_prompts]
        probes = probe_summary(probed, probe_results(grader, probed, console), score_range, skipped)
        items += probe_items(probes, samples=bool(samples))
        if grader.mode == "fresh" and _passed(checks, "determinism"):
            with console.status("warm mode") if console.is_terminal else contextlib.nullcontext():
                items += warm_items(grader, reward, options, probe_rows(probed)[1] or [{**row, "completion": ""} for row in rows])
        if samples:
            report, sample_items = _samples(grader, samples, score_range, console)
            items += sample_items
        described = grader.source.describe()
    method = _advise(data, described, checks, probes)
    return PreflightReport(
        reward=described,
        verdict=verdict(items),
        items=sorted(items, key=lambda item: ("error", "warning", "info").index(item.severity)),
        lint=findings,
        checks=checks,
        probes=probes,
        report=report,
        method=method,
        seconds=round(time.monotonic() - started, 2),
    )


WARM_SAMPLE = 400  # calls preflight times in each mode


def _passed(checks: CheckReport, name: str) -> bool:
    return any(r.property == name and r.passed and not r.skipped for r in checks.results)


def warm_items(grader: Grader, reward: str, options: dict, rows: Sequence) -> list[Item]:
    """Whether ``mode="warm"`` gives this reward the same results as its fresh grader, and how much faster it is."""
    rows = list(rows)[:WARM_SAMPLE]
    if len(rows) < 20:
        return []
    timed: dict[str, tuple[float, list]] = {}
    warm_options = {key: value for key, value in options.items() if key not in ("calls_per_process", "mode")}
    with Grader(reward, mode="warm", **warm_options) as warm:
        for name, each in (("fresh", grader), ("warm", warm)):
            each.grade_batch(rows[:10])
            started = time.perf_counter()
            results = each.grade_batch(rows)
            timed[name] = (time.perf_counter() - started, [(r.score, r.status) for r in results])
    (fresh_s, fresh), (warm_s, warm_results) = timed["fresh"], timed["warm"]
    rates = f"fresh {len(rows) / fresh_s:.0f} calls/s, warm {len(rows) / warm_s:.0f} calls/s"
    if warm_results != fresh:
        differ = sum(a != b for a, b in zip(fresh, warm_results))
        return [Item(stage="checks", severity="warning", finding=f"mode='warm' scored {differ} of {len(rows)} calls differently from fresh processes ({rates})",
                     action="keep the default (fresh); the reward keeps state between calls that warm mode's checks do not see")]
    return [Item(stage="checks", severity="info",
                 finding=f"mode='warm' gives the same {len(rows)} results as fresh processes, {fresh_s / warm_s:.1f}x faster ({rates})",
                 action="for your own trusted code, grade and train with --mode warm (reward_mode = \"warm\"); keep fresh for code you do not trust")]


def _advise(data: str, reward: str, checks: CheckReport, probes: ProbeSummary | None) -> MethodAdvice | None:
    """``rewardbox advise``'s recommendation from the evidence preflight already has (None when --data has malformed lines)."""
    try:
        table = read_table(data)
    except SourceError:
        return None
    evidence = RewardEvidence(reward=reward, checks=[CheckEvidence.from_result(result) for result in checks.results], probes=probes)
    return recommend_method(Evidence(data=data_evidence(table, Columns()), reward=evidence))


def _read_data(path: str) -> tuple[list[tuple[int, dict]], list[Item]]:
    """(line number, row) of each JSON object line of ``path``, and an error item for every other line."""
    rows, items = [], []
    for line in read_lines(path, read_objects, f"--data {path}"):
        if line.error:
            items.append(Item(stage="data", severity="error", finding=f"{path}:{line.number}: {line.error}", action=_FIX_LINE))
        else:
            rows.append((line.number, line.record))
    return rows, items


_FIX_LINE = "fix or remove the line: training would stop on it or skip it"


def fit_rows(lines: Sequence[tuple[int, dict]], binding: Binding, path: str) -> tuple[list[dict], list[Item]]:
    """The rows ``binding`` can grade, and an error item naming each line that lacks a field the reward requires
    or a ground truth it takes without a default (training stops on such a prompt)."""
    rows, items = [], []
    for number, row in lines:
        missing = binding.missing(row)
        if missing:
            named = ", ".join(repr(name) for name in missing)
            items.append(Item(stage="data", severity="error", finding=f"{path}:{number}: no {named}, which {binding.signature} takes without a default", action=_FIX_LINE))
        else:
            rows.append(row)
    return rows, items


def _samples(grader: Grader, path: str, score_range: tuple[float, float], console: Console) -> tuple[HygieneReport, list[Item]]:
    groups, malformed = read_samples(path)
    items = [Item(stage="samples", severity="error", finding=f"{path}:{bad.line}: {bad.error}", action="fix or remove the line") for bad in malformed]
    if not groups:
        raise UsageError(f"--samples {path}: no valid sample group")
    report = graded_report(grader, groups, score_range, console)
    return report.model_copy(update={"malformed_lines": malformed}), items + report_items(report)


# ---- rendering -------------------------------------------------------------------------------------------

_STYLE = {"error": "red", "warning": "yellow", "info": "dim", Verdict.passed: "bold green", Verdict.warned: "bold yellow", Verdict.failed: "bold red"}


def stage_lines(result: PreflightReport) -> list[tuple[str, str]]:
    """(stage, what it found in one line) for each stage that ran."""
    errors = sum(f.severity == "error" for f in result.lint)
    warnings = sum(f.severity == "warning" for f in result.lint)
    lines = [("lint", f"{len(result.lint)} findings ({errors} errors, {warnings} warnings)")]
    done = [r for r in result.checks.results if not r.skipped]
    core = [r for r in done if not r.property.startswith("exploit:")]
    failed = [r.property for r in core if not r.passed]
    lines.append(("checks", f"{len(core) - len(failed)} of {len(core)} properties passed" + (f"; failed: {', '.join(failed)}" if failed else "") + f" ({result.checks.seconds:.1f} s)"))
    families = [r for r in done if r.property.startswith("exploit:")]
    gamed = [r.property.removeprefix("exploit:") for r in families if not r.passed]
    lines.append((GAMED, f"{len(gamed)} of {len(families)} exploit families worked" + (f": {', '.join(gamed)}" if gamed else "") if families else "no exploit family applies to these rows"))
    p = result.probes
    left_out = f"; {p.skipped} {'/'.join(p.skipped_kinds)} ground truths not probed" if p.skipped else ""
    if p.prompts:
        lines.append(("probes", f"{p.prompts} ground truths: right beats wrong on {p.signal_fraction:.0%}, gold scores the maximum on {p.gold_max_fraction:.0%}, wrong/empty score the minimum on {p.wrong_min_fraction:.0%}{left_out}"))
    else:
        lines.append(("probes", f"none: no text or number ground truth to write an answer for{left_out}"))
    if result.report is not None:
        r = result.report
        lines.append(("samples", f"{r.num_groups} groups, {r.num_completions} completions: reward mean {r.reward_mean:.3f}, no signal {r.no_signal_fraction:.0%} (ALL-min {r.all_min_fraction:.0%}, ALL-max {r.all_max_fraction:.0%})"))
    if result.method is not None:
        lines.append(("method", f"{result.method.method.upper()} (as rewardbox advise; all reasons in --format json): {result.method.reasons[-1]}"))
    return lines


def render_text(result: PreflightReport) -> Table:
    table = Table(title=f"preflight: {result.reward}", show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    for stage, line in stage_lines(result):
        table.add_row(stage, line)
    for item in result.items:
        table.add_row(Text(item.severity, style=_STYLE[item.severity]), Text(f"[{item.stage}] {item.finding}\n  → {item.action}"))
    table.add_row("verdict", Text(f"{result.verdict.value} ({result.seconds:.1f} s)", style=_STYLE[result.verdict]))
    return table


def render_markdown(result: PreflightReport) -> str:
    lines = [f"# Preflight: `{result.reward}`", "", f"**Verdict: {result.verdict.value}** ({result.seconds:.1f} s)", ""]
    lines += [f"- **{stage}**: {line}" for stage, line in stage_lines(result)]
    if result.items:
        lines += ["", "| severity | stage | finding | action |", "|---|---|---|---|"]
        lines += [f"| {item.severity} | {item.stage} | {_cell(item.finding)} | {_cell(item.action)} |" for item in result.items]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _write(result: PreflightReport, fmt: str, output: str | None) -> None:
    with open_output(output) as stream:
        if fmt == "json":
            stream.write(result.model_dump_json(indent=2) + "\n")
        elif fmt == "md":
            stream.write(render_markdown(result))
        else:
            Console(file=stream, width=None if stream.isatty() else 120).print(render_text(result))
    if output not in (None, "-"):
        Console(stderr=True).print(f"preflight: {result.verdict.value}, written to {Path(output)}")
