"""What ``rewardbox check`` reports: a result per property, the counterexample, and the likely causes.

Pure data (pydantic), shared by ``checks.py``, which produces it, and the
renderers (``rewardbox check`` text and JSON, ``rewardbox preflight``). Each cause
says what was observed, what to do about it, and which ``rewardbox lint`` rule
finds it in the source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Mapping, Union

from pydantic import BaseModel, Field, PrivateAttr, computed_field

from ..runtime.frames import Status
from ..runtime.results import GradeResult

EXPLOIT_FAMILIES = (  # checks/exploits.py defines each
    "enumeration", "hedge", "reasoning_gold", "negated_gold", "prompt_echo", "empty_answer", "format_wrong_answer",
    "padding", "step_markers", "schema_json", "lookalike", "truncated", "code_attacks",
)  # fmt: skip
EXPLOITS = tuple(f"exploit:{family}" for family in EXPLOIT_FAMILIES)
CORE_PROPERTIES = ("determinism", "type_and_range", "robustness", "gold_consistency", "latency")
PROPERTIES = (*CORE_PROPERTIES, *EXPLOITS)
_PREVIEW_CHARS = 2000
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Row:
    """A ground truth of any JSON value and the row's other fields, frozen so that inputs can be dict keys.

    The checks keep a plain string ground truth without fields as the string itself
    (``Truth``); every other example becomes a ``Row`` (``Row.of``).
    """

    ground_truth_json: str
    fields_json: str = "{}"

    @classmethod
    def of(cls, ground_truth: Any, fields: Mapping[str, Any] | None = None) -> "Truth":
        """The string itself for a string ground truth without fields, else a ``Row``."""
        if isinstance(ground_truth, str) and not fields:
            return ground_truth
        return cls(json.dumps(ground_truth, sort_keys=True, ensure_ascii=False), json.dumps(dict(fields or {}), sort_keys=True, ensure_ascii=False))

    @cached_property
    def ground_truth(self) -> Any:
        return json.loads(self.ground_truth_json)

    @cached_property
    def fields(self) -> dict:
        return json.loads(self.fields_json)

    def __str__(self) -> str:
        return self.ground_truth if isinstance(self.ground_truth, str) else self.ground_truth_json


Truth = Union[str, Row]
Item = tuple[str, Truth]  # (completion, ground_truth)


def answer_text(truth: Truth) -> str | None:
    """The answer probes can write for ``truth``: the string, or a number's text; None for dicts, lists, bools, null."""
    value = truth.ground_truth if isinstance(truth, Row) else truth
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


_ANSWER_KEYS = ("answer", "target", "solution", "ground_truth", "label", "result", "value")


def answer_hint(truth: Truth) -> str:
    """An answer to write completions around: ``answer_text``; for a dict, the text or number under a key such as
    "answer" or "target"; else the first number in the value; else "42"."""
    text = answer_text(truth)
    if text is not None:
        return text
    value = truth.ground_truth if isinstance(truth, Row) else truth
    if isinstance(value, dict):
        for key in _ANSWER_KEYS:
            text = answer_text(Row.of(value.get(key)))
            if text:
                return text
    found = _NUMBER.search(str(truth))
    return found.group() if found else "42"


def kind_of(truth: Truth) -> str:
    """How reports name a ground truth's JSON type: "text", "number", "dict", "list", "bool", "null"."""
    value = truth.ground_truth if isinstance(truth, Row) else truth
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    return {str: "text", int: "number", float: "number", dict: "dict", list: "list"}.get(type(value), type(value).__name__)


def as_row(item: Item) -> tuple[str, str] | dict:
    """What a ``Grader`` takes for ``item``: the pair for a string ground truth, the row for a ``Row``."""
    completion, truth = item
    if isinstance(truth, Row):
        return {**truth.fields, "completion": completion, "ground_truth": truth.ground_truth}
    return item


class Cause(BaseModel):
    """A likely reason for a failed property, what to do about it, and the lint rule that finds it."""

    name: str
    explanation: str
    fix: str
    lint_rule: str | None = None


def _causes(*causes: Cause) -> dict[str, Cause]:
    return {cause.name: cause for cause in causes}


