"""Prompt pools and SFT sets from JSONL, CSV, Parquet and Hugging Face datasets, with column mapping and clear errors."""

from __future__ import annotations

import csv
import json

import pytest

from rewardbox.runner.datasource import Columns, SourceError, read_table
from rewardbox.runner.training.grpo import DataError
from rewardbox.runner.training.grpo.data import read_prompts
from rewardbox.runner.training.sft import read_examples

QUESTIONS = [{"question": "2+2?", "answer": 4, "id": 7}, {"question": "3+3?", "answer": 6, "id": 8}]
MAPPED = Columns(prompt="question", answer="answer")


def write_jsonl(path, rows: list[dict]) -> str:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return str(path)


def write_csv(path, rows: list[dict]) -> str:
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows)
    return str(path)


def write_parquet(path, rows: list[dict]) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return str(path)


def save_dataset(path, rows: list[dict], split: str | None = None) -> str:
    import datasets

    dataset = datasets.Dataset.from_list(rows)
    (datasets.DatasetDict({split: dataset, "other": dataset.select([0])}) if split else dataset).save_to_disk(str(path))
    return str(path)


@pytest.mark.parametrize("writer", [write_jsonl, write_csv, write_parquet, save_dataset], ids=["jsonl", "csv", "parquet", "datasets"])
def test_prompt_pools_load_from_every_source_with_mapped_columns(tmp_path, writer):
    suffix = {"write_jsonl": ".jsonl", "write_csv": ".csv", "write_parquet": ".parquet", "save_dataset": ""}[writer.__name__]
    source = writer(tmp_path / f"pool{suffix}", QUESTIONS)
    first, second = read_prompts(source, columns=MAPPED)
    number = str if writer is write_csv else int  # a CSV cell is text; the other formats keep the number
    assert (first.prompt, first.ground_truth, first.id) == ("2+2?", number(4), "7")
    assert (second.prompt, second.ground_truth, second.id) == ("3+3?", number(6), "8")
    with pytest.raises(DataError, match=r"no column 'ground_truth' \(the answer column; choose another with --answer-column .*its columns are: question, answer, id"):
        read_prompts(source, columns=Columns(prompt="question"))


@pytest.mark.parametrize("writer", [write_jsonl, write_parquet, save_dataset], ids=["jsonl", "parquet", "datasets"])
def test_a_struct_column_is_a_dict_ground_truth_that_reaches_the_reward(tmp_path, writer):
    from rewardbox.graders import Grader

    rows = [
        {"prompt": "make 24", "ground_truth": {"target": 24, "numbers": [6, 4]}, "source": "countdown"},
        {"prompt": "make 10", "ground_truth": {"target": 10, "numbers": [6, 4]}, "source": "countdown"},
    ]
    suffix = {"write_jsonl": ".jsonl", "write_parquet": ".parquet", "save_dataset": ""}[writer.__name__]
    records = read_prompts(writer(tmp_path / f"countdown{suffix}", rows))
    assert [record.ground_truth for record in records] == [row["ground_truth"] for row in rows]
    reward = "def compute_reward(completion, ground_truth, source):\n    return float(source == 'countdown' and eval(completion) == ground_truth['target'])\n"
    with Grader(reward, workers=1) as grader:
        assert [r.score for r in grader.grade_batch([record.row("6 * 4") for record in records])] == [1.0, 0.0]


