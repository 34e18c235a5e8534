"""The reward-hygiene report: figures that show whether sampled GRPO groups carry a learning signal.

Pure computation: ``build_report(groups)`` takes ``SampleGroup`` values (one prompt,
its completions and what is known about each) and returns a ``HygieneReport``
value; reading files, grading and rendering live in ``rewardbox.runner``. The
recommendations that the figures trigger are named rules in ``recommendations.py``.

Shape suffixes: ``_P`` runs over groups (prompts), ``_G`` over the completions of
one group, so ``scores_PG[p][g]`` is completion ``g`` of group ``p``.
"""

from __future__ import annotations

import enum
import math
import statistics
from collections import Counter
from typing import Any, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, JsonValue, FiniteFloat, NonNegativeInt, model_validator

from .hacking import HackingSignals, hacking_signals

from ..runtime.frames import Status

__all__ = [
    "Bin", "ComponentSummary", "Disagreement", "HygieneReport", "LatencyPercentiles", "MalformedLine",
    "SampleGroup", "ScoreChange", "SignalFigures", "StepFigures", "build_report",
    "SCORE_TOLERANCE", "TRUNCATED_STOP_REASONS", "HISTOGRAM_BINS", "MAX_CHANGE_EXAMPLES",
]

SCORE_TOLERANCE = 1e-9  # two scores closer than this are the same score (constant groups, min/max, disagreement)
TRUNCATED_STOP_REASONS = frozenset({"length", "max_tokens"})  # OpenAI/vLLM/Tinker say "length", Anthropic "max_tokens"
HISTOGRAM_BINS = 20  # bins of a histogram; scores with at most this many distinct values get one bar per value
MAX_CHANGE_EXAMPLES = 10  # stored-vs-fresh disagreements listed one by one
_PER_COMPLETION = ("stop_reasons", "num_tokens", "scores", "statuses", "components")



class Severity(str, enum.Enum):
    """How much a finding matters: ``error`` means fix it before training."""

    error = "error"
    warning = "warning"
    info = "info"

    def __str__(self) -> str:
        return self.value


class Recommendation(BaseModel):
    """A finding about the samples and the action it calls for."""

    model_config = ConfigDict(frozen=True)

    code: str  # the rule's name, as on the recommendations page
    severity: Severity
    finding: str  # what the figures show
    action: str  # what to do next
    figures: list[str]  # the report keys the finding is about


class SampleGroup(BaseModel):
    """One prompt's sampled completions (a GRPO group) with whatever is known about each completion.

    Other keys of the group's line are kept (``model_extra``): they are the row fields
    a reward that names them gets when the group is graded."""

    model_config = ConfigDict(frozen=True, extra="allow")

    prompt: str | list[dict[str, Any]]
    ground_truth: JsonValue = None  # any JSON value the reward compares with; None when the rows carry none
    completions: list[str] = Field(min_length=1)
    stop_reasons: list[str] | None = None
    num_tokens: list[NonNegativeInt] | None = None
    scores: list[FiniteFloat] | None = None
    statuses: list[str] | None = None  # grading statuses (``Status`` values) when known
    components: list[dict[str, FiniteFloat]] | None = None  # ``GradeResult.components`` per completion
    step: int | None = None  # the training step that sampled the group
    label: str | None = None  # how findings name this group (an id, or file:line); default: its index

    @model_validator(mode="after")
    def _one_entry_per_completion(self) -> SampleGroup:
        size = len(self.completions)
        for name in _PER_COMPLETION:
            values = getattr(self, name)
            if values is not None and len(values) != size:
                raise ValueError(f"'{name}' has {len(values)} entries but 'completions' has {size}")
        return self


class Bin(BaseModel):
    """One bar of a histogram: values in [low, high) (the last bin includes high; low == high for one value)."""

    low: float
    high: float
    count: int


class LatencyPercentiles(BaseModel):
    """Grading latency of the completions graded for this report, in milliseconds."""

    count: int
    mean: float
    p50: float
    p90: float
    p99: float
    max: float


