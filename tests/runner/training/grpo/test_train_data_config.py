"""Prompts files, the holdout and the rotation; TOML configs and their errors."""

from __future__ import annotations

import json
import os

import pytest

from rewardbox.runner.training.grpo import ConfigError, DataError, load_config
from rewardbox.runner.training.grpo.config import DESCRIPTIONS, TrainConfig
from rewardbox.runner.training.grpo.data import PromptPool, PromptRecord, read_prompts


def records(count: int, **fields) -> list[PromptRecord]:
    return [PromptRecord(prompt=f"p{i}", ground_truth=str(i), id=f"id{i}", **fields) for i in range(count)]


def write(path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


# ---- prompts ---------------------------------------------------------------------------------


def test_prompts_file_errors_name_the_line(tmp_path):
    good = json.dumps({"prompt": "a", "ground_truth": "b"})
    cases = {
        "not valid JSON": [good, "{oops"],
        "ground_truth: Field required": [good, json.dumps({"prompt": "a"})],
        "prompt: expected a string or a list of chat messages": [good, json.dumps({"prompt": 3, "ground_truth": "b"})],
    }
    for message, lines in cases.items():
        path = write(tmp_path / "p.jsonl", lines)
        with pytest.raises(DataError, match=f"p.jsonl:2: .*{message}"):
            read_prompts(path)
    with pytest.raises(DataError, match="id 'x' appears twice"):
        read_prompts(write(tmp_path / "d.jsonl", [json.dumps({"prompt": "a", "ground_truth": "b", "id": "x"})] * 2))
    with pytest.raises(DataError, match="no prompts"):
        read_prompts(write(tmp_path / "e.jsonl", [""]))
    with pytest.raises(DataError, match="missing.jsonl: No such file"):
        read_prompts(str(tmp_path / "missing.jsonl"))


def test_prompts_get_line_ids_and_keep_chat_messages(tmp_path):
    messages = [{"role": "user", "content": "hi"}]
    path = write(
        tmp_path / "p.jsonl",
        [
            json.dumps({"prompt": "a", "ground_truth": "b"}),
            "",
            json.dumps({"prompt": messages, "ground_truth": "c", "difficulty": 2}),
        ],
    )
    first, second = read_prompts(path)
    assert (first.id, second.id, second.prompt, second.difficulty) == ("line-1", "line-3", messages, 2.0)


def test_the_holdout_is_never_trained_on_and_the_rotation_covers_every_prompt_each_epoch():
    pool = PromptPool(records(50), holdout_fraction=0.2, seed=3, curriculum=False)
    assert len(pool.holdout) == 10 and len(pool.train) == 40
    held = {record.id for record in pool.holdout}
    for epoch in range(3):
        batch = pool.batch(40 * epoch, 40)
        assert not held & {record.id for record in batch}
        assert sorted(record.id for record in batch) == sorted(record.id for record in pool.train)
    assert [r.id for r in pool.batch(0, 40)] != [r.id for r in pool.batch(40, 40)]  # each epoch reshuffles


def test_batches_follow_from_the_prompts_consumed_alone():
    pool = PromptPool(records(12), holdout_fraction=0.0, seed=1, curriculum=False)
    steps = [pool.batch(5 * step, 5) for step in range(4)]  # crosses epoch boundaries
    fresh = PromptPool(records(12), holdout_fraction=0.0, seed=1, curriculum=False)
    assert [fresh.batch(15, 5)] == [steps[3]]
    assert len({r.id for batch in steps[:2] for r in batch}) == 10  # no prompt repeats before the pool is used up


def test_the_holdout_depends_on_ids_not_on_line_order():
    pool = PromptPool(records(30), holdout_fraction=0.1, seed=0, curriculum=False)
    reversed_pool = PromptPool(records(30)[::-1], holdout_fraction=0.1, seed=0, curriculum=False)
    assert {r.id for r in pool.holdout} == {r.id for r in reversed_pool.holdout}


def test_curriculum_runs_the_first_epoch_from_easy_to_hard_then_shuffles():
    pool_records = [PromptRecord(prompt=f"p{i}", ground_truth="x", id=f"id{i}", difficulty=(i * 7) % 10) for i in range(10)]
    pool = PromptPool(pool_records, holdout_fraction=0.0, seed=0, curriculum=True)
    first = [r.difficulty for r in pool.batch(0, 10)]
    assert first == sorted(first)
    assert [r.difficulty for r in pool.batch(10, 10)] != sorted(first)


# ---- config ------------------------------------------------------------------------------------


def test_every_config_key_has_one_description():
    from rewardbox.runner.training.sft import SFTConfig

    assert set(DESCRIPTIONS) == set(TrainConfig.model_fields) | set(SFTConfig.model_fields)


def test_the_docs_table_gives_every_key_its_one_description():
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "docs", "training.md"), encoding="utf-8") as readme:
        rows = {line.split("|")[1].strip(" `"): line for line in readme if line.startswith("| `")}
    for key, description in DESCRIPTIONS.items():
        assert key in rows and rows[key].rstrip().endswith(f"| {description.replace('|', chr(92) + '|')} |"), key


def test_config_paths_are_relative_to_the_file(tmp_path):
    path = write(tmp_path / "c.toml", ['reward = "r.py"', 'prompts = "data/p.jsonl"', 'base_model = "m"'])
    config = load_config(path)
    assert config.reward == os.path.join(str(tmp_path), "r.py")
    assert config.prompts == os.path.join(str(tmp_path), "data", "p.jsonl")
    library = load_config(write(tmp_path / "l.toml", ['reward = "library:math"', 'prompts = "/abs/p.jsonl"', 'base_model = "m"']))
    assert (library.reward, library.prompts) == ("library:math", "/abs/p.jsonl")
    assert (config.lr_schedule, config.loss, config.warmup_steps, config.backend) == (
        "constant",
        "importance_sampling",
        0,
        "tinker",
    )


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"', "group_sise = 4"], r"c.toml:4: unknown key 'group_sise'"),
        (
            ['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"', "", 'group_size = "four"'],
            r"c.toml:5: key 'group_size': Input should be a valid integer",
        ),
        (
            ['reward = "r.py"', 'prompts = "p.jsonl"', "group_size = 1"],
            r"c.toml:3: key 'group_size': Input should be greater than or equal to 2",
        ),
        (['reward = "r.py"', 'prompts = "p.jsonl"'], r"c.toml: key 'base_model' is required: the model to train"),
        (
            ['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"', 'lr_schedule = "cosine"'],
            r"c.toml: lr_schedule = 'cosine' needs scheduler_total_steps",
        ),
        (
            ['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"', "score_range = [1, 0]"],
            r"c.toml:4: key 'score_range': Value error, expected \[LO, HI\]",
        ),
        (
            ['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"', "eval_interval = 5"],
            r"eval_interval needs holdout_fraction > 0",
        ),
        (["reward = "], r"c.toml: not valid TOML: .*line 1"),
    ],
)
def test_config_errors_name_file_line_and_key(tmp_path, lines, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path / "c.toml", lines))


def test_overrides_win_over_the_file(tmp_path):
    path = write(
        tmp_path / "c.toml", ['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"', "steps = 3", 'backend = "tinker"']
    )
    config = load_config(path, steps=9, backend="offline", log_dir=None)
    assert (config.steps, config.backend, config.log_dir) == (9, "offline", None)

