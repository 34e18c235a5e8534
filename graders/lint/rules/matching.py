"""RK12x: answer matching that rewards the wrong completions (containment, first match, cut braces, loose formats)."""

from __future__ import annotations

import ast
import re
from typing import Iterator

from ..model import Module, RegexUse
from ..registry import Hit, rule

TRUTH = frozenset({"truth"})
COMPLETION = frozenset({"completion"})
SEARCH_METHODS = {"find", "rfind", "index", "rindex", "count"}
ANSWER_MARKER = re.compile(r"boxed|fbox|####|answer", re.IGNORECASE)
FORMAT_MARKER = re.compile(r"</?[A-Za-z_]\w*>|boxed|####")
CUT_BOXED = re.compile(
    r"(?:boxed|fbox)\s*\\?\{\s*(?:\((?:\?P<\w+>|\?:)?)?"  # \boxed{ and an optional group
    r"(?:\[\^[^\]]*\}[^\]]*\][*+]"  # a character class that stops at "}": [^}]*, [^{}]+
    r"|\.[*+]\?\)?\s*\\?\})"  # or a lazy .*? up to the first "}"
)
_LEADING_GREEDY = re.compile(r"^(?:\^|\\A)?(?:\(\?[aiLmsux]+\))?\.\*(?!\?)")
_END_ANCHOR = re.compile(r"(?:\$|\\Z)\)*$")
_START_ANCHOR = re.compile(r"^(?:\(\?[aiLmsux]+\))?(?:\^|\\A)")
_ANYTHING_AFTER = re.compile(r"(?<!\\)\.\*\$?\)*$")


@rule("RK120", "answer-containment", "error")
def answer_containment(module: Module) -> Iterator[Hit]:
    """A substring test between the ground truth and the completion (`gt in answer`, `answer in gt`).

    What it finds:
        `in`/`not in`, `.find()`/`.index()`/`.count()` compared with a number, `.__contains__()`, and
        `re.search(gt, completion)` where one side comes from the ground truth and the other from the
        completion. In `compute_reward(completion, ground_truth)` the parameters say which is which and values
        assigned from them keep their side; elsewhere names tell (`gt`, `gold`, `label`, `reference`, `target`,
        `expected`, `solution` for the truth; `completion`, `response`, `output`, `pred`, `prediction`,
        `generated`, `answer`, verl's `solution_str` for the completion).

    Why it hurts training:
        `gt in completion` pays a completion that lists every candidate ("A or B or C" scored 1.0, Visual-RFT
        #79); `answer in gt` pays an empty answer, because `"" in gt` is always true (an empty
        `<answer></answer>` scored 1.0, Visual-RFT #176). The policy finds these within a few hundred steps, and
        reasoning-gym's `len(oracle)/len(answer)` containment credit has the same shape.

    Example:
        def compute_reward(completion, ground_truth):
            answer = extract_answer(completion)
            return 1.0 if ground_truth in answer or answer in ground_truth else 0.0

    Use instead:
        Extract one final answer, normalise both sides, and compare for equality (`==`, or `library:math` for
        math equivalence). Reject an empty extraction explicitly.

    Not flagged:
        Membership in a collection built from the ground truth (`pred in gold_aliases`,
        `answer in json.loads(ground_truth)`), and tests against literals (`"####" in completion`).
    """
    for node in module.nodes:
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            for index, op in enumerate(node.ops):
                if isinstance(op, (ast.In, ast.NotIn)):
                    yield from _containment(module, operands[index], operands[index + 1], node, len(node.ops) == 1)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and len(node.args) >= 1:
            method = node.func.attr
            tested = method == "__contains__" or (method in SEARCH_METHODS and isinstance(module.parents.get(node), ast.Compare))
            if tested:
                yield from _containment(module, node.args[0], node.func.value, node, True)
    for use in module.regex_uses:
        if use.method in ("search", "findall", "finditer") and use.pattern_node is not None and use.target is not None:
            if module.role(use.pattern_node) == TRUTH and module.role(use.target) == COMPLETION:
                yield use.call, f"`{module.snippet(use.call)}` searches the completion for the answer: any completion that contains it anywhere, hedges included, matches"


