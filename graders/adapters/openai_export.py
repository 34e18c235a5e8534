"""Export a reward as an OpenAI python grader: one self-contained ``grade(sample, item) -> float`` source.

The grader runs in OpenAI's pinned image (no network, code under 256 kB, the
standard library plus the packages in ``OPENAI_IMAGE_PACKAGES``), so only a
reward that is one file of its own and imports nothing else can be exported;
anything else raises ``ExportError`` saying why.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import sys

from ..runtime.binding import Binding
from ..errors import RewardboxError
from ..runtime.sources import RewardSource

MAX_SOURCE_BYTES = 256_000
# Import names of the third-party packages in OpenAI's python grader image (2025-05-08).
OPENAI_IMAGE_PACKAGES = frozenset(
    {"numpy", "scipy", "sympy", "rapidfuzz", "rouge_score", "jsonschema", "pydantic", "nltk", "deepdiff", "sqlparse", "rdkit", "ast_grep_py"}
)


class ExportError(RewardboxError):
    """The reward cannot run as an OpenAI python grader; the message says why."""


def export_openai_grader(reward: str | RewardSource, *, answer_field: str = "ground_truth", output_field: str = "output_text") -> str:
    """The source of an OpenAI python grader that scores ``sample[output_field]`` against ``item[answer_field]``."""
    source = reward if isinstance(reward, RewardSource) else RewardSource.parse(reward)
    origin, code = _reward_code(source)
    tree = ast.parse(code, filename=origin)
    _check_imports(tree, origin)
    defined = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    if source.function not in defined:
        raise ExportError(f"{origin} defines no top-level function {source.function!r}")
    if "grade" in defined and source.function != "grade":
        raise ExportError(f"{origin} defines its own top-level 'grade', which the exported entry point would replace; rename it")
    digest = hashlib.sha256(code.encode()).hexdigest()[:16]
    exported = (
        f"# OpenAI python grader exported by rewardbox from {os.path.basename(origin)} (sha256 {digest}).\n"
        f"{code.rstrip()}\n\n\n"
        "def grade(sample: dict, item: dict) -> float:\n"
        f'    """The reward of sample[{output_field!r}] against item[{answer_field!r}] (as it is: any JSON value), '
        'with the item\'s other fields the reward names."""\n'
        f"    return float({_call(tree, source.function, output_field, answer_field)})\n"
    )
    if len(exported.encode()) > MAX_SOURCE_BYTES:
        raise ExportError(f"the exported grader is {len(exported.encode())} bytes; OpenAI accepts at most {MAX_SOURCE_BYTES}")
    return exported


def _call(tree: ast.Module, function: str, output_field: str, answer_field: str) -> str:
    """The call of ``function`` on a sample and its item, as its signature takes a row (``binding.Binding``)."""
    binding = _binding(tree, function)
    arguments = [f"sample[{output_field!r}]"]
    if binding.ground_truth == "positional":
        arguments.append(f"item.get({answer_field!r})")
    elif binding.ground_truth == "keyword":
        arguments.append(f"ground_truth=item.get({answer_field!r})")
    if binding.any_field:
        arguments.append(f"**{{key: value for key, value in item.items() if key != {answer_field!r}}}")
    elif binding.fields:
        arguments.append(f"**{{key: item[key] for key in {binding.fields!r} if key in item}}")
    return f"{function}({', '.join(arguments)})"


def _binding(tree: ast.Module, function: str) -> Binding:
    """The reward's binding, read from its ``def`` alone (no reward code runs); a class or another callable takes the simple form."""
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function), None)
    if node is None:
        return Binding()
    try:
        return Binding.of_def(node)
    except TypeError as exc:
        raise ExportError(str(exc)) from None


def _reward_code(source: RewardSource) -> tuple[str, str]:
    if source.kind == "code":
        return "<code>", source.target
    if source.kind == "file":
        path = source.target
    elif source.kind == "module":
        spec = importlib.util.find_spec(source.target.split(".")[0])
        if spec is None or spec.submodule_search_locations or not spec.origin or not spec.origin.endswith(".py"):
            raise ExportError(f"module {source.target!r} is not a single .py file; export the file that defines the reward")
        path = spec.origin
    else:
        raise ExportError(
            f"a {source.kind} reward cannot be exported: it needs rewardbox (or a pickled closure) at grading time, "
            "which the OpenAI grader image does not have; write the reward as one .py file"
        )
    with open(path, encoding="utf-8") as handle:
        return path, handle.read()


def _check_imports(tree: ast.Module, origin: str) -> None:
    allowed = OPENAI_IMAGE_PACKAGES | set(sys.stdlib_module_names)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise ExportError(f"{origin}:{node.lineno}: a relative import needs files the exported grader cannot carry")
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        for name in names:
            if name.split(".")[0] not in allowed:
                raise ExportError(
                    f"{origin}:{node.lineno}: imports {name!r}, which OpenAI's grader image does not have "
                    f"(it has the standard library and {', '.join(sorted(OPENAI_IMAGE_PACKAGES))})"
                )