@pytest.mark.parametrize("writer", [write_jsonl, write_csv, write_parquet, save_dataset], ids=["jsonl", "csv", "parquet", "datasets"])
def test_sft_sets_load_from_every_source_with_mapped_columns(tmp_path, writer):
    suffix = {"write_jsonl": ".jsonl", "write_csv": ".csv", "write_parquet": ".parquet", "save_dataset": ""}[writer.__name__]
    rows = [{"instruction": "say hi", "output": "hi"}, {"instruction": "say bye", "output": "bye"}]
    source = writer(tmp_path / f"sft{suffix}", rows)
    examples = read_examples(source, columns=Columns(prompt="instruction", response="output"))
    assert [(e.prompt, e.response) for e in examples] == [("say hi", "hi"), ("say bye", "bye")]
    assert examples[0].id in ("line-1", "row-1")
    with pytest.raises(DataError, match=r"no column 'response' \(the response column; choose another with --response-column"):
        read_examples(source, columns=Columns(prompt="instruction"))
    with pytest.raises(DataError, match=r"no column 'prompt' \(the prompt column; choose another with --prompt-column.*or give a 'messages' column"):
        read_examples(source, columns=Columns(response="output"))


def test_a_csv_cell_holding_chat_messages_as_json_is_read_as_messages(tmp_path):
    chat = [{"role": "user", "content": "3+3?"}]
    source = write_csv(tmp_path / "chat.csv", [{"prompt": chat, "ground_truth": "6"}, {"prompt": "[not json", "ground_truth": "1"}])
    first, second = read_prompts(source)
    assert (first.prompt, second.prompt) == (chat, "[not json")


def test_conversations_in_a_messages_column_are_examples_too(tmp_path):
    talk = [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}, {"role": "assistant", "content": "a"}]
    source = save_dataset(tmp_path / "chat", [{"messages": talk}], split="train")
    [example] = read_examples(source)
    assert (example.prompt, example.response, example.messages()) == (talk[:2], "a", talk)
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"messages": talk}, {"messages": talk[:2]}])
    with pytest.raises(DataError, match=r"bad.jsonl:2: messages: expected a list of chat messages ending with the assistant's reply"):
        read_examples(bad)


def test_saved_dataset_dicts_pick_a_split(tmp_path):
    source = save_dataset(tmp_path / "dd", QUESTIONS, split="test")
    assert len(read_prompts(source, columns=MAPPED, split="test")) == 2
    assert len(read_prompts(source, columns=MAPPED, split="other")) == 1
    with pytest.raises(DataError, match=r"no split 'train' \(--split\); its splits are: test, other"):
        read_prompts(source, columns=MAPPED)


def test_rows_that_lack_a_value_are_named_by_line_or_row(tmp_path):
    jsonl = write_jsonl(tmp_path / "p.jsonl", [{"q": "a", "a": "1"}, {"q": "b"}])
    with pytest.raises(DataError, match=r"p.jsonl:2: ground_truth: Field required .*--answer-column"):
        read_prompts(jsonl, columns=Columns(prompt="q", answer="a"))
    table = write_csv(tmp_path / "s.csv", [{"prompt": "a", "response": "x"}, {"prompt": "b", "response": None}])
    assert read_examples(table)[1].response == ""  # an empty CSV cell is an empty text
    with open(tmp_path / "ragged.csv", "w", encoding="utf-8") as stream:
        stream.write("prompt,response\na,b,c\n")
    with pytest.raises(SourceError, match=r"ragged.csv row 1: more cells than the header has columns"):
        read_table(str(tmp_path / "ragged.csv"))


def test_unknown_formats_missing_files_and_unreachable_hubs_say_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(SourceError, match=r"data.txt: unknown data format; expected a .jsonl, .csv or .parquet file"):
        read_table(str(tmp_path / "data.txt"))
    with pytest.raises(SourceError, match=r"missing.csv: No such file"):
        read_table(str(tmp_path / "missing.csv"))
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(SourceError, match=r"broken.parquet: not a readable Parquet file"):
        read_table(str(tmp_path / "broken.parquet"))
    import datasets
    import huggingface_hub

    for module in (datasets.config, huggingface_hub.constants):  # no network in tests: the hub is unreachable by construction
        monkeypatch.setattr(module, "HF_HUB_OFFLINE", True)
    with pytest.raises(SourceError, match=r"hf:someone/nothing: could not load it from the Hugging Face Hub .*save_to_disk"):
        read_table("hf:someone/nothing")
