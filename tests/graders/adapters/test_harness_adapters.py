"""Each adapter called exactly as its harness calls it (the harnesses pull in torch or a
cloud SDK, so the call sites are reproduced here and cited: TRL 1.16.0, verl 0.9.1,
OpenRLHF 0.11.2, verifiers 0.1.14, tinker-cookbook 0.6.1)."""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import os
import pickle

import pytest
from rewardbox.graders.adapters import (
    AsyncTRLReward,
    OpenRLHFReward,
    TinkerCookbookReward,
    TRLReward,
    VerifiersReward,
    VerlBatchReward,
    VerlReward,
    completion_text,
)

GSM8K = os.path.join(os.path.dirname(__file__), "..", "..", "..", "examples", "gsm8k", "reward.py")
COMPONENTS = """
from rewardbox.graders.runtime.frames import record_components

def compute_reward(completion, ground_truth):
    correct = float(completion.strip().endswith(ground_truth))
    formatted = float("####" in completion)
    record_components({"correct": correct, "format": formatted})
    return correct
"""
MOODY = """
import time

def compute_reward(completion, ground_truth):
    if completion == "hang":
        time.sleep(60)
    if completion == "raise":
        raise KeyError("boom")
    return float(completion.strip().endswith(ground_truth))
"""


@pytest.fixture
def adapters():
    made = []

    def make(cls, reward, **options):
        adapter = cls(reward, workers=2, **options)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


# ---- TRL ----------------------------------------------------------------------------------------------


def trl_calculate_rewards(reward_func, inputs, prompts, completions, logged):
    """The custom-function branch of ``GRPOTrainer._calculate_rewards`` (trl/trainer/grpo_trainer.py, 1.16.0)."""
    keys = [key for key in inputs[0] if key not in ["prompt", "completion", "completion_ids"]]
    reward_kwargs = {key: [example[key] for example in inputs] for key in keys}
    reward_kwargs["trainer_state"] = object()
    reward_kwargs["log_extra"] = lambda column, values: logged.append((column, values))
    reward_kwargs["log_metric"] = lambda name, value: logged.append((name, value))
    completion_ids_list = [[1, 2, 3] for _ in completions]
    if trl_is_async_callable(reward_func):
        output = asyncio.run(reward_func(prompts=prompts, completions=completions, completion_ids=completion_ids_list, **reward_kwargs))
    else:
        output = reward_func(prompts=prompts, completions=completions, completion_ids=completion_ids_list, **reward_kwargs)
    output = [reward if reward is not None else float("nan") for reward in output]
    assert len(output) == len(prompts)
    return output


def trl_is_async_callable(func):
    """trl/trainer/utils.py ``is_async_callable``."""
    while isinstance(func, functools.partial):
        func = func.func
    return inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(func.__call__)


def trl_callable_name(func):
    """trl/trainer/utils.py ``get_callable_name``."""
    while isinstance(func, functools.partial):
        func = func.func
    return getattr(func, "__name__", type(func).__name__)


def gsm8k_inputs():
    prompts = ["What is 6 * 7?", "What is 6 * 7?", "What is 2 + 2?"]
    completions = ["6 * 7 = 42\n#### 42", "I think 41\n#### 41", "2 + 2 = 4\n#### 4"]
    inputs = [{"prompt": p, "answer": a, "difficulty": 1} for p, a in zip(prompts, ["42", "42", "4"])]
    return inputs, prompts, completions


@pytest.mark.parametrize("cls", [TRLReward, AsyncTRLReward])
def test_trl_scores_each_completion_against_its_dataset_column(adapters, cls):
    reward = adapters(cls, GSM8K, ground_truth_column="answer")
    logged = []
    inputs, prompts, completions = gsm8k_inputs()
    assert trl_calculate_rewards(reward, inputs, prompts, completions, logged) == [1.0, 0.0, 1.0]
    assert trl_callable_name(reward) == "reward"
    assert trl_is_async_callable(reward) is (cls is AsyncTRLReward)
    assert ("rewardbox/reward/ok", 1.0) in logged


