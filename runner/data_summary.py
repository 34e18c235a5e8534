"""What ``rewardbox data inspect`` reports about a data source, as pure functions over its rows and scores.

"Can the reward parse a ground truth?" is measured the way the gold-consistency check
measures it: the ground truth is written in each common answer format (plain, ``\\boxed{}``,
``#### x``, "The answer is x.", ...) and graded against itself; it counts as parsed when
at least one format scores the reward's maximum. A ground truth no format brings to the
maximum is one the reward will never reward, whatever the model writes.
"""

from __future__ import annotations

from typing import Any, Sequence, TypeVar

from pydantic import BaseModel

from .datasource import MESSAGES_COLUMN, Columns, Table

PREVIEW_CHARS = 160
NOT_PARSED_SHOWN = 5
T = TypeVar("T")


class ColumnSummary(BaseModel):
    """A column: how many of its values are of each kind (text, number, messages, ...) and how many rows lack it."""

    name: str
    kinds: dict[str, int]
    missing: int


class TableSummary(BaseModel):
    """A source's size, columns, first rows, the columns each role reads and what the source can train."""

    source: str
    kind: str
    rows: int
    columns: list[ColumnSummary]
    head: list[dict[str, Any]]
    prompt_column: str
    answer_column: str
    response_column: str
    found: dict[str, bool]  # role (prompt, answer, response, messages) -> its column is there
    usable_for: list[str]  # "grpo" (prompts and ground truths), "sft" (prompts and responses, or conversations)


class NotParsed(BaseModel):
    """A ground truth no format brings to the maximum, and its best score (None: every call failed)."""

    ground_truth: str
    best_score: float | None
    best_format: str | None


class ParseReport(BaseModel):
    """How many ground truths the reward gives its maximum in some answer format."""

    reward: str
    score_max: float
    ground_truths: int  # in the source
    structured: int = 0  # objects, lists and booleans among them: no answer format writes them, so not checked
    checked: int  # graded (an even sample when there are more than asked for)
    parseable: int
    by_format: dict[str, int]  # format -> ground truths it scores the maximum in
    failed_calls: int  # calls that did not return a score (exception, timeout, ...)
    not_parsed: list[NotParsed]  # the first few


class InspectReport(BaseModel):
    table: TableSummary
    parse: ParseReport | None = None


def summarize_table(table: Table, columns: Columns, head_rows: int) -> TableSummary:
    """Sizes, column kinds, the first ``head_rows`` rows (long values shortened) and what the source can train."""
    summaries = []
    for name in table.columns:
        kinds: dict[str, int] = {}
        for row in table.rows:
            if name in row.values:
                kind = value_kind(row.values[name])
                kinds[kind] = kinds.get(kind, 0) + 1
        summaries.append(ColumnSummary(name=name, kinds=kinds, missing=len(table.rows) - sum(kinds.values())))
    present = set(table.columns)
    found = {
        "prompt": columns.prompt in present,
        "answer": columns.answer in present,
        "response": columns.response in present,
        "messages": MESSAGES_COLUMN in present,
    }
    usable = []
    if found["prompt"] and found["answer"]:
        usable.append("grpo")
    if (found["prompt"] and found["response"]) or (not found["prompt"] and found["messages"]):
        usable.append("sft")
    return TableSummary(
        source=table.name,
        kind=table.kind,
        rows=len(table.rows),
        columns=summaries,
        head=[{key: preview(value) for key, value in row.values.items()} for row in table.rows[:head_rows]],
        prompt_column=columns.prompt,
        answer_column=columns.answer,
        response_column=columns.response,
        found=found,
        usable_for=usable,
    )


def value_kind(value: object) -> str:
    """text, number, bool, messages, list, object or null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "messages" if value and all(isinstance(item, dict) and "role" in item for item in value) else "list"
    return "object"


def preview(value: object, limit: int = PREVIEW_CHARS) -> object:
    """Text cut to ``limit`` characters with a note of the rest; other values as they are."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]}... [{len(value) - limit} more characters]"
    return value


def sample_evenly(values: Sequence[T], count: int) -> list[T]:
    """``count`` values spread evenly over ``values`` (all of them when there are no more than ``count``).

    >>> sample_evenly(list(range(10)), 3)
    [0, 3, 6]
    """
    if len(values) <= count:
        return list(values)
    return [values[index * len(values) // count] for index in range(count)]


def summarize_parsing(
    reward: str,
    ground_truths: int,
    checked: Sequence[object],
    formats: Sequence[str],
    scores_by_truth: Sequence[Sequence[float | None]],
    score_max: float,
    *,
    structured: int = 0,
) -> ParseReport:
    """The parse counts from each checked ground truth's score in each format (None: the call failed)."""
    by_format = {name: 0 for name in formats}
    parseable, failed, not_parsed = 0, 0, []
    for truth, scores in zip(checked, scores_by_truth):
        failed += sum(score is None for score in scores)
        at_max = [name for name, score in zip(formats, scores) if score is not None and score >= score_max]
        for name in at_max:
            by_format[name] += 1
        if at_max:
            parseable += 1
        elif len(not_parsed) < NOT_PARSED_SHOWN:
            graded = [(score, name) for name, score in zip(formats, scores) if score is not None]
            best_score, best_format = max(graded, key=lambda pair: pair[0], default=(None, None))
            not_parsed.append(NotParsed(ground_truth=str(preview(truth)), best_score=best_score, best_format=best_format))
    return ParseReport(
        reward=reward,
        score_max=score_max,
        ground_truths=ground_truths,
        structured=structured,
        checked=len(checked),
        parseable=parseable,
        by_format=by_format,
        failed_calls=failed,
        not_parsed=not_parsed,
    )
