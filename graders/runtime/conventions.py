"""Rewards as other harnesses write them: which convention a function follows, and how a row becomes its arguments.

============== ================================================== ================================================ ===========================
convention     signature (recognised from parameter names)        receives, from rewardbox rows                    returns
============== ================================================== ================================================ ===========================
rewardbox      ``f(completion, ground_truth, [fields...])``       the completion, the ground truth, named fields   a number
trl            ``f(completions, **kwargs)``, often                lists over the batch: ``completions`` (messages  a list: a number or None
               ``f(prompts, completions, solution, **kwargs)``;   when the prompt is a chat), ``prompts``, every   (does not apply) each
               sync or async (batch)                              field by name, the ground truth under the name
                                                                  the function gives it; ``trainer_state`` None
verl           ``compute_score(data_source, solution_str,         ``solution_str`` the completion; the row's       a number, or a dict with
               ground_truth, extra_info=None, **kwargs)`` (forks: ``data_source`` and ``extra_info`` (or its          ``score`` and more
               ``compute_score(solution_str, ground_truth)``)     ``reward_model.ground_truth``)
openrlhf       ``reward_func(queries, prompts, labels, **kw)``    lists: prompt + completion, prompts, ground      a list or tensor, or a
               (batch)                                            truths                                           dict with ``rewards``
verifiers      ``f(completion, answer, **kwargs)`` (also          the completion (messages in chat mode), the row's a number
               ``prompt``, ``parser``, ``state``, ``info``,       ``answer`` (else the ground truth), ``prompt``,
               ``task``); sync or async                           ``info``, ``task``, ``state`` {}, a plain parser
reasoning_gym  ``score_answer(answer, entry)``                    the last ``<answer>...</answer>`` text (or None), a number
                                                                  the row's ``entry`` (else its ground truth)
openai         ``grade(sample, item)``                            ``{"output_text": completion}``, the row's        a number
                                                                  fields with its ground truth
============== ================================================== ================================================ ===========================

Every convention takes every field of the row; a dict result's other numbers become
the result's components. Stdlib only: the zygote imports this module.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, Callable, Sequence

CONVENTIONS = ("rewardbox", "trl", "verl", "openrlhf", "verifiers", "reasoning_gym", "openai")
BATCH = frozenset({"trl", "openrlhf"})
_TRL_GIVEN = ("prompts", "completions", "completion_ids", "trainer_state", "log_extra", "log_metric")
_VERIFIERS_GIVEN = ("completion", "answer", "prompt", "parser", "state", "info", "task")
_ANSWER_TAG = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
Row = tuple[str, Any, dict]  # (completion, ground truth, every other field)


class ConventionError(TypeError):
    """A signature no convention fits, or a result that breaks its convention's contract (the message names both)."""