def test_trl_grades_the_last_assistant_message_of_conversational_completions(adapters):
    reward = adapters(TRLReward, GSM8K, ground_truth_column="answer")
    inputs, _, _ = gsm8k_inputs()
    prompts = [[{"role": "user", "content": "What is 6 * 7?"}]] * 3
    completions = [
        [{"role": "assistant", "content": "#### 42"}],
        [{"role": "assistant", "content": [{"type": "text", "text": "#### "}, {"type": "text", "text": "41"}]}],
        [{"role": "tool", "content": "#### 4"}],
    ]
    assert trl_calculate_rewards(reward, inputs, prompts, completions, []) == [1.0, 0.0, 0.0]


def test_trl_failures_score_the_failure_score_or_none_and_are_logged(adapters):
    reward = adapters(TRLReward, MOODY, timeout=1.0, failed_as_none=True, name="moody")
    logged = []
    inputs = [{"prompt": "p", "ground_truth": "7"}] * 3
    scores = trl_calculate_rewards(reward, inputs, ["p"] * 3, ["hang", "raise", "7"], logged)
    assert scores[2] == 1.0 and all(score != score for score in scores[:2])  # NaN: TRL leaves them out
    assert dict(logged) == {"rewardbox/moody/timeout": 1 / 3, "rewardbox/moody/exception": 1 / 3, "rewardbox/moody/ok": 1 / 3}


def test_trl_names_the_missing_ground_truth_column(adapters):
    reward = adapters(TRLReward, GSM8K)
    inputs, prompts, completions = gsm8k_inputs()
    with pytest.raises(ValueError, match=r"no column 'ground_truth'.*\['answer', 'difficulty'\]"):
        trl_calculate_rewards(reward, inputs, prompts, completions, [])


def test_adapters_pickle_as_source_and_options_and_grade_after_unpickling(adapters):
    reward = adapters(TRLReward, GSM8K, ground_truth_column="answer", timeout=3.0)
    copy = pickle.loads(pickle.dumps(reward))
    try:
        assert copy.__name__ == "reward" and copy.ground_truth_column == "answer" and copy.grader_options["timeout"] == 3.0
        assert copy(prompts=["p"], completions=["#### 5"], answer=["5"]) == [1.0]
    finally:
        copy.close()


