"""``json_answer``: the completion's JSON is valid, fits a JSON Schema, and matches the ground truth's fields."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from .base import Example, GoldUnparseable, Reward, require
from .extract import last_match, last_tag

_FENCE = re.compile(r"```[ \t]*(?:json)?[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)


def json_text(completion: str) -> str:
    """The last fenced block (```json or bare ```), else the last ``<answer>`` tag, else the whole completion."""
    block = last_match(_FENCE, completion)
    if block is not None:
        return block.group(1).strip()
    tagged = last_tag(completion)
    return tagged if tagged is not None else completion.strip()


def same_json(a: Any, b: Any) -> bool:
    """JSON equality: numbers by value (1 == 1.0), but booleans are not numbers and types never mix otherwise."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return a == b


def leaves(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every non-object value of nested objects by its key path; lists are single leaves."""
    if isinstance(value, dict) and value:
        found: dict[tuple[str, ...], Any] = {}
        for key, item in value.items():
            found.update(leaves(item, (*path, key)))
        return found
    return {path: value}


class json_answer(Reward):
    """Score the completion's JSON: 0.0 unless it parses (and fits ``schema``), then compared with the ground truth.

    The JSON is the last fenced block (```json or bare ```), else the last
    ``<answer>`` tag, else the whole completion. With ``compare``:

    * ``"fields"`` (default): the fraction of the ground truth's leaf fields
      (key paths through nested objects; lists count as one value) that the
      answer has with an equal value; keys the ground truth lacks are ignored;
    * ``"exact"``: 1.0 when the whole value equals the ground truth;
    * ``"none"``: 1.0 for any valid (schema-conforming) JSON; the ground truth is ignored.

    Equality is JSON equality: ``1`` = ``1.0``, but ``true`` != ``1`` and
    ``"1"`` != ``1``. NaN and Infinity are not JSON. A ground truth that is not
    JSON raises ``GoldUnparseable`` (unless ``compare="none"``).

    Parameters:
        schema: a JSON Schema the answer must satisfy (checked with jsonschema;
            an invalid schema is a parameter error).
        compare: ``"fields"``, ``"exact"`` or ``"none"``.

    Range [0, 1].

    >>> reward = json_answer()
    >>> reward('```json\\n{"name": "Ada", "born": 1815}\\n```', '{"name": "Ada", "born": 1816}')
    0.5
    >>> json_answer(schema={"type": "object", "required": ["name"]}, compare="none")('{"born": 1815}', "")
    0.0
    """

    json_schema: dict[str, Any] | None = Field(None, alias="schema")  # "schema" is a (deprecated) BaseModel method
    compare: Literal["fields", "exact", "none"] = "fields"

    examples: ClassVar[tuple[Example, ...]] = (
        Example('```json\n{"city": "Paris", "country": "France"}\n```', '{"city": "Paris", "country": "France"}', 1.0),
        Example('{"city": "Paris", "country": "Italy"}', '{"city": "Paris", "country": "France"}', 0.5),
        Example('{"city": "Paris", "country": "France", "extra": 1}', '{"city": "Paris", "country": "France"}', 1.0),
        Example('{"city": "Paris", "country": France}', '{"city": "Paris", "country": "France"}', 0.0),
        Example('{"city": ["Paris"]}', '{"city": "Paris", "country": "France"}', 0.0),
        Example("", '{"city": "Paris", "country": "France"}', 0.0),
    )
    example_params: ClassVar[dict[str, object]] = {
        "schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    }

    @field_validator("json_schema")
    @classmethod
    def _valid_schema(cls, schema: dict[str, Any] | None) -> dict[str, Any] | None:
        if schema is not None:
            require("jsonschema", "json")
            import jsonschema

            try:
                jsonschema.validators.validator_for(schema).check_schema(schema)
            except jsonschema.SchemaError as exc:
                raise ValueError(f"not a valid JSON Schema: {exc.message}") from None
        return schema

    def _prepare(self) -> None:
        self._validator = None
        if self.json_schema is not None:
            import jsonschema

            self._validator = jsonschema.validators.validator_for(self.json_schema)(self.json_schema)

    def __call__(self, completion: str, ground_truth: object = None) -> float:
        """``ground_truth`` is the expected value itself (a dict, a list, a number) or its JSON text (a string)."""
        gold = None if self.compare == "none" else _load_gold(ground_truth)
        try:
            answer = json.loads(json_text(completion), parse_constant=_reject_constant)
            return self._score(answer, gold)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
            return 0.0

    def _score(self, answer: Any, gold: Any) -> float:
        if self._validator is not None and not self._validator.is_valid(answer):
            return 0.0
        if self.compare == "none":
            return 1.0
        if self.compare == "exact" or not isinstance(gold, dict) or not gold:
            return 1.0 if same_json(gold, answer) else 0.0
        answer_leaves = leaves(answer) if isinstance(answer, dict) else {}
        gold_leaves = leaves(gold)
        matched = sum(path in answer_leaves and same_json(value, answer_leaves[path]) for path, value in gold_leaves.items())
        return matched / len(gold_leaves)


def _load_gold(ground_truth: object) -> Any:
    if ground_truth is None:
        raise GoldUnparseable("json_answer: the row has no ground truth to compare with (compare='none' checks the schema only)")
    if not isinstance(ground_truth, str):
        return ground_truth  # the expected JSON value as the dataset holds it
    try:
        return json.loads(ground_truth, parse_constant=_reject_constant)
    except ValueError as exc:
        raise GoldUnparseable(f"json_answer: the ground truth is not JSON ({exc}): {ground_truth[:200]!r}") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")