def detect(function: Callable, forced: str | None = None) -> str:
    """The convention ``function`` follows: ``forced`` if given (checked), else read from its parameter names."""
    if forced is not None:
        if forced not in CONVENTIONS:
            raise ConventionError(f"convention={forced!r}: expected one of {', '.join(CONVENTIONS)}")
        return forced
    try:
        params = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return "rewardbox"
    names = [name for name, p in params.items() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    varkw = any(p.kind is p.VAR_KEYWORD for p in params.values())
    if names[:2] == ["sample", "item"]:
        return "openai"
    if names[:2] == ["answer", "entry"]:
        return "reasoning_gym"
    if "solution_str" in names:
        return "verl"
    if names[:3] == ["queries", "prompts", "labels"] or {"queries", "labels"} <= set(names):
        return "openrlhf"
    if "completions" in names:
        return "trl"
    if "ground_truth" in names:  # rewardbox's own name (verifiers says answer): f(completion, ground_truth, prompt) is ours
        return "rewardbox"
    if "completion" in names and (set(names) & {"parser", "state", "info", "task", "prompt"} or ("answer" in names and (varkw or names.index("answer") != 1))):
        return "verifiers"
    return "rewardbox"


def describe(convention: str) -> str:
    return {
        "rewardbox": "rewardbox: f(completion, ground_truth)",
        "trl": "TRL: f(completions, **kwargs) -> list, called with a batch",
        "verl": "verl: compute_score(data_source, solution_str, ground_truth, extra_info)",
        "openrlhf": "OpenRLHF: reward_func(queries, prompts, labels) -> list, called with a batch",
        "verifiers": "verifiers: f(completion, answer, **kwargs)",
        "reasoning_gym": "reasoning-gym: score_answer(answer, entry)",
        "openai": "OpenAI grader: grade(sample, item)",
    }[convention]


def _accepts(function: Callable) -> tuple[set[str], bool]:
    """The parameter names ``function`` takes by keyword, and whether it takes ``**kwargs``."""
    params = inspect.signature(function).parameters
    names = {name for name, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return names, any(p.kind is p.VAR_KEYWORD for p in params.values())


def _keywords(function: Callable, offered: dict[str, Any]) -> dict[str, Any]:
    names, varkw = _accepts(function)
    return offered if varkw else {name: value for name, value in offered.items() if name in names}


def _gold_names(function: Callable, given: Sequence[str], fields: dict) -> list[str]:
    """Parameters that hold the gold under the name the function chose (``solution``, ``answer``, ``label``...):
    named, not one the harness gives, not a field of the row."""
    params = inspect.signature(function).parameters
    return [
        name for name, p in params.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in given and name not in fields and p.default is p.empty
    ]


def _chat(prompt: Any) -> bool:
    return isinstance(prompt, list) and all(isinstance(message, dict) for message in prompt)


def _text(prompt: Any) -> str:
    if _chat(prompt):
        return "".join(str(message.get("content", "")) for message in prompt)
    return "" if prompt is None else str(prompt)


class PlainParser:
    """What verifiers' reward functions get as ``parser`` here: ``parse`` returns the text, ``parse_answer`` the
    last assistant message's text (a reward needing verifiers' own parsers should build them itself)."""

    def parse(self, text: str) -> str:
        return text

    def parse_answer(self, completion: Any) -> str | None:
        if isinstance(completion, list):
            contents = [m.get("content") for m in completion if isinstance(m, dict) and m.get("role") == "assistant"]
            return contents[-1] if contents else None
        return completion


def call(convention: str, function: Callable, row: Row) -> Any:
    """Call a per-item reward with one row as its convention passes it (rewardbox's own rows go through ``Binding``)."""
    completion, ground_truth, fields = row
    if convention == "verl":
        gold = ground_truth if ground_truth is not None else (fields.get("reward_model") or {}).get("ground_truth")
        offered = {**fields, "data_source": fields.get("data_source"), "solution_str": completion, "ground_truth": gold, "extra_info": fields.get("extra_info")}
        return function(**_keywords(function, offered))
    if convention == "verifiers":
        prompt = fields.get("prompt")
        answer = fields["answer"] if "answer" in fields else ground_truth
        text = [{"role": "assistant", "content": completion}] if _chat(prompt) else completion
        offered = {**fields, "completion": text, "answer": answer, "prompt": prompt, "parser": PlainParser(), "state": {}, "info": fields.get("info", {}), "task": fields.get("task")}
        return function(**_keywords(function, offered))
    if convention == "reasoning_gym":
        answers = _ANSWER_TAG.findall(completion)
        return function(answers[-1].strip() if answers else None, fields.get("entry", ground_truth))
    if convention == "openai":
        return function({"output_text": completion}, {**fields, "ground_truth": ground_truth})
    raise ConventionError(f"{convention} rewards are called with a batch")


def call_batch(convention: str, function: Callable, rows: Sequence[Row]) -> Any:
    """Call a batch reward (TRL, OpenRLHF) once with every row of the chunk, as its harness does."""
    prompts = [fields.get("prompt") for _, _, fields in rows]
    if convention == "openrlhf":
        texts = [_text(prompt) for prompt in prompts]
        return function([text + completion for text, (completion, _, _) in zip(texts, rows)], texts, [gold for _, gold, _ in rows])
    conversational = any(_chat(prompt) for prompt in prompts)
    offered: dict[str, Any] = {
        "prompts": prompts,
        "completions": [[{"role": "assistant", "content": c}] if conversational else c for c, _, _ in rows],
        "trainer_state": None,
        "log_extra": lambda *args, **kwargs: None,
        "log_metric": lambda *args, **kwargs: None,
    }
    names = sorted({name for _, _, fields in rows for name in fields if name != "prompt"})
    offered.update({name: [fields.get(name) for _, _, fields in rows] for name in names})
    golds = [gold for _, gold, _ in rows]
    offered.setdefault("ground_truth", golds)
    for name in _gold_names(function, _TRL_GIVEN, offered):
        offered[name] = golds
    return function(**_keywords(function, offered))


def results(convention: str, value: Any, count: int, name: str) -> list[tuple[Any, dict[str, Any]]]:
    """A batch reward's value as one ``(score value, components)`` per row; ``ConventionError`` when it is not one per row."""
    components: list[dict[str, Any]] = [{} for _ in range(count)]
    if isinstance(value, dict):  # OpenRLHF: {"rewards", "scores", "extra_logs"}
        logs = value.get("extra_logs") or {}
        for key, values in logs.items():
            for index, item in enumerate(_sequence(values, count, f"{name}'s extra_logs[{key!r}]")):
                components[index][str(key)] = item
        if "rewards" not in value:
            raise ConventionError(f"{name} returned a dict without 'rewards' (OpenRLHF's result): keys {sorted(value)!r:.200}")
        value = value["rewards"]
    scores = _sequence(value, count, name)
    return [(score, extra) for score, extra in zip(scores, components)]


def _sequence(value: Any, count: int, name: str) -> list:
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):  # a tensor or a numpy array
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise ConventionError(f"{name} returned a {type(value).__name__}, not a list of one score per completion ({count} in this batch)")
    if len(value) != count:
        raise ConventionError(f"{name} returned {len(value)} scores for {count} completions")
    return list(value)


def split(value: Any) -> tuple[Any, dict[str, Any]]:
    """A per-item result as ``(score value, components)``: a dict gives its ``score`` (verl) and its other numbers."""
    if isinstance(value, dict):
        if "score" not in value:
            raise ConventionError(f"the reward returned a dict without 'score': keys {sorted(map(str, value))!r:.200}")
        extras = {str(key): item for key, item in value.items() if key != "score" and isinstance(item, (int, float)) and not isinstance(item, bool)}
        return value["score"], extras
    return value, {}
