"""`rewardbox train` on the real tinker SDK, against a loopback stand-in of the service (``tinker_stub``).

Every request the SDK sends is validated with the SDK's own request types; each test asserts what
the loop sent and what a user sees: GRPO, resume, SFT and the MCP tools, the chat formats that reach
the model, and each failure of a run ending in one message with the right exit status.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tinker import types
from tinker_stub import closed_port_env

from rewardbox.runner.cli import main

EXAMPLES = Path(__file__).resolve().parents[4] / "examples"


def write_config(folder: Path, example: str, **keys: object) -> str:
    """The example's data and reward beside a config of ``keys`` for the tinker backend; returns its path."""
    for item in (EXAMPLES / example).iterdir():
        if item.suffix in (".py", ".jsonl"):
            shutil.copy(item, folder / item.name)
    settings = {"backend": "tinker", "request_timeout": 20, **keys}
    (folder / "config.toml").write_text("".join(f"{key} = {json.dumps(value)}\n" for key, value in settings.items()))
    return str(folder / "config.toml")


def grpo_config(folder: Path, tokenizer: str, **keys: object) -> str:
    base = dict(
        reward="reward.py", prompts="prompts.jsonl", base_model="Qwen/Qwen3-8B", tokenizer=tokenizer, steps=2,
        group_size=4, prompts_per_step=2, max_tokens=5, learning_rate=4e-5, save_interval=1, holdout_fraction=0.0,
        reward_calls_per_process=8,
    )  # fmt: skip
    return write_config(folder, "toy_copy", **{**base, **keys})


def train(*args: str) -> int:
    return main(["train", *args])


def half_copied(stop: int):
    """A stub sampler whose every other completion copies the prompt's word (the toy reward's target): groups with signal."""

    def sample(prompt: list[int], num_samples: int, params: object) -> list[list[int]]:
        word = bytes(token for token in prompt if token < 256).decode().rsplit(">", 1)[0][-3:]
        return [[*(word if index % 2 == 0 else "zzz").encode(), stop] for index in range(num_samples)]

    return sample


