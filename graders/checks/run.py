"""The machinery the property checks share: one set of graders per run, and hypothesis driven programmatically.

``checks.run_checks`` builds a ``_Run`` (the sandboxes each variation needs, opened once and reused
by every property) and searches inputs with ``_search``; the properties themselves live in ``checks.py``.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, TypeVar, Union

from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky
from hypothesis.strategies import SearchStrategy

from .report import CAUSES, Counterexample, Item, Observation, PropertyResult, Row, Truth, answer_hint, as_row
from ..runtime.frames import Status
from ..runtime.grader import Grader
from .probes import probe_completions, robustness_inputs
from ..runtime.results import GradeResult
from ..runtime.sources import RewardSource
from .strategies import completions_around, ground_truths, ground_truths_like

Progress = Callable[[str, int, int], None]  # (property, done, total)
Example = Union[tuple[Optional[str], Any], Mapping[str, Any]]  # (completion or None, ground_truth), or a row
T = TypeVar("T")

_SHRINK_CALLS = 50  # evaluations spent shrinking after the first failure, or max_examples // 2 if more
_SEARCH_SECONDS = 60.0  # a property stops generating new inputs after this long (a hanging reward)
_PROCESS_CALLS = 1_000_000  # calls_per_process of the one-process run: a whole session in one process
_CLOCK_ITEMS = 8
_CONFIRM_REPEATS = 8
_CLOCK_ATTEMPTS = 3
_GOLD_GROUND_TRUTHS = 10
_ROBUSTNESS_GROUND_TRUTHS = 3
_LATENCY_MIN_CALLS = 20
_MAX_TIMEOUTS = 3  # ordinary inputs that may time out before the run stops (a reward that hangs still gets a verdict)

# ---- the run: graders shared by every property -------------------------------------------------


class _Run:
    """The graders, inputs and measurements one ``run_checks`` call shares between properties."""

    def __init__(
        self,
        source: RewardSource,
        options: dict,
        examples: Sequence[Example],
        max_examples: int,
        score_range: tuple[float, float],
        progress: Progress | None,
    ) -> None:
        options.pop("calls_per_process", None)
        options.pop("mode", None)
        options.pop("out_of_range", None)
        options["score_range"] = None  # scores are judged here, against score_range, not turned into statuses
        self.source, self.options = source, options
        self.seed, self.hash_seed = int(options.pop("seed", 0)), int(options.pop("hash_seed", 0))
        self.other_seed, self.other_hash_seed = self.seed + 1, (self.hash_seed + 1) % (1 << 32)
        self.max_examples, self.score_range = max_examples, score_range
        self.progress = progress or (lambda name, done, total: None)
        pairs = [example_truth(example) for example in examples]
        self.ground_truths: list[Truth] = list(dict.fromkeys(truth for _, truth in pairs))
        self.real: dict[Truth, set[str]] = {}
        for completion, truth in pairs:
            if completion is not None:
                self.real.setdefault(truth, set()).add(completion)
        self.graders: dict[str, Grader] = {}
        self._named: list[tuple[str, Item, GradeResult]] | None = None
        self.durations: list[tuple[GradeResult, Item]] = []  # baseline calls on ordinary inputs, for the latency property
        self.timeouts = 0  # ordinary inputs that timed out
        self.too_slow: Counterexample | None = None  # set when they reach _MAX_TIMEOUTS: the run stops
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="rewardbox-check")

    def __enter__(self) -> _Run:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.pool.shutdown(wait=True)
        for grader in self.graders.values():
            grader.close()

    def grader_options(self, name: str) -> dict:
        options = dict(self.options, seed=self.seed, hash_seed=self.hash_seed, mode="fresh")
        if name in ("seeds", "seed"):
            options["seed"] = self.other_seed
        if name in ("seeds", "hash"):
            options["hash_seed"] = self.other_hash_seed
        if name == "process":
            options.update(calls_per_process=_PROCESS_CALLS, workers=1, mode=None)  # no retirement: state shows
        return options

    def start(self, names: list[str]) -> None:
        """Start the named graders in parallel (a reward that imports sympy takes a second to load)."""
        futures = {name: self.pool.submit(Grader, self.source, **self.grader_options(name)) for name in names}
        failure: BaseException | None = None
        for name, future in futures.items():
            try:
                self.graders[name] = future.result()
            except BaseException as exc:  # noqa: BLE001 - keep the ones that started (closed on exit), raise the first failure
                failure = failure or exc
        if failure is not None:
            raise failure

    def grader(self, name: str) -> Grader:
        """The named grader, started now if it was not yet."""
        if name not in self.graders:
            self.start([name])
        return self.graders[name]

    def grade(self, items: Sequence[Item], grader: str = "baseline", *, ordinary: bool = True) -> list[GradeResult]:
        """Grade ``items``; baseline calls on ordinary inputs are kept for the latency property. Raises ``_TooSlow``
        once ``_MAX_TIMEOUTS`` ordinary inputs have timed out in this run (their other calls are cancelled)."""
        results: dict[int, GradeResult] = {}
        for index, result in self.grader(grader).iter_results([as_row(item) for item in items]):
            results[index] = result
            if ordinary and result.status is Status.timeout:
                self.timeouts += 1
                if self.timeouts >= _MAX_TIMEOUTS and self.too_slow is None:
                    problem = (f"status timeout: {_first_line(result.error)} ({self.timeouts} ordinary inputs timed out: "
                               "the run stopped)", "slow_input")
                    self.too_slow = _one_call(items[index], result, problem)
                if self.too_slow is not None:
                    raise _TooSlow
        ordered = [results[i] for i in range(len(items))]
        if ordinary and grader == "baseline":
            self.durations += zip(ordered, items)
        return ordered

    def grade_concurrently(self, batches: Mapping[str, tuple[str, Sequence[Item]]]) -> dict[str, list[GradeResult]]:
        """Grade several ``{run: (grader, items)}`` batches of ordinary inputs at once."""
        futures = {run: self.pool.submit(self.grade, items, grader) for run, (grader, items) in batches.items()}
        return {run: future.result() for run, future in futures.items()}

    def named_inputs(self) -> list[tuple[str, Item, GradeResult]]:
        """The named robustness inputs with each of the first ground truths, graded once: (name, item, result).

        Grading stops at the first timeout (robustness has its counterexample; a
        reward that hangs would otherwise hold the run for every large input)."""
        if self._named is None:
            ground_truths = self.ground_truths[:_ROBUSTNESS_GROUND_TRUTHS] or ["42"]
            named = [(name, (text, gt)) for name, text in robustness_inputs() for gt in ground_truths]
            done: dict[int, GradeResult] = {}
            for index, result in self.grader("baseline").iter_results([as_row(item) for _, item in named]):
                done[index] = result
                if result.status is Status.timeout:
                    break
            self._named = [(name, item, done[i]) for i, (name, item) in enumerate(named) if i in done]
        return self._named

    def ground_truth_strategy(self, shaped: bool = False) -> SearchStrategy[Truth]:
        """The examples' ground truths (generated strings without examples); ``shaped`` adds, for every ground truth
        that is not a string, generated values of its shape (``strategies.ground_truths_like``) with its fields."""
        if not self.ground_truths:
            return ground_truths()
        examples = st.sampled_from(self.ground_truths)
        if not shaped or not any(isinstance(truth, Row) and not isinstance(truth.ground_truth, str) for truth in self.ground_truths):
            return examples
        return examples.flatmap(_shaped)

    def completions_for(self, truth: Truth) -> SearchStrategy[str]:
        """Ordinary completions for ``truth``: correct, wrong, cut off and unrelated ones around its answer (the
        answer a dict or list holds is not known: its first number stands in), and the examples' real ones."""
        return completions_around(answer_hint(truth), self.real.get(truth, ()))

    def ordinary_items(self, shaped: bool = False) -> SearchStrategy[Item]:
        """A ground truth and an ordinary completion for it (correct, wrong, cut off, unrelated, or real)."""
        return self.ground_truth_strategy(shaped).flatmap(lambda gt: self.completions_for(gt).map(lambda completion: (completion, gt)))

    def search(
        self,
        name: str,
        strategy: SearchStrategy[T],
        failure_of: Callable[[T], Counterexample | None],
        *,
        explicit: Sequence[T] = (),
        examples: int | None = None,
        offset: int = 0,
        total: int | None = None,
    ) -> tuple[T, Counterexample] | None:
        """hypothesis over ``strategy`` after the ``explicit`` inputs: the shrunk input ``failure_of`` rejects, with
        its counterexample, or None. ``examples`` defaults to ``max_examples``; progress reports ``offset + done`` of
        ``total`` (for a property made of several searches)."""
        examples = examples or self.max_examples
        tick = lambda done: self.progress(name, offset + done, total or examples)  # noqa: E731
        return _search(strategy, failure_of, max_examples=examples, tick=tick, explicit=explicit)

    def counterexample(self, name: str, strategy: SearchStrategy[T], failure_of: Callable[[T], Counterexample | None], **options) -> Counterexample | None:
        found = self.search(name, strategy, failure_of, **options)
        return None if found is None else found[1]

    def probe_items(self) -> list[Item]:
        """A few ordinary inputs of every kind that searches try first, simplest first: the bare answer, a bare
        wrong answer, unrelated text, a cut-off completion, both answers after reasoning, a real completion."""
        items: list[Item] = []
        for gt in self.ground_truths[:2] or ["42"]:
            probes = probe_completions(answer_hint(gt))
            wrong_bare = [text for text in probes["wrong"] if "\n" not in text][:1]
            kinds = [probes["correct_formats"][0], *wrong_bare, probes["unrelated"][0], probes["truncated"][0], probes["correct_formats"][-1], probes["wrong"][0]]
            items += [(completion, gt) for completion in kinds + sorted(self.real.get(gt, ()))[:1]]
        return items

    def range_problem(self, result: GradeResult) -> tuple[str, str | None] | None:
        """Why ``result`` is not a finite score in the declared range, and the likely cause; or None."""
        low, high = self.score_range
        if result.status is Status.ok and not low <= result.score <= high:
            return f"score {result.score!r} is outside the declared range [{low:g}, {high:g}]", "out_of_range"
        return _status_problem(result)


