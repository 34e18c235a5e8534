"""From a dataset row to a reward's arguments: which values a reward takes, and checking them.

A row is ``{"completion": str, "ground_truth": <any JSON value>, ...other fields}``.
The reward's signature says what it receives (``Binding.of``, in the sandbox,
where the function lives)::

    def compute_reward(completion, ground_truth)            # the simple form
    def compute_reward(completion, ground_truth, data_source, extra_info=None)   # fields by name
    def compute_reward(completion, ground_truth, **row)      # every other field
    def compute_reward(completion)                           # no ground truth (a format reward)

The first positional parameter gets the completion, the second the ground truth
(``None`` when the row has none); a parameter named ``ground_truth`` that is
keyword-only also gets it. Other parameters are filled from the row's fields of
the same name; ``**kwargs`` takes every field the signature does not name. A
required parameter that no row field can fill (positional-only, or ``*args``
before it) is a load error; a row without a field the reward requires is that
row's ``invalid_input``.

The caller checks each row here before it crosses into the sandbox
(``Binding.arguments``): the completion is a string, the ground truth and the
fields are JSON values (``dict`` with string keys, ``list``/``tuple``, ``str``,
``int``, ``float``, ``bool``, ``None``), nested at most ``MAX_DEPTH`` deep,
and the row is at most ``MAX_ROW_BYTES`` of text. Stdlib only: the zygote
imports this module.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, Mapping

from . import conventions

if TYPE_CHECKING:
    import ast

MAX_ROW_BYTES = 16 << 20  # a row's completion, ground truth and the fields passed on, UTF-8
MAX_DEPTH = 64  # nesting of a ground truth or field value
_ROW_KEYS = ("completion", "ground_truth")
_SCALARS = (str, int, float, bool, type(None))


class RowError(ValueError):
    """A row that cannot be graded as it is: the message says why (the row's ``invalid_input``)."""


class Binding:
    """How a reward takes a row: its ground truth positionally, by keyword or not at all, and which fields."""

    __slots__ = ("ground_truth", "fields", "required", "any_field", "signature", "needs_ground_truth", "convention")

    def __init__(
        self,
        ground_truth: str = "positional",
        fields: tuple[str, ...] = (),
        required: tuple[str, ...] = (),
        any_field: bool = False,
        signature: str = "compute_reward(completion, ground_truth)",
        needs_ground_truth: bool | None = None,
        convention: str = "rewardbox",
    ) -> None:
        if convention not in conventions.CONVENTIONS:
            raise ValueError(f"convention={convention!r}: expected one of {', '.join(conventions.CONVENTIONS)}")
        self.convention = convention
        if ground_truth not in ("positional", "keyword", "none"):
            raise ValueError(f"ground_truth={ground_truth!r}: expected 'positional', 'keyword' or 'none'")
        names = (*fields, *required)
        if not all(type(name) is str and name.isidentifier() and name not in _ROW_KEYS for name in names):
            raise ValueError(f"field names must be identifiers other than {_ROW_KEYS}, got {names!r}")
        if not set(required) <= set(fields):
            raise ValueError(f"required fields {required!r} must be among the fields {fields!r}")
        self.ground_truth, self.fields, self.required = ground_truth, tuple(fields), tuple(required)
        self.any_field, self.signature = bool(any_field), str(signature)[:300]
        # a ground truth parameter without a default: a dataset row without one is most likely a wrong column
        self.needs_ground_truth = ground_truth == "positional" if needs_ground_truth is None else bool(needs_ground_truth)

    @classmethod
    def of(cls, function: Callable, name: str = "compute_reward", convention: str | None = None) -> Binding:
        """Read a reward's signature: which convention it follows (``conventions.detect``, or ``convention``) and,
        in rewardbox's own, what it takes; ``TypeError`` when a required parameter can never be filled from a row."""
        try:
            signature = inspect.signature(function)
        except (TypeError, ValueError):
            return cls(signature=f"{name}(completion, ground_truth)")  # a builtin or C callable: the simple form
        text = f"{name}{signature}"
        found = conventions.detect(function, convention)
        if found != "rewardbox":  # the harness's own signature: every field of the row goes to its adapter
            return cls("positional", (), (), True, text, False, found)
        params = list(signature.parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        star_args = any(p.kind is p.VAR_POSITIONAL for p in params)
        any_field = any(p.kind is p.VAR_KEYWORD for p in params)
        if not positional and not star_args:
            raise TypeError(f"{text} takes no positional parameter for the completion")
        keyword_only = {p.name: p for p in params if p.kind is p.KEYWORD_ONLY}
        needs_ground_truth = len(positional) >= 2 and positional[1].default is positional[1].empty
        if len(positional) >= 2 or star_args:
            ground_truth = "positional"
        elif "ground_truth" in keyword_only or any_field:
            ground_truth = "keyword"
            needs_ground_truth = "ground_truth" in keyword_only and keyword_only["ground_truth"].default is keyword_only["ground_truth"].empty
        else:
            ground_truth = "none"
        fields, required = [], []
        for place, p in enumerate(positional[2:], start=3):
            if p.name in _ROW_KEYS:
                raise TypeError(f"{text}: {p.name!r} is parameter {place}; the completion is passed first and the ground truth second")
            if p.kind is p.POSITIONAL_ONLY:
                if p.default is p.empty:
                    raise TypeError(f"{text}: the positional-only parameter {p.name!r} can never be filled from a row")
                continue
            fields.append(p.name)
            if p.default is p.empty:
                required.append(p.name)
        for p in keyword_only.values():
            if p.name == "ground_truth" and ground_truth == "keyword":
                continue
            if p.name in _ROW_KEYS:
                raise TypeError(f"{text}: the keyword-only parameter {p.name!r} clashes with the row's {p.name!r}")
            fields.append(p.name)
            if p.default is p.empty:
                required.append(p.name)
        return cls(ground_truth, tuple(fields), tuple(required), any_field, text, needs_ground_truth)

    @classmethod
    def of_def(cls, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Binding:
        """``of`` for a ``def`` read from source, without running any of it (lint and the OpenAI export use this).

        A stub with the same parameters, every default and annotation replaced by ``None``, is
        compiled and inspected: no expression of the reward is evaluated.
        """
        import ast
        import copy

        stub = copy.deepcopy(node)  # a copy keeps the fields this Python's FunctionDef has (type_params from 3.12)
        stub.body, stub.decorator_list, stub.returns = [ast.Pass()], [], None
        args = stub.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
            if arg is not None:
                arg.annotation = None
        args.defaults = [ast.Constant(None) for _ in args.defaults]
        args.kw_defaults = [None if default is None else ast.Constant(None) for default in args.kw_defaults]
        namespace: dict = {}
        exec(compile(ast.fix_missing_locations(ast.Module([stub], [])), "<signature>", "exec"), {"__builtins__": {}}, namespace)
        return cls.of(namespace[node.name], node.name)

    def to_dict(self) -> dict:
        return {
            "ground_truth": self.ground_truth,
            "fields": list(self.fields),
            "required": list(self.required),
            "any_field": self.any_field,
            "signature": self.signature,
            "needs_ground_truth": self.needs_ground_truth,
            "convention": self.convention,
        }

    @classmethod
    def from_dict(cls, data: object) -> Binding:
        """Rebuild what the sandbox reported; ``ValueError`` on anything but the exact shape ``to_dict`` makes."""
        if not isinstance(data, dict) or set(data) != {"ground_truth", "fields", "required", "any_field", "signature", "needs_ground_truth", "convention"}:
            raise ValueError(f"malformed reward binding: {data!r:.200}")
        if not all(isinstance(data[k], list) for k in ("fields", "required")) or not isinstance(data["signature"], str):
            raise ValueError(f"malformed reward binding: {data!r:.200}")
        return cls(
            data["ground_truth"], tuple(data["fields"]), tuple(data["required"]), data["any_field"] is True, data["signature"],
            data["needs_ground_truth"] is True, data["convention"],
        )

    @property
    def batch(self) -> bool:
        """Whether the reward is called once with a batch of rows (TRL, OpenRLHF) rather than once a row."""
        return self.convention in conventions.BATCH

    @property
    def takes_fields(self) -> bool:
        return bool(self.fields) or self.any_field

    def missing(self, row: Mapping) -> list[str]:
        """What ``row`` lacks that the reward takes without a default: "ground_truth" (absent or null) first,
        then each required field it does not have."""
        absent = ["ground_truth"] if self.needs_ground_truth and row.get("ground_truth") is None else []
        return absent + [name for name in self.required if name not in row]

    def arguments(self, item: object) -> tuple[str, Any, dict | None, int]:
        """``(completion, ground_truth, fields, size)`` for one row, or ``RowError`` saying what is wrong with it.

        ``item`` is a mapping with ``completion`` (and usually ``ground_truth``), or a
        ``(completion, ground_truth)`` pair. ``fields`` holds only what the reward takes
        (``None`` when it takes nothing more); ``size`` is the row's text in bytes, bounded.
        """
        if type(item) is tuple and len(item) == 2 and type(item[0]) is str and type(item[1]) is str and not self.required:
            size = _text_size(item[0], MAX_ROW_BYTES) + _text_size(item[1], MAX_ROW_BYTES)  # the common case, fast
            if size <= MAX_ROW_BYTES:
                return item[0], item[1], None, size
        if isinstance(item, Mapping):
            completion, ground_truth = item.get("completion"), item.get("ground_truth")
            row = item
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            (completion, ground_truth), row = item, {}
        else:
            raise RowError(f"expected a mapping with 'completion' and 'ground_truth', or a (completion, ground_truth) pair, got {type(item).__name__}")
        if not isinstance(completion, str):
            raise RowError("'completion' is missing" if completion is None and "completion" not in row else f"'completion' is {type(completion).__name__}, expected a string")
        ground_truth, size = _plain("the ground truth", ground_truth, MAX_ROW_BYTES, 0)
        size += _text_size(completion, MAX_ROW_BYTES)
        fields = None
        if self.takes_fields:
            names = [k for k in row if k not in _ROW_KEYS] if self.any_field else [k for k in self.fields if k in row]
            missing = [name for name in self.required if name not in row]
            if missing:
                raise RowError(f"the row has no {', '.join(repr(m) for m in missing)} field, which {self.signature} requires")
            fields = {}
            for name in names:
                if type(name) is not str:
                    raise RowError(f"field names must be strings, got {type(name).__name__} {name!r:.40}")
                fields[name], field_size = _plain(f"field {name!r}", row[name], MAX_ROW_BYTES, 0)
                size += len(name) + field_size
        if size > MAX_ROW_BYTES:
            raise RowError(f"the row is {size} bytes of text, over the limit of {MAX_ROW_BYTES} bytes ({MAX_ROW_BYTES >> 20} MiB)")
        return completion, ground_truth, fields, size

    def call(self, reward: Callable, completion: str, ground_truth: Any, fields: dict | None) -> object:
        """Call ``reward`` with one row's values as its signature takes them (in the sandbox); an async reward is awaited."""
        if self.convention != "rewardbox":
            return _settled(conventions.call(self.convention, reward, (completion, ground_truth, fields or {})))
        if self.ground_truth == "positional":
            value = reward(completion, ground_truth, **fields) if fields else reward(completion, ground_truth)
        elif self.ground_truth == "keyword":
            value = reward(completion, ground_truth=ground_truth, **(fields or {}))
        else:
            value = reward(completion, **fields) if fields else reward(completion)
        return _settled(value)

    def call_batch(self, reward: Callable, rows: list[tuple[str, Any, dict | None]]) -> object:
        """Call a batch reward once with the rows of a chunk, as its harness does; an async reward is awaited."""
        return _settled(conventions.call_batch(self.convention, reward, [(c, g, f or {}) for c, g, f in rows]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Binding) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Binding({self.signature!r})"


def _settled(value: object) -> object:
    """``value``, or what it resolves to when it is awaitable (an ``async def`` reward, as TRL and verifiers take)."""
    if inspect.isawaitable(value):
        import asyncio

        return asyncio.run(_awaited(value))
    return value


async def _awaited(value: Any) -> object:
    return await value


def _text_size(text: str, limit: int) -> int:
    """UTF-8 length of ``text``, computed only when it could matter against ``limit``."""
    length = len(text)
    if length * 4 <= limit or length > limit:
        return length
    return len(text.encode("utf-8", "surrogatepass"))


def _plain(name: str, value: object, limit: int, depth: int) -> tuple[object, int]:
    """``(value, size)``: the JSON value as plain built-in types (itself when it already is), and about its
    JSON length; ``RowError`` if it is not a JSON value. Subclasses (``OrderedDict``, ``numpy.float64``,
    an ``IntEnum``) become their base type: the sandbox channel carries only exact built-in types."""
    kind = type(value)
    if kind is str:
        return value, _text_size(value, limit)
    if kind in _SCALARS:
        return value, 8
    if depth >= MAX_DEPTH:
        raise RowError(f"{name} is nested more than {MAX_DEPTH} levels deep")
    size, changed = 2, False
    if isinstance(value, Mapping):
        plain = {}
        for key, item in value.items():
            if type(key) is not str:
                if not isinstance(key, str):
                    raise RowError(f"{name} has the key {key!r:.40} of type {type(key).__name__}; JSON object keys are strings")
                key, changed = str.__str__(key), True
            plain[key], item_size = converted = _plain(name, item, limit, depth + 1)
            changed = changed or converted[0] is not item
            size += len(key) + 4 + item_size
            if size > limit:
                return value, size
        return (plain if changed or kind is not dict else value), size
    if kind is list or kind is tuple or isinstance(value, (list, tuple)):
        plain = []
        for item in value:
            converted, item_size = _plain(name, item, limit, depth + 1)
            plain.append(converted)
            changed = changed or converted is not item
            size += 2 + item_size
            if size > limit:
                return value, size
        if not changed and kind in (list, tuple):
            return value, size
        return (tuple(plain) if isinstance(value, tuple) else plain), size
    if isinstance(value, bool):
        return bool(value), 8
    if isinstance(value, str):
        return str.__str__(value), _text_size(value, limit)
    if isinstance(value, int):
        return int(value), 8
    if isinstance(value, float):
        return float(value), 8
    if type(value).__module__ == "numpy" and hasattr(value, "tolist") and getattr(getattr(value, "dtype", None), "kind", "") in "biufU":
        return _plain(name, value.tolist(), limit, depth)  # a numpy scalar or array, as a pandas or datasets row holds
    raise RowError(f"{name} is of type {kind.__name__}, not a JSON value (dict, list, str, int, float, bool or None)")