def test_a_forked_process_starts_its_own_sandbox(adapters):
    reward = adapters(TRLReward, GSM8K, ground_truth_column="answer")
    parent_grader = reward.grader()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's manager thread did not survive the fork
        try:
            scores = reward(prompts=["p"], completions=["#### 9"], answer=["9"])
            fresh = reward.grader() is not parent_grader
            reward.close()
            os.write(write, json.dumps([scores, fresh]).encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert json.loads(os.read(read, 1000)) == [[1.0], True]
    assert reward(prompts=["p"], completions=["#### 9"], answer=["9"]) == [1.0]


def test_a_function_is_shipped_by_value():
    def shout_reward(completion, ground_truth):
        return float(completion.upper() == ground_truth)

    reward = TRLReward(shout_reward)
    try:
        assert reward.__name__ == "shout_reward"
        assert reward(prompts=["p", "p"], completions=["abc", "abd"], ground_truth=["ABC", "ABC"]) == [1.0, 0.0]
    finally:
        reward.close()


# ---- verl -----------------------------------------------------------------------------------------------


def test_verl_naive_manager_call_returns_the_score_or_a_dict_with_components(adapters):
    plain = adapters(VerlReward, GSM8K)
    # verl/workers/reward_manager/naive.py: keyword call with extra_info from the dataset
    extra_info = {"index": 3, "num_turns": None, "rollout_reward_scores": {}}
    assert plain(data_source="openai/gsm8k", solution_str="#### 12", ground_truth="12", extra_info=extra_info) == 1.0
    detailed = adapters(VerlReward, COMPONENTS, return_dict=True)
    score = detailed(data_source="x", solution_str="#### 12", ground_truth="12", extra_info={})
    assert score == {"score": 1.0, "rewardbox_ok": 1.0, "correct": 1.0, "format": 1.0}


def test_verl_batch_manager_call_and_non_string_ground_truths(adapters):
    reward = adapters(VerlBatchReward, GSM8K)
    # verl/workers/reward_manager/batch.py: plural keywords plus reward_kwargs
    scores = reward(data_sources=["gsm8k"] * 3, solution_strs=["#### 12", "#### 13", "#### 7"], ground_truths=["12", 12, 8], extra_infos=[{}] * 3)
    assert scores == [1.0, 0.0, 0.0]


# ---- OpenRLHF --------------------------------------------------------------------------------------------


def test_openrlhf_strips_the_prompt_and_end_markers_from_each_query(adapters):
    reward_func = adapters(OpenRLHFReward, MOODY, timeout=1.0)
    prompt = "<|im_start|>user\nWhat is 3 + 4?<|im_end|>\n<|im_start|>assistant\n"
    queries = ["<s>" + prompt + "It is 7<|im_end|>", prompt + "It is 8</s>", prompt + "raise"]

    async def fetch():  # openrlhf/utils/agent.py: _fetch_rewards_via_func, one query per call, in threads
        return await asyncio.gather(*(asyncio.to_thread(reward_func, [query], [prompt], ["7"]) for query in queries))

    infos = asyncio.run(fetch())  # tensors when torch is installed, as OpenRLHF's own reward_func returns; else lists
    assert [[float(x) for x in info["rewards"]] for info in infos] == [[1.0], [0.0], [0.0]]
    assert [[float(x) for x in info["extra_logs"]["rewardbox_ok"]] for info in infos] == [[1.0], [1.0], [0.0]]
    assert reward_func.response("P: hi A: 7 <|eot_id|>", "P: hi A:") == " 7"


# ---- verifiers -------------------------------------------------------------------------------------------


async def verifiers_call_individual_reward_func(func, merged):
    """verifiers/rubrics/rubric.py ``Rubric._call_individual_reward_func`` (0.1.14), with ``maybe_await``."""
    sig = inspect.signature(func)
    if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
        result = func(**merged)
    else:
        result = func(**{k: v for k, v in merged.items() if k in sig.parameters})
    return float(await result) if inspect.isawaitable(result) else float(result)


def test_verifiers_rubric_call_grades_the_last_assistant_message(adapters):
    reward = adapters(VerifiersReward, GSM8K)
    params = set(inspect.signature(reward).parameters)
    assert not params & {"states", "prompts", "completions", "answers", "tasks", "infos"}  # not taken for a group function
    merged = {
        "prompt": [{"role": "user", "content": "6 * 7?"}],
        "completion": [{"role": "assistant", "content": "#### 41"}, {"role": "assistant", "content": "#### 42"}],
        "answer": "42",
        "state": {},
        "task": "gsm8k",
        "info": {},
        "parser": None,
    }
    assert asyncio.run(verifiers_call_individual_reward_func(reward, merged)) == 1.0


# ---- tinker-cookbook ----------------------------------------------------------------------------------------


def test_tinker_cookbook_score_returns_the_reward_and_metrics(adapters):
    reward = adapters(TinkerCookbookReward, COMPONENTS)
    assert asyncio.run(reward.score("#### 5", "5")) == (1.0, {"rewardbox_ok": 1.0, "correct": 1.0, "format": 1.0})


def test_completion_text_reads_strings_messages_and_parts():
    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "assistant", "content": None}]) == ""
    assert completion_text([{"role": "user", "content": "q"}]) == ""
    assert completion_text([{"role": "assistant", "content": [{"type": "image"}, {"type": "text", "text": "a"}]}]) == "a"


# ---- rows as datasets carry them: structured ground truths, other columns, loud failure ----------------------

COUNTDOWN = """
def compute_reward(completion, ground_truth, data_source=None, extra_info=None):
    target = ground_truth["target"] if isinstance(ground_truth, dict) else ground_truth
    bonus = 0.25 if (extra_info or {}).get("bonus") else 0.0
    return float(eval(completion, {"__builtins__": {}}) == target) + bonus + (0.5 if data_source == "countdown" else 0.0)
"""
NO_GROUND_TRUTH = """
def compute_reward(completion):
    return float(completion.startswith("<think>"))
"""
ALWAYS_FAILS = """
def compute_reward(completion, ground_truth):
    return ground_truth.strip() == completion
"""