class ScoreChange(BaseModel):
    """One completion whose stored score differs from its fresh grading."""

    group: str  # the group's label, or its 0-based index
    completion: int  # 0-based index in the group
    stored: float
    fresh: float
    fresh_status: str | None = None


class Disagreement(BaseModel):
    """Stored scores against fresh gradings of the same completions."""

    compared: int
    changed: int
    changed_fraction: float
    examples: list[ScoreChange]  # the first ``MAX_CHANGE_EXAMPLES`` changes, in input order


class ComponentSummary(BaseModel):
    """One named sub-score (``GradeResult.components``) over the completions that recorded it."""

    count: int
    mean: float
    std: float
    no_signal_fraction: float  # of the groups where it appears, those in which it is the same for every completion


class MalformedLine(BaseModel):
    """An input line the report had to leave out, and why (filled in by the reader of the file)."""

    line: int
    error: str


class SignalFigures(BaseModel):
    """Figures of a set of groups: the whole input, or the groups of one training step."""

    num_groups: int
    num_completions: int
    reward_mean: float
    reward_std: float  # population standard deviation over all completions
    per_group_std_mean: float  # mean over groups of the population std within each group
    no_signal_fraction: float  # groups whose scores are all equal: GRPO advantages are all zero
    all_min_fraction: float  # ... all at the minimum of score_range (ALL-0)
    all_max_fraction: float  # ... all at the maximum of score_range (ALL-1)
    other_constant_fraction: float  # ... all equal to a value strictly inside the range
    error_fraction: float | None  # completions with a status other than ok, of those whose status is known
    truncation_fraction: float | None  # completions whose stop reason is in TRUNCATED_STOP_REASONS, of those known
    mean_length: float  # in length_unit


class StepFigures(SignalFigures):
    """``SignalFigures`` of the groups sampled at one training step."""

    step: int


class HygieneReport(SignalFigures):
    """What ``rewardbox report`` shows; its JSON is the ``--format json`` output."""

    group_size: int | None  # completions per group, or None when sizes differ (see group_size_counts)
    group_size_counts: dict[int, int]  # group size -> number of groups
    score_range: tuple[float, float]  # the reward's (minimum, maximum), for all_min/all_max
    score_range_source: Literal["given", "inferred"]  # inferred: [0, 1] widened to every observed score
    score_source: Literal["stored", "fresh"]  # the scores the figures use: stored in the input, or graded here
    status_counts: dict[str, int]  # every Status, then any other status seen; empty when no status is known
    truncated_mean_score: float | None
    finished_mean_score: float | None  # completions with a known stop reason that was not truncation
    distinct_values: int  # distinct scores (partial-credit granularity)
    length_unit: Literal["tokens", "characters"]  # tokens when every group has num_tokens
    length_reward_correlation: float | None  # Pearson r of length and score, both centred within their group
    empty_completion_fraction: float  # completions that are empty or whitespace only
    empty_mean_score: float | None
    empty_credited: int  # empty completions that score above the minimum of score_range
    latency_ms: LatencyPercentiles | None  # when the completions were graded for this report
    disagreement: Disagreement | None  # when there were stored and fresh scores
    components: dict[str, ComponentSummary]  # per sub-score name, when the reward recorded components
    steps: list[StepFigures]  # per training step, for groups that carry ``step``
    score_histogram: list[Bin]
    group_std_histogram: list[Bin]  # first bin: constant groups (std exactly 0)
    recommendations: list[Recommendation]
    malformed_lines: list[MalformedLine] = Field(default_factory=list)
    hacking: HackingSignals = Field(default_factory=HackingSignals)  # signs of reward hacking among the top-scored completions


