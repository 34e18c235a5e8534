"""Property checks of a reward, run through the sandbox: ``run_checks(reward) -> CheckReport``.

    >>> report = run_checks("examples/gsm8k/reward.py", examples=[(None, "39")])
    >>> [(r.property, r.passed) for r in report.results]
    [('determinism', True), ('type_and_range', True), ('robustness', True), ('gold_consistency', True), ('latency', True)]

Every input is graded by sandboxed ``Grader``s kept open for the whole run, never
in this process. hypothesis generates inputs and shrinks a failing one; a
failure carries the shrunk counterexample, every score observed for it, and the
likely causes, each naming the lint rule that finds the cause in the source.

Determinism, the most involved of them, has its own module (``determinism.py``): which runs must agree,
and why the usual offenders are caught on every run.
"""

from __future__ import annotations

import math
import time
from typing import Callable, Collection, Mapping, Sequence

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .report import EXPLOITS, PROPERTIES, Cause, CheckReport, Counterexample, Item, Observation, PropertyResult, Truth
from .report import Row, answer_hint, answer_text, kind_of, preview
from .run import (
    _GOLD_GROUND_TRUTHS,
    _LATENCY_MIN_CALLS,
    Example,
    _first_line,
    _one_call,
    _result,
    _Run,
    _status_problem,
    _TooSlow,
)
from ..runtime.frames import Status
from .probes import ANSWER_FORMATS, fill, probe_completions
from ..runtime.results import GradeResult
from ..runtime.sources import RewardSource
from .exploits import FAMILIES, Target, target_of
from .determinism import check_determinism
from .strategies import correct_completions, hostile_completions
from .strategies import unrelated_completions, wrong_completions

Progress = Callable[[str, int, int], None]  # (property, done, total)

