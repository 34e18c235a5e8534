"""The determinism property of ``run_checks``: the same input scores the same in every run that should not matter.

Determinism: the runtime pins PYTHONHASHSEED and seeds ``random`` and numpy before
every call, and gives every call a fresh process; that hides exactly the
dependencies that make a reward nondeterministic in other harnesses. So each
generated input is graded in these runs, which must all agree::

    baseline            fresh process per call, seed s, PYTHONHASHSEED h
    new sandbox         another zygote, same seeds                -> the clock, OS randomness,
                                                                     values drawn at import
    seed s+1, h+1       random/numpy and PYTHONHASHSEED changed   -> random, numpy.random,
                                                                     hash(), set order
    one process         the input twice in one process, then      -> module state carried
                        sessions of 2-4 inputs in order, then        between calls
                        reversed (calls_per_process > 1)
    1 s later           a pass inside one whole second, another   -> int(time.time()),
                        in the next second (when all else agrees)    datetime.now().second

A failure is then explained with a few more calls on the shrunk input: repeats
in the baseline sandbox (the clock, OS randomness), and each seed changed alone.

Why the usual offenders are caught on every run, not by luck:

* ``random.random()``/numpy draws give the same value for every call under one seed
  (the runtime re-seeds them), and a different value under seed s+1: the first
  input already differs. ``os.urandom``, ``uuid4``, ``secrets``, ``SystemRandom``
  are never seeded: every pair of runs differs (a coin flip survives the 4
  comparisons per input over ``max_examples`` inputs with odds of 2**-400).
* ``time.time() % 1``, ``datetime.now().microsecond``: runs are milliseconds
  apart, so every other run differs. ``int(time.time()) % 2`` and other second-level
  reads: the clock probe grades the same inputs in two consecutive whole seconds
  (a pass is retried until it starts and ends within one second).
* ``hash(text) % n`` and set iteration order change with PYTHONHASHSEED; a
  counter or a cache that changes results differs in the one-process run
  (every input is called twice there, and sessions in two orders).
* hypothesis runs derandomized: the same inputs every run, so a check that
  passes or fails does so every time.

What cannot be caught by running: dependence on minutes, hours or dates, on a
clock reading compared with a far threshold, on randomness, a hash or a set order
that changes the score only rarely or only under some seeds (``random() < 0.999``;
one other seed and hash seed are tried), or on state that needs more calls than
a session makes. The lint rules find those in the source.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from .report import CAUSES, Counterexample, Item, Observation, PropertyResult, Truth
from .report import as_row, preview
from .run import (
    _CLOCK_ATTEMPTS,
    _CLOCK_ITEMS,
    _CONFIRM_REPEATS,
    _result,
    _Run,
)
from ..runtime.frames import Status
from ..runtime.results import GradeResult

@dataclass(frozen=True)
class _Variation:
    run: str  # how the report names it
    grader: str


def _variations(run: _Run) -> tuple[_Variation, ...]:
    return (
        _Variation("new sandbox", "fresh"),
        _Variation(f"seed={run.other_seed}, PYTHONHASHSEED={run.other_hash_seed}", "seeds"),
        _Variation("one process", "process"),
    )


def check_determinism(run: _Run) -> PropertyResult:
    """Every variation of what the runtime pins, and of when and where calls run, gives the same score.

    Two searches: single inputs through every run (the one-process run calls the
    input twice), then ``max_examples // 2`` sessions of 2-4 inputs through the one-process run only,
    for state that needs two different inputs (a cache keyed on the ground truth);
    their baseline scores are reused from the first search where it saw them.
    """
    variations = _variations(run)
    process = variations[-1]
    known: dict[Item, GradeResult] = {}

    def narrowing(runs: list[_Variation], reuse: bool) -> Callable[[list[Item]], Counterexample | None]:
        """Once a run differs, shrinking repeats only the runs that differed."""
        total = len(runs)

        def failure_of(session: list[Item]) -> Counterexample | None:
            found = _compare_runs(run, session, runs, known, reuse=reuse)
            if found is not None and len(runs) == total:
                runs[:] = found[1]
            return None if found is None else found[0]

        return failure_of

    singles = [[item] for item in run.probe_items()]
    sessions = max(1, run.max_examples // 2)  # state that needs two inputs is rarer, and each session holds several
    searches = (
        (run.ordinary_items(shaped=True).map(lambda item: [item]), narrowing(list(variations), reuse=False), singles, run.max_examples, 0),
        (_sessions(run), narrowing([process], reuse=True), [[a, b] for [a], [b] in zip(singles, singles[1:])], sessions, run.max_examples),
    )
    for strategy, failure_of, explicit, examples, offset in searches:
        found = run.search(
            "determinism", strategy, failure_of, explicit=explicit, examples=examples, offset=offset, total=run.max_examples + sessions
        )
        if found is not None:
            session, counterexample = found
            complete = _compare_runs(run, session, variations, known, reuse=False)  # every run, for the full record
            differing = list(variations) if complete is None else complete[1]
            if complete is not None:
                counterexample = complete[0].model_copy(update={"reproduced": counterexample.reproduced})
            return _result("determinism", _explain(run, counterexample, differing), "")
    found, clock_note = _clock_probe(run, list(known)[:_CLOCK_ITEMS])
    runs = ", ".join(["baseline"] + [variation.run for variation in variations])
    warm = "; mode='warm' is equivalent for this reward (one process, which keeps more state than warm mode, agrees)"
    return _result("determinism", found, f"{len(known)} inputs scored the same in: {runs}; {clock_note}" + ("" if found else warm))


def _compare_runs(
    run: _Run, session: list[Item], variations: Sequence[_Variation], known: dict[Item, GradeResult], *, reuse: bool
) -> tuple[Counterexample, list[_Variation]] | None:
    """Grade ``session`` in the baseline (or take ``known`` scores, if ``reuse``) and in each variation;
    the first input whose score differs, and the runs that differ, or None."""
    fresh = list(dict.fromkeys(item for item in session if not (reuse and item in known)))
    batches = {"baseline": ("baseline", fresh)} if fresh else {}
    for variation in variations:
        batches[variation.run] = (variation.grader, session + session[::-1] if variation.grader == "process" else session)
    results = run.grade_concurrently(batches)
    graded = dict(zip(fresh, results.get("baseline", [])))
    known.update(graded)
    results["baseline"] = [graded.get(item) or known[item] for item in session]
    return _first_difference(session, results, variations)


def _sessions(run: _Run) -> SearchStrategy[list[Item]]:
    """2-4 inputs sharing one or two ground truths (a cache keyed on the ground truth needs two completions for one)."""
    pools = st.lists(run.ground_truth_strategy(shaped=True), min_size=1, max_size=2, unique=True)

    def items(pool: list[Truth]) -> SearchStrategy[list[Item]]:
        item = st.sampled_from(pool).flatmap(lambda gt: run.completions_for(gt).map(lambda c: (c, gt)))
        return st.lists(item, min_size=2, max_size=4)

    return pools.flatmap(items)


def _same(a: GradeResult | Observation, b: GradeResult | Observation) -> bool:
    return a.status is b.status and math.isclose(a.score, b.score, rel_tol=1e-9, abs_tol=1e-12)


def _outcome(observation: Observation) -> str:
    return f"{observation.score:g}" if observation.status is Status.ok else f"{observation.score:g} ({observation.status.value})"


def _first_difference(
    session: list[Item], results: Mapping[str, list[GradeResult]], variations: Sequence[_Variation]
) -> tuple[Counterexample, list[_Variation]] | None:
    """The first input whose score differs between runs, with every score observed for it, and the runs that differ."""
    baseline = results["baseline"]
    k = len(session)
    for index, item in enumerate(session):
        observations = [Observation.of("baseline", baseline[index])]
        differing: list[_Variation] = []
        history: list[Item] = []
        for variation in variations:
            if variation.grader == "process":
                positions = (index, 2 * k - 1 - index)  # session, then the session reversed, in one process
                calls = session + session[::-1]
                for position in positions:
                    result = results[variation.run][position]
                    observations.append(Observation.of(f"one process, call {position + 1} of {2 * k}", result))
                    if not _same(result, baseline[index]) and variation not in differing:
                        differing.append(variation)
                        history = calls[:position]
            else:
                result = results[variation.run][index]
                observations.append(Observation.of(variation.run, result))
                if not _same(result, baseline[index]):
                    differing.append(variation)
        if differing:
            changed = [o for o in observations[1:] if not _same(o, observations[0])]
            scores = ", ".join(f"{o.run} {_outcome(o)}" for o in changed)
            found = Counterexample.build(
                item,
                f"the score changed: baseline {_outcome(observations[0])}, {scores}",
                observations=observations,
                history=[(preview(c), preview(str(g))) for c, g in history],
            )
            return found, differing
    return None


def _explain(run: _Run, found: Counterexample, differing: Sequence[_Variation]) -> Counterexample:
    """Add the likely causes, from a few more calls on the counterexample.

    The baseline sandbox grades it ``_CONFIRM_REPEATS`` more times: if those
    disagree, the clock or OS randomness explains every other difference (a coin
    flip can match once by chance). Otherwise a new sandbox that differs means a
    value drawn at import, unless the input scores differently one second later
    (a second-resolution clock: fast repeats fall within one second); other seeds that differ are split into the ``random``
    seed and PYTHONHASHSEED, each tried alone; one process that differs means
    state carried between calls.
    """
    item, baseline = found._item, found.observations[0]
    repeats = [Observation.of(f"repeat {i + 2}", r) for i, r in enumerate(run.grade([item] * _CONFIRM_REPEATS, ordinary=False))]
    agree = all(_same(o, baseline) for o in repeats)
    # repeats that all agree are one line of evidence, not eight
    extra = [repeats[0].model_copy(update={"run": f"repeated {len(repeats)} times"})] if agree else repeats
    by_grader = {variation.grader for variation in differing}
    if not agree or not found.reproduced:
        names = ["clock", "os_randomness"]
    elif "fresh" in by_grader:
        # repeats inside one second agree with a second-resolution clock too: tell it from an import-time value
        clocked, _ = _clock_probe(run, [item])
        names = ["seconds_clock"] if clocked is not None else ["import_time"]
        extra += clocked.observations[1:] if clocked is not None else []
    else:
        names = []
        if "seeds" in by_grader:
            alone = {"rng": (f"seed={run.other_seed}", "seed"), "hash_order": (f"PYTHONHASHSEED={run.other_hash_seed}", "hash")}
            tried = {cause: Observation.of(label, run.grade([item], grader, ordinary=False)[0]) for cause, (label, grader) in alone.items()}
            extra += tried.values()
            names += [cause for cause, o in tried.items() if not _same(o, baseline)] or list(alone)
        if "process" in by_grader:
            names.append("module_state")
    observations = found.observations + extra
    if any(o.status is Status.timeout for o in observations) and not all(o.status is Status.timeout for o in observations):
        names.insert(0, "load_timeout")
    return found.model_copy(update={"observations": observations, "causes": [CAUSES[name] for name in dict.fromkeys(names)]})


def _clock_probe(run: _Run, items: list[Item]) -> tuple[Counterexample | None, str]:
    """Grade ``items`` in one whole second and again in the next; a second-resolution clock read shows up."""
    if not items:
        return None, "clock probe skipped: no inputs"
    for _ in range(_CLOCK_ATTEMPTS):
        first = _within_one_second(run, items)
        if first is None:
            continue
        second_start, before = first
        _sleep_until(second_start + 1 + 0.005)
        second = _within_one_second(run, items)
        if second is None or second[0] != second_start + 1:
            continue
        for item, a, b in zip(items, before, second[1]):
            if not _same(a, b):
                observations = [Observation.of("baseline", a), Observation.of("1 s later", b)]
                problem = f"the score changed: baseline {_outcome(observations[0])}, 1 s later {_outcome(observations[1])}"
                return Counterexample.build(item, problem, observations=observations, causes=[CAUSES["seconds_clock"]]), ""
        return None, f"{len(items)} inputs scored the same in two consecutive seconds"
    return None, "clock probe skipped: a pass over a few inputs takes more than a second"


def _within_one_second(run: _Run, items: list[Item]) -> tuple[int, list[GradeResult]] | None:
    """Grade ``items`` so the whole pass starts and ends in one wall-clock second: (that second, results)."""
    now = time.time()
    if now % 1 > 0.7:
        _sleep_until(math.floor(now) + 1 + 0.005)
    started = time.time()
    results = run.graders["baseline"].grade_batch([as_row(item) for item in items])
    ended = time.time()
    return (int(started), results) if int(started) == int(ended) else None


def _sleep_until(wall_time: float) -> None:
    delay = wall_time - time.time()
    if delay > 0:
        time.sleep(delay)