CAUSES: dict[str, Cause] = _causes(
    # determinism
    Cause(
        name="clock",
        explanation="it reads the clock (time.time, datetime.now, time.perf_counter), so the score changes between calls",
        fix="score the completion and ground truth only; the grader's timeout already bounds the time a call takes",
        lint_rule="RK111 wall-clock",
    ),
    Cause(
        name="os_randomness",
        explanation="it draws randomness nobody can seed (os.urandom, uuid.uuid4, secrets, random.SystemRandom) or reads "
        "another value that changes with every process (os.getpid(), id())",
        fix="remove the randomness; if the reward must sample, use random.Random(<fixed seed>)",
        lint_rule="RK110 unseeded-random",
    ),
    Cause(
        name="load_timeout",
        explanation="a call timed out in one run and not in another: it takes close to the timeout, so its score depends on machine load",
        fix="make the reward faster, or raise the timeout (--timeout) well above its slowest call",
    ),
    Cause(
        name="import_time",
        explanation="it computes a value when its module is loaded (a random number, a timestamp, a uuid), so each sandbox gets another one",
        fix="derive such values from constants",
        lint_rule="RK110 unseeded-random, RK111 wall-clock",
    ),
    Cause(
        name="rng",
        explanation="it draws from random or numpy.random; the sandbox seeds them before every call, which hides this, "
        "but the score changes with the seed (and varies in any harness that does not seed)",
        fix="remove the randomness, or use a local random.Random(<fixed seed>) so no global state is involved",
        lint_rule="RK110 unseeded-random",
    ),
    Cause(
        name="hash_order",
        explanation="it depends on hash() of strings or bytes, or on the iteration order of a set; both change with PYTHONHASHSEED",
        fix="iterate over sorted(...) and use hashlib for a stable hash",
        lint_rule="RK112 hash-or-id, RK113 set-order",
    ),
    Cause(
        name="module_state",
        explanation="it keeps state between calls (a module-level counter, a list it appends to, a cache whose entries change "
        "the result); the sandbox's fresh process per call hides this, but calls_per_process > 1 and other harnesses do not",
        fix="keep state local to the call (then mode='warm' is safe too); a cache (functools.lru_cache) is fine only around a pure function",
        lint_rule="RK133 module-state",
    ),
    Cause(
        name="seconds_clock",
        explanation="it reads the clock at second resolution (int(time.time()), datetime.now().second, time.strftime): "
        "calls one second apart score differently",
        fix="score the completion and ground truth only",
        lint_rule="RK111 wall-clock",
    ),
    # type and range, robustness
    Cause(
        name="not_a_number",
        explanation="it returns None, NaN, an infinity or a non-number on some path; one NaN makes a whole GRPO group's advantages NaN",
        fix="return a finite float on every path (the minimum when nothing matches)",
        lint_rule="RK131 implicit-none, RK132 non-number-return",
    ),
    Cause(
        name="out_of_range",
        explanation="it returns scores outside the declared range (a penalty below it, a bonus above it)",
        fix="keep every term inside the range, or declare the range the reward really has (--range)",
    ),
    Cause(
        name="slow_input",
        explanation="it runs past the timeout on this input (a regex that backtracks, a sympy call that does not return)",
        fix="bound the work: cap the length of what you parse, avoid nested quantifiers, give math libraries their own timeout",
    ),
    Cause(
        name="output",
        explanation="it writes more than the output limit to stdout or stderr",
        fix="do not print or log per call; one line per completion is thousands per training step",
        lint_rule="RK140 print-in-call, RK141 logging-in-call",
    ),
    Cause(
        name="unguarded_input",
        explanation="it assumes a completion it may not get: non-empty, ASCII, short, with a number that int() can convert",
        fix="return the minimum for such completions instead of raising; the sandbox scores a crash 0.0 but logs an error for every one",
    ),
    # gold consistency
    Cause(
        name="strict_format",
        explanation="it reads the answer from fewer formats than models write (only '#### n', only \\boxed{}, an anchored "
        "pattern), or reads the first answer where the last is meant",
        fix="accept the common answer formats, or tell the check which ones the prompt demands (--answer-formats)",
        lint_rule="RK121 first-match, RK122 boxed-cuts-braces",
    ),
    Cause(
        name="containment",
        explanation="it gives credit when the answer merely appears in the completion ('42' in '420', a hedge listing several answers)",
        fix="extract the one final answer, then compare it with the ground truth",
        lint_rule="RK120 answer-containment",
    ),
    Cause(
        name="credit_without_answer",
        explanation="it gives credit to a completion that has no answer (a format or length bonus, a broad except returning credit)",
        fix="score a completion without an answer the minimum; gate format credit on a correct answer",
        lint_rule="RK130 broad-except-credit, RK142 format-outweighs-correctness",
    ),
)


class Observation(BaseModel):
    """One call a check made, where it ran, and what came back."""

    run: str
    score: float
    status: Status
    error: str | None = None
    duration_ms: float = 0.0

    @classmethod
    def of(cls, run: str, result: GradeResult) -> Observation:
        return cls(run=run, score=result.score, status=result.status, error=result.error, duration_ms=result.duration_ms)


class Counterexample(BaseModel):
    """The (shrunk) input a property failed on, what was wrong, and why that is likely."""

    completion: str  # at most ~2,000 characters: long inputs keep their head and tail
    completion_chars: int
    ground_truth: str  # a string ground truth as it is, any other as JSON
    input_name: str | None = None  # the named robustness input ("1 MiB of digits")
    problem: str
    observations: list[Observation] = Field(default_factory=list)
    history: list[tuple[str, str]] = Field(default_factory=list)  # calls made before it in the same process
    causes: list[Cause] = Field(default_factory=list)
    reproduced: bool = True  # False: the failure did not recur when the same input ran again
    _item: Item = PrivateAttr()  # the whole input, for follow-up calls

    @classmethod
    def build(cls, item: Item, problem: str, **fields) -> Counterexample:
        completion, ground_truth = item
        found = cls(completion=preview(completion), completion_chars=len(completion), ground_truth=preview(str(ground_truth)), problem=problem, **fields)
        found._item = item
        return found


class PropertyResult(BaseModel):
    """The outcome of one property."""

    property: str
    passed: bool
    counterexample: Counterexample | None = None
    details: str
    skipped: bool = False
    stats: dict[str, float] = Field(default_factory=dict)


class CheckReport(BaseModel):
    """Every property checked for one reward."""

    reward: str
    results: list[PropertyResult]
    seconds: float
    convention: str = "rewardbox"  # the harness signature the reward was read in (graders.runtime.conventions)

    @computed_field
    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def result(self, name: str) -> PropertyResult:
        return next(result for result in self.results if result.property == name)


def preview(text: str, limit: int = _PREVIEW_CHARS) -> str:
    """``text`` if short, else its head and tail around a note of how much was left out."""
    if len(text) <= limit:
        return text
    head, tail = text[: limit * 3 // 4], text[-limit // 4 :]
    return f"{head}... [{len(text) - len(head) - len(tail):,} characters left out] ...{tail}"