def run_checks(
    reward: str | RewardSource | Callable[[str, str], object],
    *,
    examples: Sequence[Example] | None = None,
    max_examples: int = 100,
    score_range: tuple[float, float] = (0.0, 1.0),
    latency_budget_ms: tuple[float, float] = (100.0, 1000.0),
    properties: Collection[str] | None = None,
    answer_formats: Collection[str] | None = None,
    grader_options: Mapping[str, object] | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Check ``reward`` (a spec, a ``RewardSource`` or a function) and report each property.

    ``examples`` are ``(completion or None, ground_truth)`` pairs or rows (mappings with
    an optional ``completion``, an optional ``ground_truth`` of any JSON value, and the
    fields a reward may name) from the user's data: their ground truths drive the
    inputs and the gold-consistency check (skipped without them, and for ground truths
    that are neither text nor a number: the probes cannot write their answer), their
    completions join the generated ones, and the determinism check also tries
    values of each structured ground truth's shape. ``max_examples`` is
    the number of generated inputs per property. ``latency_budget_ms`` is
    ``(p50, p99)``. ``properties`` selects some of ``PROPERTIES``; ``answer_formats``
    the ``ANSWER_FORMATS`` the ground truth must score the maximum in (default all).
    ``grader_options`` go to every ``Grader`` (timeout, workers, isolation, params,
    seed, hash_seed, ...); ``calls_per_process`` and ``score_range`` are chosen by
    the checks. Raises ``RewardLoadError`` when the reward cannot load and
    ``ValueError`` for bad arguments.
    """
    started = time.monotonic()
    selected = _validate(max_examples, score_range, latency_budget_ms, properties, answer_formats)
    source = _as_source(reward, grader_options)
    with _Run(source, dict(grader_options or {}), examples or (), max_examples, score_range, progress) as run:
        run.start(["baseline", "fresh", "seeds", "process"] if "determinism" in selected else ["baseline"])
        _check_rows_fit(run)
        checks: dict[str, Callable[[], PropertyResult]] = {
            "type_and_range": lambda: _check_type_and_range(run),
            "robustness": lambda: _check_robustness(run),
            "gold_consistency": lambda: _check_gold_consistency(run, list(answer_formats or ANSWER_FORMATS)),
            "determinism": lambda: check_determinism(run),
            "latency": lambda: _check_latency(run, latency_budget_ms),  # last: it reuses every call's duration
        }
        done: dict[str, PropertyResult] = {}
        for name, check in checks.items():
            if name not in selected:
                continue
            if run.too_slow is not None:
                done[name] = PropertyResult(property=name, passed=True, skipped=True, details=f"not checked: {run.too_slow.problem}")
                continue
            try:
                done[name] = check()
            except _TooSlow:
                done[name] = _result(name, run.too_slow, "")
        families = [name.removeprefix("exploit:") for name in EXPLOITS if name in selected]
        if families and run.too_slow is None:
            try:
                done.update({result.property: result for result in check_exploits(run, families)})
            except _TooSlow:
                pass
        convention = run.grader("baseline").binding.convention
    for name in EXPLOITS:
        if name in selected and name not in done:
            done[name] = PropertyResult(property=name, passed=True, skipped=True, details=f"not checked: {run.too_slow.problem if run.too_slow else 'the run stopped'}")
    results = [done[name] for name in PROPERTIES if name in done]
    return CheckReport(reward=source.describe(), results=results, seconds=round(time.monotonic() - started, 3), convention=convention)


def _check_rows_fit(run: _Run) -> None:
    """A ``ValueError`` when the examples cannot give the reward what its signature requires: a field no example
    has, or a ground truth (taken without a default) that some examples lack."""
    binding = run.graders["baseline"].binding
    rows = [{**truth.fields, "ground_truth": truth.ground_truth} if isinstance(truth, Row) else {"ground_truth": truth} for truth in run.ground_truths]
    missing = [binding.missing(row) for row in rows] or [list(binding.required)]  # no examples: nothing fills a field
    for name in binding.required:
        if any(name in lacks for lacks in missing):
            raise ValueError(f"{binding.signature} requires the row field {name!r}: give examples whose rows all have it (--examples)")
    absent = sum("ground_truth" in lacks for lacks in missing)
    if absent:
        raise ValueError(
            f"examples without a ground truth ({absent} distinct rows): {binding.signature} takes one without a "
            "default: add their ground truths, or give the parameter a default (ground_truth=None) if the reward needs none"
        )


def _validate(max_examples, score_range, latency_budget_ms, properties, answer_formats) -> set[str]:
    if type(max_examples) is not int or max_examples < 1:
        raise ValueError(f"max_examples={max_examples!r}: expected a positive integer")
    low, high = score_range
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"score_range={score_range!r}: expected (low, high) with low < high")
    p50, p99 = latency_budget_ms
    if not 0 < p50 <= p99 < math.inf:
        raise ValueError(f"latency_budget_ms={latency_budget_ms!r}: expected (p50, p99) with 0 < p50 <= p99")
    unknown = set(properties or ()) - set(PROPERTIES)
    if unknown or (properties is not None and not properties):
        raise ValueError(f"properties={sorted(properties or ())!r}: expected names among {', '.join(PROPERTIES)}")
    bad_formats = set(answer_formats or ()) - set(ANSWER_FORMATS)
    if bad_formats or (answer_formats is not None and not answer_formats):
        raise ValueError(f"answer_formats={sorted(answer_formats or ())!r}: expected names among {', '.join(ANSWER_FORMATS)}")
    return set(properties or PROPERTIES)


def _as_source(reward: object, grader_options: Mapping[str, object] | None) -> RewardSource:
    if isinstance(reward, RewardSource):
        return reward
    if isinstance(reward, str):
        return RewardSource.parse(reward, (grader_options or {}).get("params"))  # type: ignore[arg-type]
    if callable(reward):
        return RewardSource.from_function(reward)  # type: ignore[arg-type]
    raise ValueError(f"reward={reward!r}: expected a reward spec, a RewardSource or a function")


# ---- type and range ---------------------------------------------------------------------------------


def _check_type_and_range(run: _Run) -> PropertyResult:
    """Ordinary completions score a finite float in the declared range, with status ok; so do the robustness
    inputs that end ok (how they fail otherwise is the robustness property's business)."""
    for name, item, result in run.named_inputs():
        problem = run.range_problem(result) if result.status is Status.ok else None
        if problem is not None:
            return _result("type_and_range", _one_call(item, result, problem, input_name=name), "")

    def failure_of(item: Item) -> Counterexample | None:
        result = run.grade([item])[0]
        problem = run.range_problem(result)
        return None if problem is None else _one_call(item, result, problem)

    found = run.counterexample("type_and_range", run.ordinary_items(), failure_of, explicit=run.probe_items())
    low, high = run.score_range
    return _result("type_and_range", found, f"ordinary completions score a finite number in [{low:g}, {high:g}] with status ok")


# ---- robustness ---------------------------------------------------------------------------------------


def _check_robustness(run: _Run) -> PropertyResult:
    """Empty, whitespace, unicode, control characters and 1 MiB completions end ok: no exception, timeout or crash."""
    named = run.named_inputs()
    run.progress("robustness", 0, run.max_examples)
    for name, item, result in named:
        problem = _status_problem(result)
        if problem is not None:
            return _result("robustness", _one_call(item, result, problem, input_name=name), "")

    def failure_of(item: Item) -> Counterexample | None:
        result = run.grade([item], ordinary=False)[0]
        problem = _status_problem(result)
        return None if problem is None else _one_call(item, result, problem)

    ground_truths = list(dict.fromkeys(item[1] for _, item, _ in named))
    found = run.counterexample("robustness", st.tuples(hostile_completions(), st.sampled_from(ground_truths)), failure_of)
    names = ", ".join(dict.fromkeys(name for name, _, _ in named))
    return _result("robustness", found, f"{len(named)} named inputs ({names}) and generated ones end with status ok")


# ---- gold consistency -----------------------------------------------------------------------------------

_EXPECTATIONS = {  # probe kind: what it is, the score it must get, the likely cause when it does not
    "correct_formats": ("the ground truth in an answer format", "max", "strict_format"),
    "wrong": ("a wrong answer or a hedge", "below_max", "containment"),
    "truncated": ("a completion cut off before its answer", "below_max", "credit_without_answer"),
    "unrelated": ("text with no answer", "min", "credit_without_answer"),
    "empty": ("empty text", "min", "credit_without_answer"),
}


def _check_gold_consistency(run: _Run, formats: list[str]) -> PropertyResult:
    """The ground truth in answer formats scores the maximum; wrong answers less; unrelated and empty text the minimum."""
    if not run.ground_truths:
        return PropertyResult(
            property="gold_consistency", passed=True, skipped=True, details="skipped: needs examples with ground truths (--examples)"
        )
    truths = [gt for gt in run.ground_truths if answer_text(gt) is not None]
    left_out = _left_out(run.ground_truths, truths)
    if not truths:
        return PropertyResult(property="gold_consistency", passed=True, skipped=True, details=f"skipped: {left_out}")
    probes = [
        (kind, (completion, gt))
        for gt in truths[:_GOLD_GROUND_TRUTHS]
        for kind, completions in _probes(gt, formats).items()
        for completion in completions
    ]
    results = run.grade([item for _, item in probes])
    run.progress("gold_consistency", 0, run.max_examples)
    for (kind, item), result in zip(probes, results):
        found = _gold_failure(run, kind, item, result)
        if found is not None:
            return _result("gold_consistency", found, "")

    def failure_of(case: tuple[str, Item]) -> Counterexample | None:
        kind, item = case
        return _gold_failure(run, kind, item, run.grade([item])[0])

    def cases(gt: Truth) -> SearchStrategy[tuple[str, Item]]:
        answer = answer_hint(gt)
        return st.one_of(
            correct_completions(answer, formats).map(lambda c: ("correct_formats", (c, gt))),
            wrong_completions(answer).map(lambda c: ("wrong", (c, gt))),
            unrelated_completions().map(lambda c: ("unrelated", (c, gt))),
        )

    found = run.counterexample("gold_consistency", st.sampled_from(truths).flatmap(cases), failure_of)
    low, high = run.score_range
    summary = (
        f"{len(probes)} probes over {min(len(truths), _GOLD_GROUND_TRUTHS)} ground truths and generated ones: "
        f"answer formats ({', '.join(formats)}) score {high:g}, wrong or cut-off answers less, unrelated and empty text {low:g}"
    )
    return _result("gold_consistency", found, summary + (f"; {left_out}" if left_out else ""))


def _left_out(truths: Sequence[Truth], probed: Sequence[Truth]) -> str:
    """Which ground truths gold consistency could not probe, and why ("" when none)."""
    kinds = sorted({kind_of(gt) for gt in truths if gt not in probed})
    if not kinds:
        return ""
    count = len(truths) - len(probed)
    return (f"{count} of {len(truths)} ground truths are {'/'.join(kinds)}: the probes write an answer only for text "
            "and number ground truths (check such a reward on real completions with --examples, or in a pytest property)")


def _probes(ground_truth: Truth, formats: list[str]) -> dict[str, list[str]]:
    answer = answer_hint(ground_truth)
    probes = probe_completions(answer)
    if len(formats) < len(ANSWER_FORMATS):
        probes["correct_formats"] = [c for c in probes["correct_formats"] if _format_of(c, answer) in formats]
    return probes


def _format_of(completion: str, ground_truth: str) -> str | None:
    """The name of the answer format ``completion`` ends with (probes are reasoning + one format)."""
    matches = [name for name, template in ANSWER_FORMATS.items() if completion.endswith(fill(template, ground_truth))]
    return max(matches, key=lambda name: len(ANSWER_FORMATS[name]), default=None)


def _gold_failure(run: _Run, kind: str, item: Item, result: GradeResult) -> Counterexample | None:
    what, expected, cause = _EXPECTATIONS[kind]
    low, high = run.score_range
    score = result.score
    if expected == "max" and math.isclose(score, high, abs_tol=1e-9):
        return None
    if expected == "min" and math.isclose(score, low, abs_tol=1e-9):
        return None
    if expected == "below_max" and score < high and not math.isclose(score, high, abs_tol=1e-9):
        return None
    wanted = {"max": f"the maximum {high:g}", "min": f"the minimum {low:g}", "below_max": f"less than the maximum {high:g}"}[expected]
    status = "" if result.status is Status.ok else f" (status {result.status.value}: {_first_line(result.error)})"
    return _one_call(item, result, (f"{what} scored {score:g}{status}; expected {wanted}", cause))


# ---- latency ------------------------------------------------------------------------------------------------


def _check_latency(run: _Run, budget_ms: tuple[float, float]) -> PropertyResult:
    """p50 and p99 of the reward's own time per call (``GradeResult.duration_ms``) on ordinary inputs."""
    if len(run.durations) < _LATENCY_MIN_CALLS:
        gts = run.ground_truths or ["42"]
        extra = [(c, gt) for gt in gts for kind in ("correct_formats", "wrong") for c in probe_completions(answer_hint(gt))[kind]]
        run.grade(extra[: _LATENCY_MIN_CALLS * 2])
    calls = sorted(run.durations, key=lambda pair: pair[0].duration_ms)
    p50, p99 = _percentile(calls, 50), _percentile(calls, 99)
    slowest, item = calls[-1]
    stats = {"p50_ms": round(p50, 3), "p99_ms": round(p99, 3), "max_ms": round(slowest.duration_ms, 3), "calls": float(len(calls))}
    details = f"p50 {p50:.1f} ms, p99 {p99:.1f} ms over {len(calls)} calls (budget p50 {budget_ms[0]:g} ms, p99 {budget_ms[1]:g} ms)"
    if p50 <= budget_ms[0] and p99 <= budget_ms[1]:
        return PropertyResult(property="latency", passed=True, details=details, stats=stats)
    problem = f"the slowest call took {slowest.duration_ms:.1f} ms"
    found = Counterexample.build(item, problem, observations=[Observation.of("baseline", slowest)])
    return PropertyResult(property="latency", passed=False, counterexample=found, details=details, stats=stats)


def _percentile(calls: list[tuple[GradeResult, Item]], percent: float) -> float:
    """Nearest-rank percentile of the durations of ``calls`` (sorted by duration)."""
    rank = max(1, math.ceil(percent / 100 * len(calls)))
    return calls[rank - 1][0].duration_ms



# ---- exploits ---------------------------------------------------------------------------------------------

_EXPLOIT_ROWS = 20  # example rows each family probes


def check_exploits(run: _Run, families: Sequence[str]) -> list[PropertyResult]:
    """One ``exploit:<family>`` result per family: its probes on the example rows, each against its baseline, all graded
    in one batch through the sandbox. A family works when a probe scores above its baseline and the minimum (or, for
    ``below_max`` probes, the maximum); the shortest such probe is the counterexample."""
    binding = run.grader("baseline").binding
    takes_ground_truth = binding.needs_ground_truth
    rows = run.ground_truths[:_EXPLOIT_ROWS]
    targets: list[tuple[Truth, Target]] = [(truth, target_of(truth)) for truth in rows] or [("", Target("other"))]
    shapes = {target.shape for _, target in targets}
    planned: dict[str, list[tuple[int, Truth, object]]] = {}
    results: list[PropertyResult] = []
    for name in families:
        family = FAMILIES[name]
        why = "needs example rows with ground truths (--examples)" if not rows and family.needs_ground_truth else None
        why = why or family.skip_reason(shapes, takes_ground_truth or not family.needs_ground_truth)
        planned[name] = [] if why else [(index, truth, probe) for index, (truth, target) in enumerate(targets) for probe in family.probes(target)]
        if why or not planned[name]:
            reason = why or "no probe could be written for these rows (e.g. a prompt_echo needs a 'prompt' field)"
            results.append(PropertyResult(property=f"exploit:{name}", passed=True, skipped=True, details=f"skipped: {reason}"))
    items = list(dict.fromkeys(
        item for cases in planned.values() for _, truth, probe in cases for item in ((probe.completion, truth), (probe.baseline, truth))
    ))  # fmt: skip
    run.progress("exploits", 0, len(items))
    scored = dict(zip(items, run.grade(items))) if items else {}
    run.progress("exploits", len(items), len(items))
    low, high = run.score_range
    tolerance = 1e-6 * (high - low)
    for name, cases in planned.items():
        if not cases:
            continue
        family, worked, rows_worked = FAMILIES[name], [], set()
        for index, truth, probe in cases:
            got, base = scored[(probe.completion, truth)], scored[(probe.baseline, truth)]
            if got.status is not Status.ok:
                continue
            if probe.expect == "below_max":
                gamed = got.score >= high - tolerance
            else:
                floor = max(low, base.score if base.status is Status.ok else low)
                gamed = got.score > floor + tolerance
            if gamed:
                worked.append((probe, truth, got, base))
                rows_worked.add(index)
        probed_rows = len({index for index, _, _ in cases})
        stats = {"rows": float(probed_rows), "rows_gamed": float(len(rows_worked)), "fraction": len(rows_worked) / probed_rows, "probes": float(len(cases))}
        if not worked:
            details = f"{len(cases)} probes on {probed_rows} rows ({family.what}): none scored above its plain wrong answer"
            results.append(PropertyResult(property=f"exploit:{name}", passed=True, details=details, stats=stats))
            continue
        probe, truth, got, base = min(worked, key=lambda case: len(case[0].completion))
        than = "the maximum" if probe.expect == "below_max" else f"{max(low, base.score):g} for {preview(probe.baseline, 60)!r}"
        problem = f"a {name.replace('_', ' ')} probe scored {got.score:g}; expected at most {than}"
        cause = Cause(name=f"exploit:{name}", explanation=family.bug, fix=family.fix, lint_rule=family.lint_rule)
        found = Counterexample.build(
            (probe.completion, truth), problem,
            observations=[Observation.of("the exploit", got), Observation.of("its plain wrong answer", base)], causes=[cause],
        )  # fmt: skip
        details = (f"gamed on {len(rows_worked)} of {probed_rows} rows ({stats['fraction']:.0%}): {family.what} scored "
                   f"{got.score:g} where its plain wrong answer scores {base.score:g}")
        results.append(PropertyResult(property=f"exploit:{name}", passed=False, counterexample=found, details=details, stats=stats))
    return results