def test_grpo_on_qwen3_sends_chatml_prompts_unseeded_groups_and_expiring_checkpoints(start_tinker_stub, qwen3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub(sampler=half_copied(151645))
    config = grpo_config(tmp_path, qwen3_tokenizer_dir)
    assert train(config, "--log-dir", str(tmp_path / "run")) == 0
    err = capsys.readouterr().err
    assert "step 1  reward" in err and "done: step 2 of 2" in err and "warning" not in err
    assert stub.invalid == []

    samples = stub.bodies("/api/v1/asample")
    assert len(samples) == 4 and all(request.num_samples == 4 for request in samples)
    assert all(request.sampling_params.seed is None for request in samples)  # no seed: a group can differ
    assert all(list(request.sampling_params.stop) == [151645] for request in samples)  # <|im_end|>
    first = samples[0].prompt.to_ints()
    assert first[0] == 151644 and first[-len("assistant\n") - 1] == 151644  # <|im_start|>user ... <|im_start|>assistant\n
    assert bytes(token for token in first if token < 256).decode().endswith(">\nassistant\n")

    trained = [request.forward_backward_input for request in stub.bodies("/api/v1/forward_backward")]
    assert len(trained) == 2 and {batch.loss_fn for batch in trained} == {"importance_sampling"}
    advantages = [value for datum in trained[0].data for value in datum.loss_fn_inputs["advantages"].data if value]
    assert advantages and {value > 0 for value in advantages} == {True, False}  # copies above their group's mean, "zzz" below
    assert "reward 0.500" in err  # half of each group copies its word
    saved = stub.bodies("/api/v1/save_weights")
    assert [(request.path, request.ttl_seconds) for request in saved] == [("step-000001", 604800), ("step-000002", 604800)]
    renderer = json.loads((tmp_path / "run" / "renderer.json").read_text())
    assert (renderer["name"], renderer["implementation"], renderer["stop"], renderer["context_length"]) == ("qwen3", "rewardbox", [151645], 32768)
    assert renderer["example"]["text"].startswith("<|im_start|>user\n") and renderer["example"]["text"].endswith("<|im_start|>assistant\n")
    assert [request.base_model for request in stub.bodies("/api/v1/create_model")] == ["Qwen/Qwen3-8B"]
    assert stub.bodies(f"/api/v1/sessions/{next(iter(stub.sessions))}/finish")  # the session was closed


def test_a_llama3_base_model_gets_role_colon_and_resume_continues_on_the_service(start_tinker_stub, llama3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub(eos_token_id=128009)
    config = grpo_config(tmp_path, llama3_tokenizer_dir, base_model="meta-llama/Llama-3.2-1B", save_interval=0)
    assert train(config, "--log-dir", str(tmp_path / "run")) == 0
    prompt = stub.bodies("/api/v1/asample")[0]
    assert prompt.prompt.to_ints()[0] == 128000 and bytes(prompt.prompt.to_ints()[1:]).decode().startswith("User: ")
    assert bytes(prompt.prompt.to_ints()[1:]).decode().endswith(">\n\nAssistant:")
    assert list(prompt.sampling_params.stop) == ["\n\nUser:"]
    assert [(request.path, request.ttl_seconds) for request in stub.bodies("/api/v1/save_weights")] == [("final", None)]  # kept

    assert train(config, "--log-dir", str(tmp_path / "run"), "--steps", "3", "--resume") == 0
    assert "step 2  reward" in capsys.readouterr().err
    loaded = stub.bodies("/api/v1/load_weights")
    assert len(loaded) == 1 and loaded[0].path.endswith("/weights/final") and loaded[0].optimizer
    assert stub.invalid == []


def test_sft_on_llama3_instruct_trains_on_the_response_tokens(start_tinker_stub, llama3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub()
    config = write_config(
        tmp_path, "sft_toy", method="sft", data="train.jsonl", base_model="meta-llama/Llama-3.1-8B-Instruct",
        tokenizer=llama3_tokenizer_dir, num_epochs=1, batch_size=64, validation_split=0.1, learning_rate=1e-4,
    )  # fmt: skip
    assert train(config, "--log-dir", str(tmp_path / "run")) == 0
    sent = stub.bodies("/api/v1/forward_backward")
    batches = [request.forward_backward_input for request in sent if isinstance(request, types.ForwardBackwardRequest)]
    assert len(batches) == 2 and len(sent) > 2  # the steps, and the validation losses (forward only)
    assert batches and {batch.loss_fn for batch in batches} == {"cross_entropy"}
    datum = batches[0].data[0]
    tokens = datum.model_input.to_ints()
    weights = datum.loss_fn_inputs["weights"].data
    assert tokens[:2] == [128000, 128006] and 128009 in tokens  # BOS, a header; the turn ends with <|eot_id|>
    trained = [target for target, weight in zip(datum.loss_fn_inputs["target_tokens"].data, weights) if weight]
    assert bytes(trained[:-1]).decode().endswith("!") and trained[-1] == 128009  # the response, then end of turn
    assert stub.invalid == []


def test_the_mcp_tools_train_on_the_service_and_their_errors_name_mcp_calls(start_tinker_stub, qwen3_tokenizer_dir, tmp_path):
    from rewardbox.runner.mcp.tools import Outputs
    from rewardbox.runner.mcp.training import Training
    from rewardbox.runner.training.grpo.errors import BackendError

    stub = start_tinker_stub()
    config = grpo_config(tmp_path, "not-a-tokenizer-folder")
    training = Training(Outputs(tmp_path / "out"))
    try:
        opened = training.train_open(config, tokenizer=qwen3_tokenizer_dir)
        assert (opened.backend, opened.base_model) == ("tinker", "Qwen/Qwen3-8B")
        assert training.train_grpo_step(1).next_step == 1
        saved = training.save("kept")
        assert saved.state_path.endswith("/weights/kept")
        assert training.sample(prompts=["abc>"], num_samples=2).completions == 2
        stub.fail("/api/v1/save_weights", status=400)  # a request the service refuses
        with pytest.raises(BackendError) as refused:
            training.save("again")
        assert "--resume" not in str(refused.value) and "train_open(config_path, resume=true)" in str(refused.value)
    finally:
        training.close()
    assert stub.invalid == []


def test_a_410_from_closing_after_a_good_run_is_a_warning_and_exit_0(start_tinker_stub, qwen3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub()
    stub.fail("/finish", status=410)
    assert train(grpo_config(tmp_path, qwen3_tokenizer_dir, steps=1), "--log-dir", str(tmp_path / "run")) == 0
    err = capsys.readouterr().err
    assert "done: step 1 of 1" in err and "warning: closing the tinker session failed" in err and "Traceback" not in err


def test_when_a_step_fails_its_error_wins_over_the_close_and_the_log_is_closed(start_tinker_stub, qwen3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub(sampler=half_copied(151645))
    stub.fail("/api/v1/forward_backward", status=400, body={"detail": "datum 0 is malformed"})
    stub.fail("/finish", status=410)
    assert train(grpo_config(tmp_path, qwen3_tokenizer_dir), "--log-dir", str(tmp_path / "run")) == 1
    err = capsys.readouterr().err
    assert "stopped at step 0: forward_backward failed" in err and "Traceback" not in err
    assert "warning: closing the tinker session failed" in err  # said after the cause, never instead of it
    debug = (tmp_path / "run" / "training_debug.log").read_text()
    assert "forward_backward failed" in debug and "closing the tinker session failed" in debug


def test_a_tokenizer_that_cannot_load_stops_before_any_model_exists(start_tinker_stub, tmp_path, capsys):
    stub = start_tinker_stub()
    with pytest.raises(SystemExit) as exit_:
        train(grpo_config(tmp_path, str(tmp_path / "no-such-tokenizer")), "--log-dir", str(tmp_path / "run"))
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "could not load the config's tokenizer" in err and "No model was created" in err and "Traceback" not in err
    assert stub.bodies("/api/v1/create_model") == []


def test_a_model_the_service_does_not_offer_or_a_prompt_past_its_context_exits_2(start_tinker_stub, qwen3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub(supported_models=[("Qwen/Qwen3-8B", 12)])
    with pytest.raises(SystemExit) as exit_:
        train(grpo_config(tmp_path, qwen3_tokenizer_dir, base_model="Qwen/Qwen3-9B"), "--log-dir", str(tmp_path / "a"))
    assert exit_.value.code == 2 and "base_model = 'Qwen/Qwen3-9B' is not offered" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        train(grpo_config(tmp_path, qwen3_tokenizer_dir), "--log-dir", str(tmp_path / "b"))
    assert exit_.value.code == 2 and "context length of 12 tokens" in capsys.readouterr().err
    assert stub.bodies("/api/v1/create_model") == []


def test_an_unreachable_service_fails_within_request_timeout(qwen3_tokenizer_dir, tmp_path):
    # In a process of its own: the SDK keeps retrying in a thread for 5 minutes, holding a lock of its client cache.
    config = grpo_config(tmp_path, qwen3_tokenizer_dir, request_timeout=3)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "rewardbox.runner.cli", "train", config, "--log-dir", str(tmp_path / "run")],
        env={**os.environ, **closed_port_env()}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1 and time.monotonic() - started < 30  # not the SDK's 5 minutes of retries
    assert "did not finish within 3 s (request_timeout): is the service reachable?" in done.stderr and "Traceback" not in done.stderr


def test_a_step_that_times_out_cancels_its_other_sampling_requests(start_tinker_stub, qwen3_tokenizer_dir, tmp_path, capsys):
    stub = start_tinker_stub()
    stub.hang("/api/v1/retrieve_future", request_type="Sample")
    assert train(grpo_config(tmp_path, qwen3_tokenizer_dir, request_timeout=3), "--log-dir", str(tmp_path / "run")) == 1
    assert "sampling request for prompt 0" in capsys.readouterr().err
    deadline = time.monotonic() + 10
    while len(stub.cancelled) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(stub.cancelled) == 2  # both groups' requests: the service stops sampling them