def example_truth(example: Example) -> tuple[str | None, Truth]:
    """``(completion or None, truth)`` of one example: a pair, or a row whose fields other than ``completion``
    and ``ground_truth`` go to a reward that names them (a ``ValueError`` when it is neither)."""
    if isinstance(example, Mapping):
        completion = example.get("completion")
        fields = {key: value for key, value in example.items() if key not in ("completion", "ground_truth")}
        ground_truth = example.get("ground_truth")
    elif isinstance(example, (tuple, list)) and len(example) == 2:
        (completion, ground_truth), fields = example, {}
    else:
        raise ValueError(f"examples: expected (completion or None, ground_truth) pairs or rows (mappings), got {type(example).__name__}")
    if completion is not None and not isinstance(completion, str):
        raise ValueError(f"examples: a completion must be a string or None, got {type(completion).__name__}")
    try:
        return completion, Row.of(ground_truth, fields)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"examples: a ground truth or field is not a JSON value ({exc})") from None


def _shaped(truth: Truth) -> SearchStrategy[Truth]:
    if not isinstance(truth, Row) or isinstance(truth.ground_truth, str):
        return st.just(truth)
    return ground_truths_like(truth.ground_truth).map(lambda value: Row.of(value, truth.fields))


# ---- hypothesis, driven programmatically ----------------------------------------------------------


