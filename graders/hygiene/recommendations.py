"""What to do about a hygiene report: named rules that follow the GRPO playbook.

Each rule is a small function registered with ``@rule``; its docstring says when
it fires and why it matters, and the docs page ``docs/recommendations.md`` is
generated from these docstrings and from ``Thresholds``. ``recommend(report)``
runs every rule and returns what fired, errors first. Pure computation.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from .figures import HygieneReport, Recommendation, Severity
from .hacking import ADVICE, describe

__all__ = ["RULES", "THRESHOLDS", "Advice", "Recommendation", "Rule", "Severity", "Thresholds", "recommend"]


class Thresholds(BaseModel):
    """The figures at which the rules fire."""

    model_config = ConfigDict(frozen=True)

    mostly: float = Field(0.5, description="fraction of groups from which ALL-min, ALL-max or no signal counts as 'mostly' (warning)")
    nearly_all: float = Field(0.9, description="fraction of groups from which ALL-min, ALL-max or no signal is an error: training would barely learn")
    error_fraction: float = Field(0.05, description="fraction of graded completions with a failure status from which reward_errors is an error (any failure is a warning)")
    truncation_fraction: float = Field(0.1, description="fraction of completions cut off at max_tokens from which truncation fires")
    few_distinct_values: int = Field(2, description="at most this many distinct scores counts as a pass/fail reward")
    few_distinct_no_signal: float = Field(0.25, description="fraction of groups without signal from which a pass/fail reward is told to add partial credit")
    other_constant_fraction: float = Field(0.2, description="fraction of groups constant at a value inside the range from which other_constant fires")
    length_correlation: float = Field(0.3, description="size (absolute value) of the within-group correlation of length and score from which length_reward_correlation fires")
    empty_fraction: float = Field(0.05, description="fraction of empty or whitespace-only completions from which empty_completions fires")
    component_no_signal: float = Field(0.9, description="fraction of groups in which a component is constant from which it counts as giving no signal")
    slow_p99_ms: float = Field(1000.0, description="99th-percentile grading latency (ms) from which slow_reward fires")


THRESHOLDS = Thresholds()


class Advice(NamedTuple):
    """What a rule returns when it fires."""

    severity: Severity
    finding: str
    action: str


Check = Callable[["HygieneReport"], "Advice | None"]


@dataclass(frozen=True)
class Rule:
    """A named check of a report, and the report keys it reads."""

    code: str
    figures: tuple[str, ...]
    check: Check

    @property
    def doc(self) -> str:
        return inspect.getdoc(self.check) or ""


RULES: list[Rule] = []


def rule(*figures: str) -> Callable[[Check], Check]:
    """Register a check under its function name; ``figures`` are the report keys it is about."""

    def register(check: Check) -> Check:
        RULES.append(Rule(check.__name__, figures, check))
        return check

    return register


def recommend(report: HygieneReport) -> list[Recommendation]:
    """Every rule that fires on ``report``, errors first, then in registry order."""
    fired = []
    for entry in RULES:
        advice = entry.check(report)
        if advice is not None:
            fired.append(Recommendation(code=entry.code, severity=advice.severity, finding=advice.finding, action=advice.action, figures=list(entry.figures)))
    order = list(Severity)
    return sorted(fired, key=lambda item: order.index(item.severity))


def _pct(fraction: float) -> str:
    return f"{fraction:.0%}" if fraction >= 0.01 or fraction == 0 else f"{fraction:.2%}"


def _by_share(fraction: float) -> Severity:
    return Severity.error if fraction >= THRESHOLDS.nearly_all else Severity.warning


# ---- the rules, in the order the page lists them ------------------------------------------------


@rule("status_counts", "error_fraction")
def reward_errors(report: HygieneReport) -> Advice | None:
    """Fires when graded completions ended with a status other than ``ok`` (exception, timeout, invalid_return, crashed, ...).

    An error from `error_fraction` of the graded completions on, a warning below
    it. Why: a failed call scores `failure_score` (0.0), which GRPO cannot tell from a
    wrong answer, so a broken reward looks like a hard task and trains on noise.
    """
    if not report.error_fraction:
        return None
    failures = ", ".join(f"{status} {count}" for status, count in report.status_counts.items() if status != "ok" and count)
    severity = Severity.error if report.error_fraction >= THRESHOLDS.error_fraction else Severity.warning
    return Advice(
        severity,
        f"{_pct(report.error_fraction)} of graded completions failed ({failures})",
        "Fix the reward before training: failures score like wrong answers. Grade a few of these completions with "
        "`rewardbox grade` to see each error; raise --timeout or --memory-mb only if the reward is right but slow or large.",
    )


@rule("disagreement")
def scores_changed(report: HygieneReport) -> Advice | None:
    """Fires when a stored score differs from a fresh grading of the same completion.

    Why: if the reward has not changed since the samples were scored, it is not
    deterministic (time, randomness, module state, hash order, load-dependent
    timeouts), and GRPO's advantages follow the noise instead of the answers.
    """
    if report.disagreement is None or not report.disagreement.changed:
        return None
    found = report.disagreement
    first = found.examples[0]
    return Advice(
        Severity.error,
        f"{found.changed} of {found.compared} stored scores changed when graded again "
        f"(e.g. group {first.group}, completion {first.completion}: {first.stored:g} -> {first.fresh:g})",
        "If the reward is unchanged, make it deterministic: run `rewardbox check` (repeats, fresh workers, other hash "
        "seeds) and `rewardbox lint` (time, randomness, module state). If it changed on purpose (or a library such as "
        "math-verify was upgraded), pin the versions and re-score the samples.",
    )


@rule("empty_credited", "empty_mean_score")
def empty_completions_earn_credit(report: HygieneReport) -> Advice | None:
    """Fires when an empty or whitespace-only completion scores above the reward's minimum.

    Why: an empty answer can never be right, so credit for it is a reward hack
    waiting to happen (``gt in answer`` containment checks give an empty
    ``<answer></answer>`` full marks), and the policy will find it.
    """
    if not report.empty_credited:
        return None
    return Advice(
        Severity.error,
        f"{report.empty_credited} empty completion(s) score above the minimum ({report.score_range[0]:g}); "
        f"empty ones score {report.empty_mean_score:.3g} on average",
        "Make empty and unparseable answers score the minimum; look for containment checks (`gt in answer`, "
        "`answer in gt`) with `rewardbox lint`, and test the empty string with `rewardbox check`.",
    )


@rule("all_min_fraction", "truncation_fraction")
def mostly_all_min(report: HygieneReport) -> Advice | None:
    """Fires when at least `mostly` of the groups score the minimum on every completion (ALL-0); an error from `nearly_all`.

    Why: an ALL-min group has zero advantage everywhere, so GRPO learns nothing
    from it; when most groups are ALL-min the task is too hard for the policy, or
    the reward cannot give credit (a format it never matches, answers cut off).
    """
    if report.all_min_fraction < THRESHOLDS.mostly:
        return None
    actions = [
        "simplify or filter the prompts (an easier curriculum first)",
        "add partial credit (format, intermediate steps)",
        "raise the sampling temperature or the group size",
    ]
    if report.truncation_fraction is not None and report.truncation_fraction >= THRESHOLDS.truncation_fraction:
        actions.insert(0, f"raise max_tokens ({_pct(report.truncation_fraction)} of completions were cut off)")
    return Advice(
        _by_share(report.all_min_fraction),
        f"{_pct(report.all_min_fraction)} of groups score the minimum ({report.score_range[0]:g}) on every completion: no learning signal",
        "Make the task learnable: " + "; ".join(actions) + ". Check with `rewardbox check` that a correct answer "
        "can reach the maximum at all.",
    )


@rule("all_max_fraction")
def mostly_all_max(report: HygieneReport) -> Advice | None:
    """Fires when at least `mostly` of the groups score the maximum on every completion (ALL-1); an error from `nearly_all`.

    Why: an ALL-max group has zero advantage too. Either the policy already
    solves these prompts (nothing left to learn) or the reward is too lenient
    and scores wrong answers as right.
    """
    if report.all_max_fraction < THRESHOLDS.mostly:
        return None
    return Advice(
        _by_share(report.all_max_fraction),
        f"{_pct(report.all_max_fraction)} of groups score the maximum ({report.score_range[1]:g}) on every completion: no learning signal",
        "Spot-check a sample of these groups by hand: a lenient reward (containment, the last number anywhere) "
        "passes wrong answers (`rewardbox lint`). If they are right, save a checkpoint and raise the difficulty "
        "(drop solved prompts, harder data).",
    )


@rule("no_signal_fraction")
def mostly_no_signal(report: HygieneReport) -> Advice | None:
    """Fires when at least `mostly` of the groups are constant but neither ALL-min nor ALL-max alone reaches `mostly`.

    An error from `nearly_all`. Why: constant groups, of whatever kind, give zero
    advantages; the sampling budget spent on them is wasted.
    """
    if report.no_signal_fraction < THRESHOLDS.mostly or max(report.all_min_fraction, report.all_max_fraction) >= THRESHOLDS.mostly:
        return None
    return Advice(
        _by_share(report.no_signal_fraction),
        f"{_pct(report.no_signal_fraction)} of groups give no signal (ALL-min {_pct(report.all_min_fraction)}, "
        f"ALL-max {_pct(report.all_max_fraction)}, other constant {_pct(report.other_constant_fraction)})",
        "Rebalance the prompts towards ones the policy sometimes solves, raise the group size or temperature, "
        "and give partial credit; drop constant groups from the batch so they do not dilute the update.",
    )


@rule("other_constant_fraction")
def other_constant(report: HygieneReport) -> Advice | None:
    """Fires when at least `other_constant_fraction` of the groups are constant at a score strictly between the minimum and maximum.

    Why: a constant in-between score usually comes from one term every completion
    earns (a format point) while the main term never varies, or from a
    failure score that is not the minimum; either way the group teaches nothing.
    """
    if report.other_constant_fraction < THRESHOLDS.other_constant_fraction:
        return None
    return Advice(
        Severity.warning,
        f"{_pct(report.other_constant_fraction)} of groups are constant at a score between the minimum and maximum",
        "Look at the reward's terms (record components with `record_components` to see them in this report): a term "
        "every completion earns adds no signal. If the range is wrong, pass --range LO,HI.",
    )


@rule("distinct_values", "no_signal_fraction")
def few_distinct_values(report: HygieneReport) -> Advice | None:
    """Fires when the reward gives at most `few_distinct_values` distinct scores and at least `few_distinct_no_signal` of the groups give no signal.

    Why: a pass/fail reward gives no gradient until some completion in a group
    passes; partial credit turns near misses into signal.
    """
    if report.distinct_values > THRESHOLDS.few_distinct_values or report.no_signal_fraction < THRESHOLDS.few_distinct_no_signal:
        return None
    return Advice(
        Severity.info,
        f"only {report.distinct_values} distinct score(s), and {_pct(report.no_signal_fraction)} of groups give no signal",
        "Add partial credit (e.g. a small score for the right format or a parseable answer, or a graded "
        "closeness) so that groups that all miss still rank their completions.",
    )


@rule("truncation_fraction", "truncated_mean_score", "finished_mean_score")
def truncation(report: HygieneReport) -> Advice | None:
    """Fires when at least `truncation_fraction` of the completions stopped at the token limit (stop reason ``length``).

    Why: a cut-off completion rarely reaches its final answer, so it scores the
    minimum and the policy is pushed away from long reasoning; with most
    completions cut off, whole groups become ALL-0.
    """
    if report.truncation_fraction is None or report.truncation_fraction < THRESHOLDS.truncation_fraction:
        return None
    means = ""
    if report.truncated_mean_score is not None and report.finished_mean_score is not None:
        means = f"; truncated ones score {report.truncated_mean_score:.3g} on average, finished ones {report.finished_mean_score:.3g}"
    return Advice(
        Severity.warning,
        f"{_pct(report.truncation_fraction)} of completions were cut off at max_tokens{means}",
        "Raise max_tokens, or mask truncated completions from the loss (DAPO) or give them an overlong penalty "
        "instead of a plain 0.",
    )


@rule("length_reward_correlation")
def length_reward_correlation(report: HygieneReport) -> Advice | None:
    """Fires when the within-group correlation of length and score is at least `length_correlation` in size.

    Why: GRPO rewards what wins within a group. When the longer completion of a
    group wins, the policy learns to write more (length hacking: repetition,
    several answers); when the shorter one wins, it learns to stop early.
    """
    r = report.length_reward_correlation
    if r is None or abs(r) < THRESHOLDS.length_correlation:
        return None
    if r > 0:
        return Advice(
            Severity.warning,
            f"within a group, longer completions score higher (r = {r:.2f})",
            "Check that the reward does not pay for length (counting steps, several answers, containment); add a "
            "length or repetition penalty if long answers are not really better.",
        )
    return Advice(
        Severity.warning,
        f"within a group, shorter completions score higher (r = {r:.2f})",
        "Check whether long completions fail because they are cut off (truncation) or ramble; the policy will "
        "learn to answer shorter, which is fine only if the short answers are right.",
    )


@rule("hacking")
def reward_hacking(report: HygieneReport) -> Advice | None:
    """Fires when the completions scored at or near the maximum show a sign of reward hacking: several final
    answers, the ground truth only in the reasoning, padding, one text repeated across a group, step-marker stuffing.

    Why: what the reward pays most is what the policy learns. Each sign is a known exploit of reward code
    (containment, first-match, length bonuses, counting markers) showing up in real samples; a run that
    keeps training on it learns the exploit, not the task. The report lists each sign's count and examples.
    """
    signals = report.hacking.signals
    if not signals:
        return None
    return Advice(
        Severity.warning,
        "signs of reward hacking among the top-scored completions: " + "; ".join(describe(signal) for signal in signals),
        " ".join(f"{signal.name}: {ADVICE[signal.name][1]}." for signal in signals),
    )


@rule("empty_completion_fraction")
def empty_completions(report: HygieneReport) -> Advice | None:
    """Fires when at least `empty_fraction` of the completions are empty or whitespace only.

    Why: empty completions usually come from the sampler, not the policy: a stop
    sequence that matches at once, a chat template that already closed the turn,
    or max_tokens too small.
    """
    if report.empty_completion_fraction < THRESHOLDS.empty_fraction:
        return None
    return Advice(
        Severity.warning,
        f"{_pct(report.empty_completion_fraction)} of completions are empty",
        "Check the sampler: stop sequences, the chat template (a prefilled turn end or `<think>`), and max_tokens.",
    )


@rule("components")
def component_without_signal(report: HygieneReport) -> Advice | None:
    """Fires when a recorded component (sub-score) is constant in at least `component_no_signal` of the groups where it appears.

    Why: a term that every completion of a group gets, or that none gets, adds
    nothing to the advantage; a format reward that is always 0 because the chat
    template prefills ``<think>`` is the classic case.
    """
    dead = {name: summary for name, summary in report.components.items() if summary.no_signal_fraction >= THRESHOLDS.component_no_signal}
    if not dead:
        return None
    listed = ", ".join(f"'{name}' (mean {summary.mean:.3g}, constant in {_pct(summary.no_signal_fraction)} of groups)" for name, summary in dead.items())
    return Advice(
        Severity.warning,
        f"component(s) without signal: {listed}",
        "Check why the term never varies (a format that can never or always match, a prefilled tag); fix or drop it.",
    )


@rule("latency_ms")
def slow_reward(report: HygieneReport) -> Advice | None:
    """Fires when the 99th-percentile grading latency is at least `slow_p99_ms` milliseconds.

    Why: grading sits on the training step's critical path; slow tail calls stall
    every step and, near the timeout, turn into load-dependent timeouts.
    """
    if report.latency_ms is None or report.latency_ms.p99 < THRESHOLDS.slow_p99_ms:
        return None
    return Advice(
        Severity.warning,
        f"grading is slow: p99 {report.latency_ms.p99:.0f} ms (p50 {report.latency_ms.p50:.0f} ms)",
        "Profile the reward on the slowest inputs; cache parsed ground truths, bound expensive parsing, and for "
        "trusted rewards use --calls-per-process to skip a fork per call.",
    )


@rule("group_size_counts")
def groups_too_small(report: HygieneReport) -> Advice | None:
    """Fires when some groups have a single completion.

    Why: GRPO's advantage is a completion's score minus its group's mean, so a
    group of one always has advantage zero.
    """
    singles = report.group_size_counts.get(1, 0)
    if not singles:
        return None
    return Advice(
        Severity.warning,
        f"{singles} group(s) have a single completion: their advantage is always zero",
        "Sample several completions per prompt (a group size of 4 to 16 is usual).",
    )


def _cell(text: str) -> str:
    """Text for one Markdown table cell."""
    return text.replace("\n", " ").replace("|", "\\|")


def docs_page() -> str:
    """The Markdown page ``docs/recommendations.md``: every rule's docstring and the thresholds."""
    lines = [
        "# Hygiene report recommendations",
        "",
        "<!-- Generated from graders/hygiene/recommendations.py: python -m rewardbox.graders.hygiene > docs/recommendations.md -->",
        "",
        "`rewardbox report` (and `build_report` in Python) runs these rules on the report's figures. Each one that "
        "fires adds `{code, severity, finding, action, figures}` to `recommendations`: `error` means fix it before "
        "training, `warning` means training will waste samples or learn the wrong thing, `info` is a suggestion. "
        "`figures` names the report keys the finding is about. Names such as `mostly` in the conditions are "
        "thresholds, listed with their values at the end.",
        "",
        "| code | figures | fires when |",
        "|---|---|---|",
    ]
    for entry in RULES:
        summary = entry.doc.split("\n\n")[0]
        lines.append(f"| [`{entry.code}`](#{entry.code}) | {', '.join(f'`{name}`' for name in entry.figures)} | {_cell(summary.removeprefix('Fires when '))} |")
    for entry in RULES:
        lines += ["", f"## {entry.code}", "", f"Figures: {', '.join(f'`{name}`' for name in entry.figures)}.", "", entry.doc]
    lines += ["", "## Thresholds", "", "| name | value | meaning |", "|---|---|---|"]
    for name, field in Thresholds.model_fields.items():
        lines.append(f"| `{name}` | {getattr(THRESHOLDS, name):g} | {_cell(field.description or '')} |")
    return "\n".join(lines) + "\n"