@pytest.mark.parametrize("cls", [TRLReward, AsyncTRLReward])
def test_trl_passes_dict_and_int_ground_truths_and_columns_the_reward_names(adapters, cls):
    reward = adapters(cls, COUNTDOWN)
    inputs = [
        {"prompt": "make 24", "ground_truth": {"target": 24, "numbers": [6, 4]}, "data_source": "countdown", "extra_info": {"bonus": True}},
        {"prompt": "make 24", "ground_truth": {"target": 24, "numbers": [6, 4]}, "data_source": "other", "extra_info": {}},
        {"prompt": "make 7", "ground_truth": 7, "data_source": "other", "extra_info": {}},
    ]
    logged = []
    assert trl_calculate_rewards(reward, inputs, ["p"] * 3, ["6 * 4", "6 + 4", "3 + 4"], logged) == [1.75, 0.0, 1.0]
    assert ("rewardbox/countdown/ok", 1.0) not in logged and ("rewardbox/reward/ok", 1.0) in logged


def test_trl_reward_without_ground_truth_needs_no_column(adapters):
    reward = adapters(TRLReward, NO_GROUND_TRUTH)
    inputs = [{"prompt": "p", "difficulty": 1}] * 2
    assert trl_calculate_rewards(reward, inputs, ["p", "p"], ["<think>x</think>", "x"], []) == [1.0, 0.0]


def test_trl_names_a_column_the_reward_requires(adapters):
    reward = adapters(TRLReward, "def compute_reward(completion, ground_truth, level):\n    return 1.0\n")
    with pytest.raises(ValueError, match=r"needs the dataset column\(s\) \['level'\]"):
        trl_calculate_rewards(reward, [{"prompt": "p", "ground_truth": "1"}], ["p"], ["c"], [])


def test_a_batch_that_fails_entirely_is_a_warning_at_once_and_stops_training_after_three(adapters, caplog):
    from rewardbox.graders import RewardFailing

    reward = adapters(TRLReward, ALWAYS_FAILS)  # a dict ground truth has no .strip(): every call raises
    inputs = [{"prompt": "p", "ground_truth": {"answer": "7"}}] * 4
    with caplog.at_level("WARNING", logger="rewardbox"):
        assert trl_calculate_rewards(reward, inputs, ["p"] * 4, ["7"] * 4, []) == [0.0] * 4
    warning = "\n".join(record.getMessage() for record in caplog.records)
    assert "every item of a batch of reward 'reward' failed with status exception" in warning
    assert "AttributeError: 'dict' object has no attribute 'strip'" in warning and "Traceback" in warning
    trl_calculate_rewards(reward, inputs, ["p"] * 4, ["7"] * 4, [])
    with pytest.raises(RewardFailing, match="3 batches in a row"):
        trl_calculate_rewards(reward, inputs, ["p"] * 4, ["7"] * 4, [])
    # one good batch resets the count; stop_after_failed_batches=0 only warns
    quiet = adapters(TRLReward, ALWAYS_FAILS, stop_after_failed_batches=0)
    for _ in range(4):
        trl_calculate_rewards(quiet, inputs, ["p"] * 4, ["7"] * 4, [])


def test_verl_gets_dict_ground_truth_data_source_and_extra_info(adapters):
    single = adapters(VerlReward, COUNTDOWN)
    assert single(data_source="countdown", solution_str="6 * 4", ground_truth={"target": 24, "numbers": [6, 4]}, extra_info={"bonus": 1}) == 1.75
    batch = adapters(VerlBatchReward, COUNTDOWN)
    scores = batch(data_sources=["countdown", "x"], solution_strs=["6 * 4", "6 * 4"], ground_truths=[{"target": 24}, 25], extra_infos=None)
    assert scores == [1.5, 0.0]


def test_openrlhf_verifiers_and_tinker_cookbook_pass_structured_ground_truths(adapters):
    reward_func = adapters(OpenRLHFReward, COUNTDOWN)
    assert reward_func(["Q: 6 * 4"], ["Q: "], [{"target": 24}])["rewards"] == pytest.approx([1.0])
    verifiers_reward = adapters(VerifiersReward, COUNTDOWN)
    merged = {"prompt": [], "completion": [{"role": "assistant", "content": "2 + 5"}], "answer": 7, "state": {"live": object()}, "task": "t", "info": {"bonus": True}, "parser": None}
    assert asyncio.run(verifiers_call_individual_reward_func(verifiers_reward, merged)) == 1.0  # info is not extra_info: no bonus
    cookbook = adapters(TinkerCookbookReward, COUNTDOWN)
    assert asyncio.run(cookbook.score("6 * 4", {"target": 24}, data_source="countdown"))[0] == 1.5
