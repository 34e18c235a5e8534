"""What comes back from a call: return values of every type, a forged result channel,
state and builtins mutated across calls, seeded randomness, shipped functions."""

from __future__ import annotations

import os

import pytest
from rewardbox.graders import Grader, Status
from sandbox_helpers import hostile

# ---- return values ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def returns_grader():
    grader = Grader(hostile("returns"), timeout=1.0, workers=2)
    yield grader
    grader.close()


@pytest.mark.parametrize(
    "kind, fragment",
    [
        ("none", "NoneType"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("-inf", "-inf"),
        ("str", "str"),
        ("bytes", "bytes"),
        ("list", "list"),
        ("dict", "dict"),
        ("huge_int", "OverflowError"),
        ("object", "object"),
        ("complex", "complex"),
        ("float_raises", "ValueError"),
        ("numpy_nan", "nan"),
    ],
)
def test_wrong_return_types_are_invalid_return(returns_grader, kind, fragment):
    result = returns_grader.grade(kind, "")
    assert (result.status, result.score) == (Status.invalid_return, 0.0)
    assert fragment in result.error


@pytest.mark.parametrize(
    "kind, score",
    [
        ("true", 1.0),
        ("false", 0.0),
        ("int", 2.0),
        ("float", 0.25),
        ("negative", -0.5),
        ("numpy_float32", 0.5),
        ("numpy_int64", 1.0),
        ("numpy_bool", 1.0),
    ],
)
def test_real_numbers_become_plain_floats(returns_grader, kind, score):
    result = returns_grader.grade(kind, "")
    assert (result.status, result.score, result.error) == (Status.ok, score, None)
    assert type(result.score) is float


def test_float_whose_conversion_hangs_times_out(returns_grader):
    result = returns_grader.grade("float_hangs", "")
    assert (result.status, result.score) == (Status.timeout, 0.0)


def test_float_subclass_with_hostile_reduce_is_never_unpickled(returns_grader, tmp_path):
    """The float subclass's __reduce__ would run ``touch MARKER`` wherever it is unpickled."""
    marker = tmp_path / "reduce-marker"
    result = returns_grader.grade("hostile_float", str(marker))
    assert (result.status, result.score) == (Status.ok, 0.75)
    assert type(result.score) is float
    assert not marker.exists()


def test_declared_range_rejects_or_clamps(make_grader):
    rejecting = make_grader("returns", score_range=(0.0, 1.0))
    results = rejecting.grade_batch([("int", ""), ("float", ""), ("negative", "")])
    assert [(r.status, r.score) for r in results] == [
        (Status.invalid_return, 0.0), (Status.ok, 0.25), (Status.invalid_return, 0.0),
    ]
    assert "range" in results[0].error
    clamping = make_grader("returns", score_range=(0.0, 1.0), out_of_range="clamp")
    results = clamping.grade_batch([("int", ""), ("float", ""), ("negative", "")])
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.0), (Status.ok, 0.25), (Status.ok, 0.0)]


# ---- the result channel --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forgery", ["garbage", "nan", "inf_json", "bad_status", "wrong_id", "oversized", "huge_duration", "huge_id", "huge_json_duration"]
)
def test_forged_bytes_on_the_result_channel_are_crashed(make_grader, forgery):
    grader = make_grader("forge_frames", workers=1)
    result = grader.grade(forgery, "")
    assert (result.status, result.score) == (Status.crashed, 0.0)
    assert "frame" in result.error
    assert grader.grade("garbage", "").status is Status.crashed  # the same grader goes on
    after = make_grader("benign").grade("x", "x")  # the caller is unharmed
    assert (after.status, after.score) == (Status.ok, 1.0)


# ---- state and builtins across calls ---------------------------------------------------------------------


def test_module_state_does_not_leak_between_calls(make_grader):
    grader = make_grader("module_state", workers=2)
    results = grader.grade_batch([("a", "b")] * 6)
    assert [r.status for r in results] == [Status.ok] * 6
    assert len({r.score for r in results}) == 1, [r.score for r in results]


def test_every_call_sees_the_module_as_imported(make_grader):
    """With the default calls_per_process=1, no earlier call of compute_reward (in any process)
    has touched the module state a call sees: a call counter reads 1."""
    result = make_grader("module_state", workers=1).grade("a", "b")
    assert (result.status, result.score) == (Status.ok, 1.0)


def test_poisoned_builtins_do_not_reach_the_next_call(make_grader):
    grader = make_grader("poison_builtins", workers=1)
    items = [("poison", "0"), ("clean", "0.75"), ("clean", "0.125"), ("poison", "0"), ("clean", "2")]
    results = grader.grade_batch(items)
    assert [(results[i].status, results[i].score) for i in (1, 2, 4)] == [
        (Status.ok, 0.75), (Status.ok, 0.125), (Status.ok, 2.0),
    ]


