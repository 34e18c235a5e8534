"""Loading rewards (load errors fail fast, naming file and line) and the isolation levels."""

from __future__ import annotations

import time

import pytest
from rewardbox.graders import LAYER_NAMES, Grader, RewardLoadError, Status
from sandbox_helpers import IS_LINUX_ROOT, descendants, hostile, wait_for

# ---- load errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, line, fragments",
    [
        ("syntax_error", 5, ["syntax"]),
        ("wrong_arity", 4, ["compute_reward()", "no positional parameter for the completion"]),
        ("missing_import", 3, ["ModuleNotFoundError", "rewardbox_no_such_module_xyz"]),
        ("raises_at_import", 5, ["RuntimeError", "cannot configure the reward"]),
    ],
)
def test_load_error_names_file_and_line(name, line, fragments):
    started = time.monotonic()
    with pytest.raises(RewardLoadError) as caught:
        Grader(hostile(name), timeout=1.0, workers=1)
    assert time.monotonic() - started < 5.0
    message = str(caught.value)
    assert f"{hostile(name)}:{line}" in message
    for fragment in fragments:
        assert fragment in message
    assert wait_for(lambda: not descendants()), "a failed load left the zygote running"


def test_missing_compute_reward_is_a_load_error():
    with pytest.raises(RewardLoadError) as caught:
        Grader(hostile("no_compute_reward"), timeout=1.0, workers=1)
    assert hostile("no_compute_reward") in str(caught.value)
    assert "compute_reward" in str(caught.value)


def test_load_error_in_source_code_string_names_the_line():
    with pytest.raises(RewardLoadError) as caught:
        Grader("def compute_reward(c, g):\n    return (\n", timeout=1.0, workers=1)
    assert ":2" in str(caught.value) or ":3" in str(caught.value)


def test_load_error_carries_path_and_line_attributes():
    """RewardLoadError has ``path`` and ``line`` for tools (the CLI, editors) that point at the error."""
    with pytest.raises(RewardLoadError) as caught:
        Grader(hostile("syntax_error"), timeout=1.0, workers=1)
    assert (caught.value.path, caught.value.line) == (hostile("syntax_error"), 5)


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(RewardLoadError) as caught:
        Grader(str(tmp_path / "nowhere.py"))
    assert "nowhere.py" in str(caught.value)


# ---- isolation levels ----------------------------------------------------------------------------------


@pytest.mark.skipif(not IS_LINUX_ROOT, reason="all eight layers are expected as root on Linux")
def test_strict_isolation_runs_here_with_every_layer(make_grader):
    grader = make_grader("benign", isolation="strict")
    assert [state.name for state in grader.layers] == list(LAYER_NAMES)
    assert all(state.active for state in grader.layers), [s for s in grader.layers if not s.active]
    assert grader.summary()["missing"] == {}
    result = grader.grade("x", "x")
    assert (result.status, result.score) == (Status.ok, 1.0)


@pytest.mark.skipif(not IS_LINUX_ROOT, reason="all eight layers are expected as root on Linux")
def test_standard_isolation_reports_every_layer_active_here(make_grader):
    grader = make_grader("benign")
    assert {state.name: state.active for state in grader.layers} == {name: True for name in LAYER_NAMES}


def test_minimal_isolation_reports_layers_5_to_8_inactive(make_grader):
    grader = make_grader("benign", isolation="minimal")
    states = {state.name: state for state in grader.layers}
    assert list(states) == list(LAYER_NAMES)
    assert [states[name].active for name in LAYER_NAMES[:4]] == [True] * 4
    assert [states[name].active for name in LAYER_NAMES[4:]] == [False] * 4
    assert all(states[name].detail for name in LAYER_NAMES[4:]), "an inactive layer must say why"
    assert set(grader.summary()["missing"]) == set(LAYER_NAMES[4:])
    assert grader.grade("x", "x").score == 1.0


def test_unknown_isolation_is_refused():
    with pytest.raises(ValueError):
        Grader(hostile("benign"), isolation="none")
