"""rewardbox's pytest plugin: test your reward in the sandbox, with readable failures.

Installed with rewardbox (entry point ``pytest11``), so it loads in every pytest
session; it only adds an option and a fixture, and imports nothing heavy until a
test asks for a grader::

    def test_boxed_answer(reward_grader):
        result = reward_grader("reward.py").grade("... \\\\boxed{42}", "42")
        assert_score(result, 1.0)   # on failure: score 0.0, expected 1.0; status=exception error=Traceback ...

``reward_grader(reward=None, **grader_options)`` returns a ``Grader``; without
``reward`` it loads the one given by ``--rewardbox-reward`` or the ini option
``rewardbox_reward``. Graders are shared by the session (one sandbox per distinct
reward and options, started on first use, ~100 ms) and closed at its end, so the
fixture also works inside hypothesis ``@given`` tests; do not close them yourself.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

import pytest

from .runtime.frames import Status

if TYPE_CHECKING:
    from .runtime.grader import Grader
    from .runtime.results import GradeResult

REWARD_DESC = (
    "the reward the reward_grader fixture loads when a test calls reward_grader() without one: a .py file, "
    "'module:function' or 'library:NAME' (a file in the ini option is relative to the ini file)"
)
_OPTION = "--rewardbox-reward"
_INI = "rewardbox_reward"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("rewardbox").addoption(_OPTION, dest=_INI, metavar="REWARD", help=REWARD_DESC)
    parser.addini(_INI, help=REWARD_DESC, default=None)


@pytest.fixture(scope="session")
def reward_grader(pytestconfig: pytest.Config) -> Iterator[Callable[..., Grader]]:
    """``reward_grader(reward=None, **grader_options) -> Grader``: a sandboxed grader shared by the session."""
    from .runtime.grader import Grader

    graders: dict[tuple[str, str], Grader] = {}

    def get(reward: str | Path | None = None, **options: object) -> Grader:
        spec = str(reward) if reward is not None else _configured_reward(pytestconfig)
        key = (spec, json.dumps(options, sort_keys=True, default=repr))
        if key not in graders:
            graders[key] = Grader(spec, **options)
        return graders[key]

    yield get
    for grader in graders.values():
        grader.close()


def _configured_reward(config: pytest.Config) -> str:
    option = config.getoption(_INI)
    if option:
        return option
    value = config.getini(_INI)
    if not value:
        pytest.fail(f"reward_grader() needs a reward: pass one (reward_grader('reward.py')), or set {_OPTION} or the ini option {_INI}", pytrace=False)
    file = re.fullmatch(r"(?P<path>.+\.py)(?P<function>:\w+)?", str(value))
    if file and config.inipath is not None and not Path(file["path"]).is_absolute():
        return str(Path(config.inipath).parent / file["path"]) + (file["function"] or "")
    return str(value)


def assert_ok(result: GradeResult) -> None:
    """Fail unless the call ended with status ok, showing its status, error and output."""
    __tracebackhide__ = True
    if result.status is not Status.ok:
        raise AssertionError(f"expected status ok; {describe(result)}")


def assert_score(result: GradeResult, expected: float, *, abs_tol: float = 1e-9) -> None:
    """Fail unless the reward itself returned ``expected`` (status ok; a crash scored 0.0 does not count as 0.0)."""
    __tracebackhide__ = True
    if result.status is not Status.ok or not math.isclose(result.score, expected, rel_tol=0.0, abs_tol=abs_tol):
        raise AssertionError(f"score {result.score!r}, expected {expected!r}; {describe(result)}")


def describe(result: GradeResult) -> str:
    """``status=... error=...`` and any captured output of ``result``, for assertion messages."""
    parts = [f"status={result.status.value}"]
    if result.error:
        parts.append(f"error={result.error}")
    parts += [f"{name}={text!r}" for name, text in (("stdout", result.stdout), ("stderr", result.stderr)) if text]
    return " ".join(parts)