def test_poisoned_builtins_do_not_change_the_poisoners_own_result(make_grader):
    """The child converts the return value with float/isfinite/os.write captured before user code ran:
    a reward that replaces them and returns 0.25 scores 0.25."""
    result = make_grader("poison_builtins", workers=1).grade("poison", "0")
    assert (result.status, result.score) == (Status.ok, 0.25), result.error


# ---- randomness -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("calls_per_process", [1, 3])
def test_unseeded_random_gives_the_same_value_every_call(make_grader, calls_per_process):
    grader = make_grader("unseeded_random", workers=2, calls_per_process=calls_per_process)
    scores = [r.score for r in grader.grade_batch([("a", "b")] * 6)]
    assert len(set(scores)) == 1, scores
    again = make_grader("unseeded_random", workers=1)  # a fresh zygote agrees too
    assert again.grade("a", "b").score == scores[0]
    other_seed = make_grader("unseeded_random", workers=1, seed=1)
    assert other_seed.grade("a", "b").score != scores[0]


def test_numpy_global_rng_gives_the_same_value_every_call(make_grader):
    scores = [r.score for r in make_grader("numpy_random", workers=2).grade_batch([("a", "b")] * 4)]
    assert len(set(scores)) == 1, scores


def test_numpy_imported_inside_the_call_is_seeded_too(make_grader):
    """Same input, same score: numpy's global RNG must not depend on which process ran the call."""
    scores = [r.score for r in make_grader("numpy_random_lazy", workers=2).grade_batch([("a", "b")] * 4)]
    assert len(set(scores)) == 1, scores


# ---- shipped functions ---------------------------------------------------------------------------------


def test_from_function_runs_a_closure():
    bonus = 0.5

    def reward(completion, ground_truth):
        return (1.0 if completion == ground_truth else 0.0) + bonus

    grader = Grader.from_function(reward, timeout=2.0, workers=1)
    try:
        results = grader.grade_batch([("a", "a"), ("a", "b")])
    finally:
        grader.close()
    assert [(r.status, r.score) for r in results] == [(Status.ok, 1.5), (Status.ok, 0.5)]


def test_from_function_never_runs_in_the_caller():
    """Even with the weakest isolation, a shipped function runs in the sandbox, not here."""
    calls = []
    caller = os.getpid()

    def reward(completion, ground_truth):
        calls.append(completion)
        return 1.0 if os.getpid() == caller else 0.0

    with Grader.from_function(reward, timeout=2.0, workers=1, isolation="minimal") as grader:
        result = grader.grade("a", "a")
    assert (result.status, result.score) == (Status.ok, 0.0)
    assert calls == []


# ---- components and the pinned hash seed ----------------------------------------------------------------

COMPONENTS_REWARD = """
from rewardbox.graders.runtime.frames import record_components

def compute_reward(completion, ground_truth):
    if completion == "bad-name":
        record_components({"": 1.0})
    if completion == "nan":
        record_components({"format": float("nan")})
    if completion == "fail":
        record_components({"format": 1.0})
        raise RuntimeError("after recording")
    if completion == "quiet":
        return 0.5
    record_components({"format": 1.0, "correct": 0.0})
    return 0.5
"""


def test_recorded_components_come_back_with_an_ok_result_only(make_grader):
    grader = make_grader(COMPONENTS_REWARD, calls_per_process=4, workers=1)
    scored, quiet, failed, bad_name, nan = grader.grade_batch([("x", ""), ("quiet", ""), ("fail", ""), ("bad-name", ""), ("nan", "")])
    assert (scored.score, scored.components) == (0.5, {"format": 1.0, "correct": 0.0})
    assert quiet.components == {}  # nothing carried over from the call before, in the same process
    assert (failed.status, failed.components) == (Status.exception, {})
    assert bad_name.status is Status.exception and "component name" in bad_name.error
    assert nan.status is Status.invalid_return and "nan" in nan.error  # a NaN sub-score is a NaN result


HASH_REWARD = "def compute_reward(completion, ground_truth):\n    return float(hash(completion) % 1000)\n"


def test_hash_seed_is_pinned_and_can_be_varied(make_grader):
    scores = {seed: make_grader(HASH_REWARD, hash_seed=seed, workers=1).grade("abc", "").score for seed in (0, 0, 1)}
    again = make_grader(HASH_REWARD, workers=1).grade("abc", "").score
    assert again == scores[0]
    assert scores[0] != scores[1]


def test_hash_seed_must_be_a_valid_pythonhashseed():
    with pytest.raises(ValueError, match="hash_seed"):
        Grader(HASH_REWARD, hash_seed=-1)


def test_components_recorded_in_process_never_hit_the_per_call_cap():
    from rewardbox.graders.runtime.frames import MAX_COMPONENTS, record_components, take_components

    take_components()
    for call in range(3 * MAX_COMPONENTS):  # many differently named terms over a long in-process session
        record_components({f"term{call}": 1.0})
    kept = take_components()
    assert len(kept) <= MAX_COMPONENTS and kept[f"term{3 * MAX_COMPONENTS - 1}"] == 1.0