def measure(
    groups: Sequence[SampleGroup],
    *,
    score_range: tuple[float, float] | None = None,
    fresh_scores: Sequence[Sequence[float]] | None = None,
    latencies_ms: Sequence[float] | None = None,
) -> HygieneReport:
    """The hygiene report of ``groups`` with every figure and no recommendations yet (``build_report`` adds them).

    The figures use ``fresh_scores`` (one list per group, from grading here) when
    given, else each group's stored ``scores``; with both, ``disagreement`` says
    where they differ. ``score_range`` is the reward's (minimum, maximum); without
    it the range is inferred as [0, 1] widened to include every observed score, and
    the report says so. ``latencies_ms`` are the grading times of this report's
    completions. Raises ``ValueError`` naming the group whose data does not fit.
    """
    if not groups:
        raise ValueError("no groups to report on")
    scores_PG = _scores(groups, fresh_scores)
    flat_scores = [score for scores_G in scores_PG for score in scores_G]
    if score_range is None:
        low, high, range_source = min(0.0, min(flat_scores)), max(1.0, max(flat_scores)), "inferred"
    else:
        (low, high), range_source = score_range, "given"
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ValueError(f"score_range={score_range!r}: expected (low, high) with low < high")
    use_tokens = all(group.num_tokens is not None for group in groups)
    lengths_PG = [group.num_tokens if use_tokens else [len(text) for text in group.completions] for group in groups]
    figures = _signal_figures(groups, scores_PG, lengths_PG, low, high)
    truncated: list[float] = []
    finished: list[float] = []
    empty: list[float] = []
    for group, scores_G in zip(groups, scores_PG):
        for position, (text, score) in enumerate(zip(group.completions, scores_G)):
            if group.stop_reasons:
                (truncated if group.stop_reasons[position] in TRUNCATED_STOP_REASONS else finished).append(score)
            if not text.strip():
                empty.append(score)
    sizes = Counter(len(group.completions) for group in groups)
    correlation = _within_group_correlation(lengths_PG, scores_PG)
    hacking = hacking_signals([group.completions for group in groups], scores_PG, lengths_PG, [group.ground_truth for group in groups], (low, high), correlation)
    report = HygieneReport(
        **figures.model_dump(),
        group_size=next(iter(sizes)) if len(sizes) == 1 else None,
        group_size_counts=dict(sorted(sizes.items())),
        score_range=(low, high),
        score_range_source=range_source,
        score_source="stored" if fresh_scores is None else "fresh",
        status_counts=_status_counts(groups),
        truncated_mean_score=_mean_or_none(truncated),
        finished_mean_score=_mean_or_none(finished),
        distinct_values=len({round(score, 9) for score in flat_scores}),
        length_unit="tokens" if use_tokens else "characters",
        length_reward_correlation=correlation,
        empty_completion_fraction=len(empty) / len(flat_scores),
        empty_mean_score=_mean_or_none(empty),
        empty_credited=sum(score - low > SCORE_TOLERANCE for score in empty),
        latency_ms=_latency(latencies_ms) if latencies_ms else None,
        disagreement=_disagreement(groups, fresh_scores) if fresh_scores is not None else None,
        components=_components(groups),
        steps=_steps(groups, scores_PG, lengths_PG, low, high),
        score_histogram=_score_histogram(flat_scores),
        group_std_histogram=_std_histogram([_mean_std(scores_G)[1] for scores_G in scores_PG], (high - low) / 2),
        recommendations=[],
        hacking=hacking,
    )
    return report


def _name(group: SampleGroup, index: int) -> str:
    return group.label if group.label is not None else str(index)


def _scores(groups: Sequence[SampleGroup], fresh_scores: Sequence[Sequence[float]] | None) -> list[list[float]]:
    """The scores the figures use: fresh ones when given, else stored; ``ValueError`` naming a group that has neither."""
    if fresh_scores is None:
        missing = [_name(group, index) for index, group in enumerate(groups) if group.scores is None]
        if missing:
            more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
            raise ValueError(f"group {missing[0]} has no scores{more}: store scores or pass fresh_scores")
        return [list(group.scores) for group in groups]
    if len(fresh_scores) != len(groups):
        raise ValueError(f"fresh_scores has {len(fresh_scores)} lists but there are {len(groups)} groups")
    for index, (group, scores_G) in enumerate(zip(groups, fresh_scores)):
        if len(scores_G) != len(group.completions):
            raise ValueError(f"fresh_scores for group {_name(group, index)} has {len(scores_G)} scores but the group has {len(group.completions)} completions")
        if not all(math.isfinite(score) for score in scores_G):
            raise ValueError(f"fresh_scores for group {_name(group, index)} holds a score that is not finite")
    return [[float(score) for score in scores_G] for scores_G in fresh_scores]