class _TooSlow(Exception):
    """Ordinary inputs timed out ``_MAX_TIMEOUTS`` times: ``_Run.too_slow`` holds the counterexample."""


class _Falsified(Exception):
    """Raised inside the hypothesis test when a property fails for the input."""


class _StopSearch(BaseException):
    """Ends a hypothesis run at once: a BaseException, so hypothesis does not take it for a failure to shrink."""


@dataclass
class _SearchState:
    found: list = field(default_factory=list)  # (input, counterexample), each smaller than the one before
    evaluations: int = 0
    shrink_evaluations: int = 0
    error: Exception | None = None


def _search(
    strategy: SearchStrategy[T],
    failure_of: Callable[[T], Counterexample | None],
    *,
    max_examples: int,
    tick: Callable[[int], None],
    explicit: Sequence[T] = (),
) -> tuple[T, Counterexample] | None:
    """Search ``strategy`` for an input ``failure_of`` rejects; return it shrunk, with its counterexample, or None.

    The ``explicit`` inputs are tried first, whatever ``max_examples`` is (they
    are not shrunk: they are small already).

    hypothesis only tries inputs smaller than the smallest failure so far, so
    the last failure seen is the best. Shrinking stops after
    ``max(_SHRINK_CALLS, max_examples // 2)`` evaluations, and generation after
    ``_SEARCH_SECONDS`` (a hanging reward). A failure that does not recur when
    hypothesis replays it (the clock, OS randomness) comes back with
    ``reproduced=False`` instead of raising ``Flaky``.
    """
    state = _SearchState()
    deadline = time.monotonic() + _SEARCH_SECONDS
    shrink_calls = max(_SHRINK_CALLS, max_examples // 2)

    @settings(
        max_examples=max_examples,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(strategy)
    def search(value: T) -> None:
        if state.found:
            state.shrink_evaluations += 1
            if state.shrink_evaluations > shrink_calls:
                raise _StopSearch
        else:
            if time.monotonic() > deadline:
                raise _StopSearch
            state.evaluations += 1
            tick(min(state.evaluations, max_examples))
        try:
            failure = failure_of(value)
        except Exception as exc:  # noqa: BLE001 - a sandbox failure ends the search and is raised below
            state.error = exc
            raise _StopSearch from None
        if failure is not None:
            state.found.append((value, failure))
            raise _Falsified

    for value in reversed(explicit):  # hypothesis runs the last-applied @example first
        search = example(value)(search)
    try:
        search()
    except (_Falsified, _StopSearch):
        pass
    except Flaky:
        value, failure = state.found[-1]
        state.found.append((value, failure.model_copy(update={"reproduced": False})))
    if state.error is not None:
        raise state.error
    return state.found[-1] if state.found else None


# ---- shared -----------------------------------------------------------------------------------------------


def _result(name: str, found: Counterexample | None, summary: str) -> PropertyResult:
    if found is None:
        return PropertyResult(property=name, passed=True, details=summary)
    return PropertyResult(property=name, passed=False, counterexample=found, details=found.problem)


_STATUS_CAUSES = {
    Status.invalid_return: "not_a_number",
    Status.exception: "unguarded_input",
    Status.crashed: "unguarded_input",
    Status.memory_limit: "unguarded_input",
    Status.timeout: "slow_input",
    Status.output_limit: "output",
}


def _status_problem(result: GradeResult) -> tuple[str, str | None] | None:
    """The status and error of a call that did not end ok, and the likely cause; or None."""
    if result.status is Status.ok:
        return None
    return f"status {result.status.value}: {_first_line(result.error)}", _STATUS_CAUSES.get(result.status)


def _one_call(item: Item, result: GradeResult, problem: tuple[str, str | None], *, input_name: str | None = None) -> Counterexample:
    """The counterexample of a property that one call on ``item`` broke."""
    text, cause = problem
    causes = [CAUSES[cause]] if cause else []
    return Counterexample.build(item, text, input_name=input_name, observations=[Observation.of("baseline", result)], causes=causes)


def _first_line(text: str | None) -> str:
    """The last line of a traceback (the exception), or the first line of any other message."""
    if not text:
        return "no error message"
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if text.startswith("Traceback") else lines[0].strip()
