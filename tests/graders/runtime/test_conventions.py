"""Rewards in their own harness's signature, graded through the real sandbox as their harness would call them.

The functions (harness_rewards/) are written the way TRL, verl, OpenRLHF, verifiers, reasoning-gym and OpenAI
graders write them; the rows are shaped as each harness's dataset holds them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rewardbox.graders import Grader, RewardLoadError, Status
from rewardbox.graders.runtime.binding import Binding
from rewardbox.graders.runtime.conventions import detect

REWARDS = Path(__file__).with_name("harness_rewards")
TRL, VERL, OTHER = (str(REWARDS / name) for name in ("trl_rewards.py", "verl_rewards.py", "other_rewards.py"))
CHAT = [{"role": "user", "content": "What is 2+2?"}]


def scored(results) -> list[tuple[str, float]]:
    return [(result.status.value, result.score) for result in results]


@pytest.mark.parametrize(
    "signature, convention",
    [
        ("def f(completions, **kwargs): ...", "trl"),
        ("def f(prompts, completions, solution, **kwargs): ...", "trl"),
        ("def compute_score(data_source, solution_str, ground_truth, extra_info=None): ...", "verl"),
        ("def compute_score(solution_str, ground_truth): ...", "verl"),
        ("def reward_func(queries, prompts, labels, **kwargs): ...", "openrlhf"),
        ("def f(completion, answer, **kwargs): ...", "verifiers"),
        ("def f(parser, completion, answer): ...", "verifiers"),
        ("def score_answer(answer, entry): ...", "reasoning_gym"),
        ("def grade(sample, item): ...", "openai"),
        ("def compute_reward(completion, ground_truth): ...", "rewardbox"),
        ("def compute_reward(completion, answer): ...", "rewardbox"),  # the gold positionally, whatever its name
        ("def compute_reward(completion, ground_truth, data_source): ...", "rewardbox"),
    ],
)
def test_the_convention_is_read_from_the_parameter_names(signature, convention):
    namespace: dict = {}
    exec(signature, namespace)
    function = next(value for name, value in namespace.items() if name != "__builtins__")
    assert detect(function) == convention
    assert Binding.of(function).convention == convention


def test_trl_functions_get_batches_of_lists_with_the_gold_under_their_own_name(make_grader):
    rows = [
        {"completion": "so \\boxed{4}", "prompt": CHAT, "solution": "4"},
        {"completion": "so \\boxed{5}", "prompt": CHAT, "solution": "4"},
    ]
    accuracy = make_grader(f"{TRL}:accuracy_reward")
    assert accuracy.binding.convention == "trl" and accuracy.summary()["convention"] == "trl"
    assert scored(accuracy.grade_batch(rows)) == [("ok", 1.0), ("ok", 0.0)]  # chat prompt: completions as messages
    plain = [{"completion": "<think>a</think><answer>4</answer>", "ground_truth": "4", "prompt": "2+2?"}, {"completion": "4", "ground_truth": "4", "prompt": "2+2?"}]
    assert scored(make_grader(f"{TRL}:format_reward").grade_batch(plain)) == [("ok", 1.0), ("ok", 0.0)]
    assert scored(make_grader(f"{TRL}:reward_len").grade_batch([("x" * 20, "g"), ("x" * 25, "g")])) == [("ok", 0.0), ("ok", -5.0)]
    assert scored(make_grader(f"{TRL}:async_reward").grade_batch([{"completion": "it is 4", "answer": "4", "prompt": "p"}])) == [("ok", 1.0)]


def test_a_group_aware_trl_reward_sees_its_whole_group(make_grader):
    rows = [{"completion": "x" * n, "prompt": prompt} for prompt in ("a", "b") for n in (3, 1, 2)]
    results = make_grader(f"{TRL}:group_relative").grade_batch(rows)
    assert scored(results) == [("ok", 0.0), ("ok", 1.0), ("ok", 0.0)] * 2


def test_none_is_abstained_and_a_wrong_length_is_an_error_naming_the_reward(make_grader):
    rows = [{"completion": "ab", "task": "math", "prompt": "p"}, {"completion": "abc", "task": "code", "prompt": "p"}]
    results = make_grader(f"{TRL}:math_only").grade_batch(rows)
    assert scored(results) == [("ok", 0.0), ("abstained", 0.0)]
    assert "does not apply" in results[1].error
    for name, message in (("one_score", "returned a float, not a list of one score per completion"), ("short_list", "returned 1 scores for 2 completions")):
        results = make_grader(f"{TRL}:{name}").grade_batch([("a", "g"), ("b", "g")])
        assert [r.status for r in results] == [Status.invalid_return] * 2
        assert message in results[0].error and name in results[0].error


def test_verl_compute_score_as_its_parquet_rows_hold_the_gold(make_grader):
    rows = [
        {"completion": "so #### 72", "data_source": "openai/gsm8k", "reward_model": {"ground_truth": "72", "style": "rule"}, "extra_info": {"index": 0}},
        {"completion": "so #### 70", "data_source": "openai/gsm8k", "ground_truth": "72"},
    ]
    assert scored(make_grader(f"{VERL}:compute_score").grade_batch(rows)) == [("ok", 1.0), ("ok", 0.0)]
    [result] = make_grader(f"{VERL}:compute_score_dict").grade_batch([{"completion": "it is 72", "ground_truth": 72, "data_source": "gsm8k"}])
    assert (result.status, result.score, result.components) == (Status.ok, 1.0, {"acc": 1.0, "length": 8.0})  # the text value is not logged
    assert scored(make_grader(f"{VERL}:compute_score_fork").grade_batch([("7", 7), ("8", 7)])) == [("ok", 1.0), ("ok", 0.0)]


def test_openrlhf_gets_queries_prompts_labels_and_its_dict_is_read(make_grader):
    rows = [{"completion": " 4", "prompt": "2+2=", "ground_truth": "4"}, {"completion": " 5", "prompt": "2+2=", "ground_truth": "4"}]
    results = make_grader(f"{OTHER}:reward_func").grade_batch(rows)
    assert scored(results) == [("ok", 1.0), ("ok", 0.0)]
    assert [r.components for r in results] == [{"query_length": 6.0}, {"query_length": 6.0}]


def test_verifiers_reasoning_gym_and_openai_graders(make_grader):
    chat_rows = [{"completion": "4", "prompt": CHAT, "answer": "4"}, {"completion": "5", "prompt": CHAT, "answer": "4"}]
    assert scored(make_grader(f"{OTHER}:correct_answer").grade_batch(chat_rows)) == [("ok", 1.0), ("ok", 0.0)]
    assert scored(make_grader(f"{OTHER}:async_correct").grade_batch([{"completion": "it is 4", "ground_truth": "4"}])) == [("ok", 1.0)]
    entries = [{"completion": "<answer>Paris</answer>", "entry": {"answer": "Paris"}}, {"completion": "Paris", "ground_truth": {"answer": "Paris"}}]
    assert scored(make_grader(f"{OTHER}:score_answer").grade_batch(entries)) == [("ok", 1.0), ("ok", 0.0)]  # no <answer> tag: None
    items = [{"completion": " Paris ", "reference_answer": "paris"}]
    assert scored(make_grader(f"{OTHER}:grade").grade_batch(items)) == [("ok", 1.0)]


def test_a_convention_can_be_forced_and_a_bad_one_is_refused(tmp_path):
    path = tmp_path / "reward.py"
    path.write_text("def compute_reward(completion, answer):\n    return float(completion == answer)\n")
    with Grader(str(path), workers=1, convention="verifiers") as grader:
        assert grader.binding.convention == "verifiers"
        assert grader.grade_batch([{"completion": "x", "answer": "x", "ground_truth": "y"}])[0].score == 1.0  # the row's answer
    with pytest.raises(ValueError, match="convention='torch'"):
        Grader(str(path), workers=1, convention="torch")


def test_a_signature_no_convention_fits_names_the_conventions(tmp_path):
    path = tmp_path / "reward.py"
    path.write_text("def compute_reward():\n    return 1.0\n")
    with pytest.raises(RewardLoadError, match="none of the conventions .*rewardbox, trl, verl.*def compute_reward\\(completion: str, ground_truth\\)"):
        Grader(str(path), workers=1)


def test_the_grade_command_says_which_convention_it_took(tmp_path, capsys):
    from rewardbox.runner.cli import main

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in [{"completion": "so #### 3", "ground_truth": "3", "data_source": "gsm8k"}] * 2))
    out = tmp_path / "out.jsonl"
    assert main(["grade", f"{VERL}:compute_score", "-i", str(source), "-o", str(out), "--workers", "1"]) == 0
    assert "reward read as verl" in capsys.readouterr().err
    assert [json.loads(line)["score"] for line in out.read_text().splitlines()] == [1.0, 1.0]


def test_lint_takes_harness_signatures_and_lists_them_without_compute_reward(capsys):
    from rewardbox.runner.cli import main

    main(["lint", f"{TRL}:accuracy_reward"])
    out, err = capsys.readouterr()
    assert "read as TRL" in err
    assert "RK134" not in out and "RK135" not in out and "RK132" not in out  # its signature and list return are TRL's
    assert "RK122" in out  # open-r1's own `[^{}]*` boxed regex: a finding in any convention
    assert main(["lint", TRL]) == 1
    out = capsys.readouterr().out
    assert "RK134" in out and "`accuracy_reward` (trl, line 5)" in out and "name one: trl_rewards.py:accuracy_reward" in out


def test_check_runs_its_properties_through_the_convention(capsys):
    from rewardbox.graders.checks import run_checks

    report = run_checks(f"{VERL}:compute_score", examples=[("so #### 5", "5"), ("#### 7", "7")], max_examples=5, properties={"determinism", "type_and_range", "robustness"}, grader_options={"workers": 2})
    assert report.convention == "verl" and report.passed, [(r.property, r.details) for r in report.results]


def test_adapters_run_one_harness_s_reward_in_another():
    from rewardbox.graders.adapters import TRLReward, VerlReward

    adapters = [TRLReward(f"{VERL}:compute_score", workers=1), VerlReward(f"{TRL}:format_reward", workers=1), TRLReward(f"{TRL}:math_only", workers=1, ground_truth_column=None)]
    try:
        verl_in_trl, trl_in_verl, abstaining = adapters
        assert verl_in_trl(prompts=["q", "q"], completions=["#### 3", "#### 4"], ground_truth=["3", "3"], data_source=["gsm8k", "gsm8k"]) == [1.0, 0.0]
        assert trl_in_verl("gsm8k", "<think>a</think><answer>4</answer>", "4", {}) == 1.0  # a TRL batch function, per sample
        assert abstaining(prompts=["p", "p"], completions=["ab", "abc"], task=["math", "code"]) == [0.0, None]  # as TRL reads it
    finally:
        for adapter in adapters:
            adapter.close()