def _containment(module: Module, needle: ast.AST, haystack: ast.AST, where: ast.AST, whole: bool) -> Iterator[Hit]:
    needle_role, haystack_role = module.role(needle), module.role(haystack)
    shown = module.snippet(where) if whole else f"{module.snippet(needle)} in {module.snippet(haystack)}"
    if needle_role == TRUTH and haystack_role == COMPLETION:
        if module.is_container(haystack):
            yield where, f"`{shown}` rewards a completion that lists many candidates: any one of them matching earns full credit"
        else:
            yield where, f"`{shown}` rewards any completion that contains the answer, hedges included"
    elif needle_role == COMPLETION and haystack_role == TRUTH and not module.is_container(haystack):
        yield where, f"`{shown}` rewards an empty or partial answer: `\"\" in ground_truth` is always True"


@rule("RK121", "first-match", "warning")
def first_match(module: Module) -> Iterator[Hit]:
    """The first answer in the completion taken where the last is meant.

    What it finds:
        Extraction of an answer marker (`\\boxed`, `\\fbox`, `####`, `answer`) that keeps the first occurrence:
        `re.search(...)` whose match is read (not just tested), `re.findall(...)[0]`, `next(re.finditer(...))`,
        `.find("\\\\boxed")`/`.index(...)`, `.split("####")[1]` and `.partition("####")`.

    Why it hurts training:
        Models restate, check and correct themselves; the final answer is the last one. Grading the first box
        rewards an early guess and penalises a correct revision, and a completion can hedge by writing several
        boxes (tinker-cookbook #903, lmms-eval #1511 both switched to the last `\\boxed`). verl's GSM8K scorer
        and open-instruct's `MathVerifier` take the last match for this reason.

    Example:
        def compute_reward(completion, ground_truth):
            match = re.search(r"\\\\boxed\\{(.*)\\}", completion)
            return float(match is not None and match.group(1) == ground_truth)

    Use instead:
        `re.findall(pattern, completion)[-1]` (when non-empty), `completion.rfind("\\\\boxed{")`,
        `.rsplit("####", 1)[-1]`, `.rpartition("####")`, or a pattern anchored at the end (`...$`).

    Not flagged:
        Searches whose result is only tested (`if re.search(...)`: a format check, see RK123), patterns that
        start with a greedy `.*` or end with `$` (both find the last), and searches of the ground truth.
    """
    for use in module.regex_uses:
        if use.pattern is None or not ANSWER_MARKER.search(use.pattern) or _finds_last(use.pattern):
            continue
        if use.target is not None and module.role(use.target) == TRUTH:
            continue
        if use.method == "search" and not module.bool_only(use.call):
            yield use.call, f"`{module.snippet(use.call)}` returns the first match: a completion that writes several answers is graded on its first (take the last: `re.findall(...)[-1]`)"
        elif use.method == "findall":
            for subscript in _first_items(module, use.call):
                yield subscript, f"`{module.snippet(subscript)}` takes the first of the answers found: a completion that revises its answer is graded on the first (use `[-1]`)"
        elif use.method == "finditer" and module.call_name(module.parents.get(use.call)) == "next":
            yield module.parents[use.call], f"`{module.snippet(module.parents[use.call])}` takes the first match: a completion that revises its answer is graded on the first"
    for node in module.nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        marker = module.string_value(node.args[0])
        if marker is None or not ANSWER_MARKER.search(marker) or module.role(node.func.value) == TRUTH:
            continue
        method = node.func.attr
        parent = module.parents.get(node)
        if method in ("find", "index"):
            yield node, f"`{module.snippet(node)}` finds the first `{marker}`: a completion that revises its answer is graded on the first (use `r{method}`)"
        elif method == "partition":
            yield node, f"`{module.snippet(node)}` splits at the first `{marker}`: a completion that revises its answer is graded on the first (use `rpartition`)"
        elif method == "split" and isinstance(parent, ast.Subscript) and _constant_index(parent) == 1:
            yield parent, f"`{module.snippet(parent)}` takes the text after the first `{marker}`: a completion that revises its answer is graded on the first (use `.rsplit({marker!r}, 1)[-1]`)"