def _mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and population standard deviation."""
    mean = math.fsum(values) / len(values)
    return mean, math.sqrt(math.fsum((value - mean) ** 2 for value in values) / len(values))


def _mean_or_none(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _signal_figures(
    groups: Sequence[SampleGroup], scores_PG: Sequence[Sequence[float]], lengths_PG: Sequence[Sequence[int]], low: float, high: float
) -> SignalFigures:
    """Signal, error and truncation figures of ``groups`` (scores and lengths given per group). A completion the
    reward abstained on (a TRL reward's None) counts in no mean, and is no error."""
    flat = [score for scores_G in scores_PG for score in scores_G]
    counted = [
        score for group, scores_G in zip(groups, scores_PG)
        for position, score in enumerate(scores_G) if not group.statuses or group.statuses[position] != Status.abstained.value
    ]
    mean, std = _mean_std(counted or flat)
    kinds = Counter(_constant_kind(scores_G, low, high) for scores_G in scores_PG)
    statuses = [status for group in groups if group.statuses for status in group.statuses]
    reasons = [reason for group in groups if group.stop_reasons for reason in group.stop_reasons]
    num_groups = len(scores_PG)
    return SignalFigures(
        num_groups=num_groups,
        num_completions=len(flat),
        reward_mean=mean,
        reward_std=std,
        per_group_std_mean=math.fsum(_mean_std(scores_G)[1] for scores_G in scores_PG) / num_groups,
        no_signal_fraction=(num_groups - kinds["mixed"]) / num_groups,
        all_min_fraction=kinds["min"] / num_groups,
        all_max_fraction=kinds["max"] / num_groups,
        other_constant_fraction=kinds["other"] / num_groups,
        error_fraction=sum(status not in (Status.ok.value, Status.abstained.value) for status in statuses) / len(statuses) if statuses else None,
        truncation_fraction=sum(reason in TRUNCATED_STOP_REASONS for reason in reasons) / len(reasons) if reasons else None,
        mean_length=math.fsum(length for lengths_G in lengths_PG for length in lengths_G) / len(flat),
    )


def _constant_kind(scores_G: Sequence[float], low: float, high: float) -> Literal["mixed", "min", "max", "other"]:
    """Whether a group's scores differ, or which constant they all share."""
    first = scores_G[0]
    if max(scores_G) - min(scores_G) > SCORE_TOLERANCE:
        return "mixed"
    if abs(first - low) <= SCORE_TOLERANCE:
        return "min"
    if abs(first - high) <= SCORE_TOLERANCE:
        return "max"
    return "other"


def _status_counts(groups: Sequence[SampleGroup]) -> dict[str, int]:
    seen = Counter(status for group in groups if group.statuses for status in group.statuses)
    if not seen:
        return {}
    return {**{status.value: seen.pop(status.value, 0) for status in Status}, **dict(seen.most_common())}


def _within_group_correlation(lengths_PG: Sequence[Sequence[int]], scores_PG: Sequence[Sequence[float]]) -> float | None:
    """Pearson r of (length, score) after subtracting each group's means: does the longer answer of a group win?

    Centring keeps prompts apart: hard prompts draw long, low-scoring answers, which
    says nothing about what GRPO's group-relative advantage rewards.
    """
    centred_lengths: list[float] = []
    centred_scores: list[float] = []
    for lengths_G, scores_G in zip(lengths_PG, scores_PG):
        mean_length, mean_score = math.fsum(lengths_G) / len(lengths_G), math.fsum(scores_G) / len(scores_G)
        centred_lengths.extend(length - mean_length for length in lengths_G)
        centred_scores.extend(score - mean_score for score in scores_G)
    try:
        return statistics.correlation(centred_lengths, centred_scores)
    except statistics.StatisticsError:  # fewer than two completions, or no variation within any group
        return None


def _latency(latencies_ms: Sequence[float]) -> LatencyPercentiles:
    values = sorted(latencies_ms)
    cuts = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return LatencyPercentiles(count=len(values), mean=math.fsum(values) / len(values), p50=cuts[49], p90=cuts[89], p99=cuts[98], max=values[-1])


def _disagreement(groups: Sequence[SampleGroup], fresh_scores: Sequence[Sequence[float]]) -> Disagreement | None:
    """Where stored scores and fresh ones differ; None when no group has stored scores."""
    compared = 0
    changes: list[ScoreChange] = []
    for index, (group, fresh_G) in enumerate(zip(groups, fresh_scores)):
        if group.scores is None:
            continue
        compared += len(fresh_G)
        for position, (stored, fresh) in enumerate(zip(group.scores, fresh_G)):
            if abs(stored - fresh) > SCORE_TOLERANCE:
                status = group.statuses[position] if group.statuses else None
                changes.append(ScoreChange(group=_name(group, index), completion=position, stored=stored, fresh=fresh, fresh_status=status))
    if not compared:
        return None
    return Disagreement(compared=compared, changed=len(changes), changed_fraction=len(changes) / compared, examples=changes[:MAX_CHANGE_EXAMPLES])


def _components(groups: Sequence[SampleGroup]) -> dict[str, ComponentSummary]:
    """Per component name: its figures over the completions that recorded it, in first-seen order."""
    values_by_name: dict[str, list[list[float]]] = {}
    for group in groups:
        if not group.components:
            continue
        in_group: dict[str, list[float]] = {}
        for recorded in group.components:
            for name, value in recorded.items():
                in_group.setdefault(name, []).append(value)
        for name, values_G in in_group.items():
            values_by_name.setdefault(name, []).append(values_G)
    summaries = {}
    for name, values_PG in values_by_name.items():
        flat = [value for values_G in values_PG for value in values_G]
        mean, std = _mean_std(flat)
        constant = sum(max(values_G) - min(values_G) <= SCORE_TOLERANCE for values_G in values_PG)
        summaries[name] = ComponentSummary(count=len(flat), mean=mean, std=std, no_signal_fraction=constant / len(values_PG))
    return summaries


def _steps(
    groups: Sequence[SampleGroup], scores_PG: Sequence[Sequence[float]], lengths_PG: Sequence[Sequence[int]], low: float, high: float
) -> list[StepFigures]:
    """``SignalFigures`` per training step, in step order; groups without a step are left out."""
    members: dict[int, list[int]] = {}
    for index, group in enumerate(groups):
        if group.step is not None:
            members.setdefault(group.step, []).append(index)
    return [
        StepFigures(
            step=step,
            **_signal_figures(
                [groups[i] for i in indices], [scores_PG[i] for i in indices], [lengths_PG[i] for i in indices], low, high
            ).model_dump(),
        )
        for step, indices in sorted(members.items())
    ]


def _score_histogram(scores: Sequence[float]) -> list[Bin]:
    """One bar per distinct score when there are few, else ``HISTOGRAM_BINS`` equal bins from min to max."""
    counts = Counter(round(score, 9) for score in scores)
    if len(counts) <= HISTOGRAM_BINS:
        return [Bin(low=value, high=value, count=count) for value, count in sorted(counts.items())]
    return _equal_bins(scores, min(scores), max(scores))


def _std_histogram(stds: Sequence[float], widest: float) -> list[Bin]:
    """Constant groups in a bar of their own, then equal bins up to the widest spread possible (or seen)."""
    constant = sum(std <= SCORE_TOLERANCE for std in stds)
    spread = [std for std in stds if std > SCORE_TOLERANCE]
    top = max([widest, *spread])
    return [Bin(low=0.0, high=0.0, count=constant), *_equal_bins(spread, 0.0, top)]


def _equal_bins(values: Sequence[float], low: float, high: float) -> list[Bin]:
    width = (high - low) / HISTOGRAM_BINS
    counts = [0] * HISTOGRAM_BINS
    for value in values:
        counts[min(int((value - low) / width), HISTOGRAM_BINS - 1)] += 1
    return [Bin(low=low + i * width, high=low + (i + 1) * width, count=count) for i, count in enumerate(counts)]