def _finds_last(pattern: str) -> bool:
    return bool(_LEADING_GREEDY.search(pattern) or _END_ANCHOR.search(pattern))


def _first_items(module: Module, call: ast.Call) -> Iterator[ast.Subscript]:
    """``call[0]``, or ``name[0]`` where ``name = call`` in the same function."""
    parent = module.parents.get(call)
    if isinstance(parent, ast.Subscript) and _constant_index(parent) == 0:
        yield parent
    elif isinstance(parent, ast.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0], ast.Name):
        scope = module.scope_of(parent) or module.tree
        name = parent.targets[0].id
        for node in ast.walk(scope):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == name and _constant_index(node) == 0:
                if module.assigned_value(node.value) is call:
                    yield node


def _constant_index(subscript: ast.Subscript) -> int | None:
    index = subscript.slice
    return index.value if isinstance(index, ast.Constant) and isinstance(index.value, int) else None


@rule("RK122", "boxed-cuts-braces", "error")
def boxed_cuts_braces(module: Module) -> Iterator[Hit]:
    """A `\\boxed{...}` regex that stops at the first closing brace.

    What it finds:
        Regex literals that read the contents of `\\boxed{` or `\\fbox{` with `[^}]*`, `[^{}]+` or a lazy `(.*?)}`.

    Why it hurts training:
        LaTeX answers contain braces: `\\boxed{\\frac{1}{3}}` is read as `\\frac{1`, `\\boxed{2^{10}}` as `2^{10`,
        so correct answers score 0 and the model is pushed away from exact forms (TRL #5026 review,
        ai-agent-book #173). The error is silent: the regex matches, just not the whole answer.

    Example:
        BOXED = re.compile(r"\\\\boxed\\{([^}]*)\\}")

    Use instead:
        Scan for the matching brace (count `{` and `}` from the last `\\boxed{`), or use math-verify's
        extraction (`library:math`), which handles nesting.

    Not flagged:
        Patterns that allow nested groups (`(?:[^{}]|\\{[^{}]*\\})*`), greedy `(.*)}` (it reads to the last brace,
        see RK121 for several boxes), and brace classes outside a `\\boxed` pattern.
    """
    for use in regex_patterns(module):
        if CUT_BOXED.search(use.pattern):
            yield use.pattern_node, f"boxed-answer regex `{_short(use.pattern)}` stops at the first `}}`: `\\boxed{{\\frac{{1}}{{3}}}}` is read as `\\frac{{1`"


@rule("RK123", "unanchored-format", "warning")
def unanchored_format(module: Module) -> Iterator[Hit]:
    """A format check whose regex is not anchored at both ends.

    What it finds:
        Regexes used only as a yes/no test (`if re.match(...)`, `1.0 if m else 0.0`, `bool(...)`): `re.match`
        without a final `$` or `\\Z`; `re.search` of a format pattern (tags such as `<answer>`, `\\boxed`, `####`)
        without a leading `^` or `\\A`; and `^`/`$` anchors under `re.MULTILINE`, where they match at every line.

    Why it hurts training:
        A format reward is paid for anything that contains the format: text before or after it, or repeated
        `<think>`/`<answer>` blocks, still passes (open-r1 #418), so the policy learns to pad. Format rewards
        already dominate easily (RK142); a loose one is paid for free.

    Example:
        def format_reward(completion, ground_truth):
            return 1.0 if re.search(r"<think>.*?</think>\\s*<answer>.*?</answer>", completion, re.S) else 0.0

    Use instead:
        `re.fullmatch(pattern, completion, re.S)`, or `^...$` with `\\A`/`\\Z` when `re.MULTILINE` is needed for
        other reasons; reject repeated blocks with a negative lookahead as TRL's `think_format_reward` does.

    Not flagged:
        `re.fullmatch`, searches whose match is read (extractions, see RK121), `re.search` of a pattern without
        format markers (`if re.search(r"\\d", text)` asks whether a digit appears), and patterns ending in a
        greedy `.*` under `re.DOTALL` (anything may follow on purpose).
    """
    for use in module.regex_uses:
        if use.pattern is None or use.method not in ("match", "search") or not module.bool_only(use.call):
            continue
        message = _loose_format(use.method, use.pattern, use.flags)
        if message:
            yield use.call, message


def _loose_format(method: str, pattern: str, flags: int) -> str | None:
    """What a yes/no regex check lets through, or None when it is anchored (or not a format check)."""
    shown = _short(pattern)
    start = _START_ANCHOR.search(pattern)
    if method == "search":
        if not FORMAT_MARKER.search(pattern):
            return None  # "does the text contain X?" is a legitimate question
        if not start:
            return f"`re.search` finds `{shown}` anywhere: text before it, or repeated blocks, still pass (anchor with `^...$` or use `re.fullmatch`)"
        if flags & re.MULTILINE and start.group().endswith("^"):
            return f"under re.MULTILINE, `^` in `{shown}` matches at every line start: text before the format still passes"
    if flags & re.DOTALL and _ANYTHING_AFTER.search(pattern):
        return None  # ends in a greedy .*: anything may follow on purpose
    if not _END_ANCHOR.search(pattern):
        return f"`re.{method}` only anchors the start: `{shown}` has no `$` or `\\Z`, so anything may follow it"
    if flags & re.MULTILINE and not pattern.rstrip(")").endswith("\\Z"):
        return f"under re.MULTILINE, `$` in `{shown}` matches at every line end: text after the format still passes"
    return None


@rule("RK124", "verify-argument-order", "warning")
def verify_argument_order(module: Module) -> Iterator[Hit]:
    """math-verify's `verify` called with the prediction first.

    What it finds:
        `math_verify.verify(a, b)` where `a` comes from the completion and `b` from the ground truth.

    Why it hurts training:
        `verify(gold, target)` is asymmetric: the first argument is treated as the gold (intervals, sets and
        relations are interpreted from it, and `allow_set_relation_comp` applies one way). Swapped, a set answer
        can match a single gold element and an inequality can match an interval, so wrong answers score 1.0.

    Example:
        from math_verify import parse, verify

        def compute_reward(completion, ground_truth):
            return float(verify(parse(completion), parse(ground_truth)))

    Use instead:
        `verify(parse(ground_truth), parse(completion))`, or `library:math`, which wraps math-verify with the
        arguments in order and a hard timeout.

    Not flagged:
        Calls whose arguments' sides cannot be told from names or data flow.
    """
    for node in module.nodes:
        if isinstance(node, ast.Call) and module.call_name(node) == "math_verify.verify" and len(node.args) >= 2:
            if module.role(node.args[0]) == COMPLETION and module.role(node.args[1]) == TRUTH:
                yield node, f"`{module.snippet(node)}` passes the prediction first: math-verify's `verify(gold, target)` is asymmetric"


def _short(pattern: str, limit: int = 50) -> str:
    return pattern if len(pattern) <= limit else pattern[: limit - 1] + "…"


def regex_patterns(module: Module) -> Iterator[RegexUse]:
    """Each regex use with a readable pattern, once per pattern literal."""
    seen: set[int] = set()
    for use in module.regex_uses:
        if use.pattern is not None and use.pattern_node is not None and id(use.pattern_node) not in seen:
            seen.add(id(use.pattern_node))
            yield use
