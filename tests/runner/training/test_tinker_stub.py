"""The loopback Tinker stub answers the real ``tinker`` SDK (no rewardbox code involved)."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlparse

import httpx
import numpy as np
import pytest
import tinker
from tinker import types
from stub_tokenizers import LLAMA3_SPECIAL_TOKENS, QWEN3_SPECIAL_TOKENS, QWEN3_THINK_TOKENS
from tinker_stub import API_KEY, closed_port_env, fake_logprobs

BASE_MODEL = "Qwen/Qwen3-8B"
TIMEOUT = 20


@pytest.fixture
def service(start_tinker_stub):
    """``service(**stub_options)`` -> (stub, ServiceClient); the client is closed at teardown."""
    clients: list[tinker.ServiceClient] = []

    def open_(**options):
        stub = start_tinker_stub(**options)
        clients.append(tinker.ServiceClient())
        return stub, clients[-1]

    yield open_
    for client in clients:
        client.close("success").result(timeout=TIMEOUT)


def datum(tokens: list[int], **loss_fn_inputs) -> types.Datum:
    return types.Datum(model_input=types.ModelInput.from_ints(tokens), loss_fn_inputs=loss_fn_inputs)


def test_a_lora_model_trains_with_each_loss_and_the_stub_records_what_was_sent(service):
    stub, client = service()
    trainer = client.create_lora_training_client(BASE_MODEL, rank=8, seed=3).result(timeout=TIMEOUT)
    info = trainer.get_info()
    assert (info.model_name, info.lora_rank, info.is_lora) == (BASE_MODEL, 8, True)

    targets = [11, 12, 13, 14]
    old = [-1.0, -2.0, -1.5, -0.5]
    batches = {
        "cross_entropy": [datum([10, 11, 12, 13], target_tokens=targets, weights=[0.0, 1.0, 1.0, 1.0])],
        "importance_sampling": [datum([10, 11, 12, 13], target_tokens=targets, logprobs=old, advantages=[0.0, 1.0, 1.0, 1.0])] * 2,
        "ppo": [datum([10, 11, 12, 13], target_tokens=targets, logprobs=old, advantages=[0.0, -1.0, -1.0, -1.0])],
    }
    for loss_fn, data in batches.items():
        config = {"clip_low_threshold": 0.9, "clip_high_threshold": 1.1} if loss_fn == "ppo" else None
        pending = trainer.forward_backward(data, loss_fn, config)
        step = trainer.optim_step(types.AdamParams(learning_rate=1e-5, weight_decay=0.1))
        result = pending.result(timeout=TIMEOUT)
        step.result(timeout=TIMEOUT)
        assert len(result.loss_fn_outputs) == len(data)
        version = stub.models[trainer.model_id].version - 1  # the weights before this step
        for output in result.loss_fn_outputs:
            np.testing.assert_array_equal(output["logprobs"].to_numpy(), fake_logprobs(targets, version))
        assert np.isfinite(result.metrics["loss:sum"])

    sent = stub.bodies("/api/v1/forward_backward")
    assert [request.forward_backward_input.loss_fn for request in sent] == list(batches)
    assert sent[2].forward_backward_input.loss_fn_config == {"clip_low_threshold": 0.9, "clip_high_threshold": 1.1}
    assert sent[1].forward_backward_input.data[0].loss_fn_inputs["advantages"].data == [0.0, 1.0, 1.0, 1.0]
    assert sent[0].forward_backward_input.data[0].model_input.to_ints() == [10, 11, 12, 13]
    assert [step.optim_params.weight_decay for step in stub.bodies("/api/v1/optim_step")] == [0.1] * 3
    assert stub.models[trainer.model_id].optimizer_steps == 3
    assert stub.bodies("/api/v1/create_model")[0].lora_config.seed == 3
    assert stub.invalid == []


def test_save_state_clashes_without_overwrite_and_resuming_restores_weights_and_optimizer(service):
    stub, client = service()
    trainer = client.create_lora_training_client(BASE_MODEL, rank=4).result(timeout=TIMEOUT)
    example = [datum([1, 2, 3], target_tokens=[2, 3, 4], weights=[1.0, 1.0, 1.0])]
    for _ in range(2):
        trainer.forward_backward(example, "cross_entropy")
        trainer.optim_step(types.AdamParams(learning_rate=1e-4))
    saved = trainer.save_state("step-2", ttl_seconds=7200).result(timeout=TIMEOUT)
    assert saved.path == f"tinker://{trainer.model_id}/weights/step-2"
    before = trainer.forward(example, "cross_entropy").result(timeout=TIMEOUT).loss_fn_outputs[0]["logprobs"].data

    with pytest.raises(tinker.RequestFailedError, match="already exists"):
        trainer.save_state("step-2").result(timeout=TIMEOUT)
    assert stub.invalid == [("/api/v1/save_weights", f"checkpoint {saved.path} already exists; pass overwrite=True to replace it")]
    stub.invalid.clear()
    trainer.save_state("step-2", overwrite=True).result(timeout=TIMEOUT)
    assert [(r.path, r.ttl_seconds, r.overwrite) for r in stub.bodies("/api/v1/save_weights")] == [
        ("step-2", 7200, False),
        ("step-2", None, False),
        ("step-2", None, True),
    ]
    assert isinstance(stub.bodies("/api/v1/forward_backward")[-1], types.ForwardRequest)

    resumed = client.create_training_client_from_state_with_optimizer(saved.path).result(timeout=TIMEOUT)
    model = stub.models[resumed.model_id]
    assert (model.version, model.optimizer_steps, model.loaded_from, model.lora_rank) == (2, 2, saved.path, 4)
    assert resumed.get_info().model_name == BASE_MODEL
    after = resumed.forward(example, "cross_entropy").result(timeout=TIMEOUT).loss_fn_outputs[0]["logprobs"].data
    assert after == before

    trainer.optim_step(types.AdamParams()).result(timeout=TIMEOUT)
    with pytest.warns(FutureWarning, match="deprecated"):
        reloading = trainer.load_state_with_optimizer(saved.path)
    reloading.result(timeout=TIMEOUT)
    assert (stub.models[trainer.model_id].version, stub.models[trainer.model_id].optimizer_steps) == (2, 2)

    weights_only = client.create_training_client_from_state(saved.path).result(timeout=TIMEOUT)
    assert (stub.models[weights_only.model_id].version, stub.models[weights_only.model_id].optimizer_steps) == (2, 0)
    with pytest.raises(tinker.RequestFailedError, match="no saved state"):
        client.create_training_client_from_state_with_optimizer("tinker://nowhere/weights/none").result(timeout=TIMEOUT)
    assert [path for path, _ in stub.invalid] == ["/api/v1/load_weights"]


def test_sampling_ends_with_the_stop_token_or_eos_and_sends_no_seed_unless_set(service):
    stub, client = service(eos_token_id=151645, completion_tokens=[7, 8, 9])
    trainer = client.create_lora_training_client(BASE_MODEL, rank=4).result(timeout=TIMEOUT)
    trainer.optim_step(types.AdamParams()).result(timeout=TIMEOUT)
    path = trainer.save_weights_for_sampler("policy-1").result(timeout=TIMEOUT).path
    sampler = client.create_sampling_client(model_path=path).result(timeout=TIMEOUT)
    prompt = types.ModelInput.from_ints([1, 2, 3])

    stopped = sampler.sample(prompt, 3, types.SamplingParams(max_tokens=8, stop=[42, 43])).result(timeout=TIMEOUT)
    assert [(seq.tokens[-1], seq.stop_reason) for seq in stopped.sequences] == [(42, "stop")] * 3
    assert all(set(seq.tokens[:-1]) <= {7, 8, 9} for seq in stopped.sequences)
    np.testing.assert_array_equal(stopped.sequences[0].logprobs, fake_logprobs(stopped.sequences[0].tokens, version=1))
    for stop in (None, "\n\n", ["</answer>"]):
        result = sampler.sample(prompt, 2, types.SamplingParams(max_tokens=8, stop=stop)).result(timeout=TIMEOUT)
        assert [(seq.tokens[-1], seq.stop_reason) for seq in result.sequences] == [(151645, "stop")] * 2
    unbounded = sampler.sample(prompt, 1, types.SamplingParams(max_tokens=5, stop=[])).result(timeout=TIMEOUT)
    assert (len(unbounded.sequences[0].tokens), unbounded.sequences[0].stop_reason) == (5, "length")

    seeded = [sampler.sample(prompt, 4, types.SamplingParams(max_tokens=8, seed=5)).result(timeout=TIMEOUT) for _ in range(2)]
    assert [seq.tokens for seq in seeded[0].sequences] == [seq.tokens for seq in seeded[1].sequences]
    sent = stub.bodies("/api/v1/asample")
    assert [request.sampling_params.seed for request in sent] == [None] * 5 + [5, 5]
    assert [request.num_samples for request in sent] == [3, 2, 2, 2, 1, 4, 4]
    assert sent[0].sampling_params.stop == [42, 43] and sent[0].prompt.to_ints() == [1, 2, 3]
    assert stub.bodies("/api/v1/create_sampling_session")[0].model_path == path

    logprobs = sampler.compute_logprobs(types.ModelInput.from_ints([5, 6, 7])).result(timeout=TIMEOUT)
    assert logprobs[0] is None and logprobs[1:] == pytest.approx(fake_logprobs([6, 7], version=1).tolist())
    assert stub.invalid == []


def test_a_scripted_sampler_and_save_weights_and_get_sampling_client(service):
    def script(prompt_tokens, num_samples, params):
        return [[*prompt_tokens[-1:], index, 151645] for index in range(num_samples)]

    stub, client = service(sampler=script)
    trainer = client.create_lora_training_client("meta-llama/Llama-3.1-8B-Instruct", rank=4).result(timeout=TIMEOUT)
    sampler = trainer.save_weights_and_get_sampling_client().result(timeout=TIMEOUT)
    assert sampler.get_base_model() == "meta-llama/Llama-3.1-8B-Instruct"
    result = sampler.sample(types.ModelInput.from_ints([4, 5]), 2, types.SamplingParams(max_tokens=2)).result(timeout=TIMEOUT)
    assert [(seq.tokens, seq.stop_reason) for seq in result.sequences] == [([5, 0], "length"), ([5, 1], "length")]
    assert stub.invalid == []


def test_sampling_through_the_retrieve_futures_poller(service):
    stub, client = service(client_config={"sample_use_retrieve_futures": True})
    sampler = client.create_sampling_client(base_model=BASE_MODEL).result(timeout=TIMEOUT)
    futures = [sampler.sample(types.ModelInput.from_ints([1]), 1, types.SamplingParams(max_tokens=4)) for _ in range(3)]
    assert [len(future.result(timeout=TIMEOUT).sequences) for future in futures] == [1, 1, 1]
    assert stub.bodies("/api/v1/retrieve_futures") and stub.invalid == []


def test_server_capabilities_from_a_rest_client_under_two_stubs_in_turn(start_tinker_stub):
    for models in ([("Qwen/Qwen3-8B", 32768)], [("meta-llama/Llama-3.1-8B-Instruct", 131072)]):
        stub = start_tinker_stub(supported_models=models)
        capabilities = tinker.RestClient().get_server_capabilities().result(timeout=TIMEOUT)
        assert [(model.model_name, model.max_context_length) for model in capabilities.supported_models] == models
        stub.stop()  # a RestClient() under the next stub must not reuse this one's port


def test_an_injected_500_surfaces_as_the_sdk_error(service):
    stub, client = service()
    stub.fail("/api/v1/create_session", 500, headers={"retry-after-ms": "1"})  # the SDK retries it 10 times at once
    with pytest.raises(tinker.InternalServerError):
        client.create_lora_training_client(BASE_MODEL)
    assert stub.injected == [("/api/v1/create_session", 500)] * 11


def test_429s_on_sampling_are_retried(service):
    stub, client = service()
    sampler = client.create_sampling_client(base_model=BASE_MODEL).result(timeout=TIMEOUT)
    stub.fail("/api/v1/asample", 429, times=2)
    result = sampler.sample(types.ModelInput.from_ints([1]), 1, types.SamplingParams(max_tokens=4)).result(timeout=TIMEOUT)
    assert len(result.sequences) == 1
    assert stub.injected == [("/api/v1/asample", 429)] * 2 and len(stub.bodies("/api/v1/asample")) == 3


def test_delays_apply_as_many_times_as_asked_and_clear_faults_removes_failures(start_tinker_stub):
    stub = start_tinker_stub()
    rest = tinker.RestClient()
    stub.delay("/get_server_capabilities", 0.4, times=1)
    stub.fail("/get_server_capabilities", 404)
    started = time.monotonic()
    with pytest.raises(tinker.NotFoundError):
        rest.get_server_capabilities().result(timeout=TIMEOUT)
    assert time.monotonic() - started >= 0.4
    stub.clear_faults()
    started = time.monotonic()
    rest.get_server_capabilities().result(timeout=TIMEOUT)
    assert time.monotonic() - started < 0.4
    assert stub.injected == [("/api/v1/get_server_capabilities", 404)]


def test_a_410_from_finishing_the_session_after_a_successful_run(start_tinker_stub):
    stub = start_tinker_stub()
    client = tinker.ServiceClient()
    client.create_lora_training_client(BASE_MODEL, rank=4).result(timeout=TIMEOUT)
    stub.fail("/finish", 410, times=1)
    with pytest.raises(tinker.APIStatusError) as raised:
        client.close("success").result(timeout=TIMEOUT)
    assert raised.value.status_code == 410
    [session_id] = stub.sessions
    assert stub.sessions[session_id] == "active"
    assert stub.bodies(f"/api/v1/sessions/{session_id}/finish")[0].reason.type == "success"


def test_a_hanging_sample_is_cancelled_with_cancel_future(service):
    stub, client = service()
    sampler = client.create_sampling_client(base_model=BASE_MODEL).result(timeout=TIMEOUT)
    stub.hang("/api/v1/retrieve_future", request_type="Sample")
    future = sampler.sample(types.ModelInput.from_ints([1]), 1, types.SamplingParams(max_tokens=4))
    deadline = time.monotonic() + 5
    while not stub.bodies("/api/v1/retrieve_future") and time.monotonic() < deadline:
        time.sleep(0.02)
    future.future().cancel()
    while not stub.cancelled and time.monotonic() < deadline:
        time.sleep(0.02)
    [request_id] = stub.cancelled
    assert request_id == stub.bodies("/api/v1/retrieve_future")[0].request_id


def test_invalid_requests_are_refused_and_recorded(service):
    stub, client = service()
    with pytest.raises(tinker.BadRequestError, match="not supported"):
        client.create_lora_training_client("some/Unknown-Model").result(timeout=TIMEOUT)
    trainer = client.create_lora_training_client(BASE_MODEL, rank=4).result(timeout=TIMEOUT)
    wrong = [datum([1, 2, 3], target_tokens=[2, 3], logprobs=[0.0, 0.0], weights=[1.0, 1.0])]
    with pytest.raises(tinker.RequestFailedError) as raised:
        trainer.forward_backward(wrong, "importance_sampling").result(timeout=TIMEOUT)
    for problem in ("lacks 'advantages'", "has 'weights'", "shape [2], expected [3]"):
        assert problem in str(raised.value)

    [session_id] = stub.sessions
    heartbeat = types.SessionHeartbeatRequest(session_id=session_id).model_dump(mode="json")
    with httpx.Client(base_url=stub.base_url) as raw:
        assert raw.post("/api/v1/session_heartbeat", json=heartbeat, headers={"X-API-Key": API_KEY}).status_code == 200
        assert raw.post("/api/v1/session_heartbeat", json=heartbeat).status_code == 401
        assert raw.post("/api/v1/session_heartbeat", json={"session": session_id}, headers={"X-API-Key": API_KEY}).status_code == 400
        assert raw.get("/api/v1/training_runs", headers={"X-API-Key": API_KEY}).status_code == 404
    assert [(path, message.split(":")[0]) for path, message in stub.invalid] == [
        ("/api/v1/create_model", "base model 'some/Unknown-Model' is not supported (supported"),
        ("/api/v1/forward_backward", "data[0]"),
        ("/api/v1/session_heartbeat", "invalid API key"),
        ("/api/v1/session_heartbeat", "invalid request body"),
        ("/api/v1/training_runs", "TinkerStub does not answer GET /api/v1/training_runs"),
    ]


def test_closed_port_env_points_at_a_port_nothing_listens_on():
    env = closed_port_env()
    assert env["TINKER_API_KEY"] == API_KEY and env["TINKER_TELEMETRY"] == "0"
    url = urlparse(env["TINKER_BASE_URL"])
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect((url.hostname, url.port))


def test_the_stub_leaves_no_thread_behind(start_tinker_stub):
    before = set(threading.enumerate())
    stub = start_tinker_stub()
    stub.stop()
    assert not [thread for thread in threading.enumerate() if thread not in before and thread.name == "tinker-stub"]
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", stub.port))


@pytest.mark.parametrize(
    ("fixture", "tokens", "bos", "eos"),
    [
        ("qwen3_tokenizer_dir", {**QWEN3_SPECIAL_TOKENS, **QWEN3_THINK_TOKENS}, None, "<|im_end|>"),
        ("llama3_tokenizer_dir", LLAMA3_SPECIAL_TOKENS, "<|begin_of_text|>", "<|eot_id|>"),
    ],
)
def test_local_tokenizers_round_trip_text_and_keep_the_real_special_ids(request, fixture, tokens, bos, eos):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(request.getfixturevalue(fixture))
    text = "user\nWhat is 6 * 7?  Answer: 42.\t{'a': [1, 2]} ~!@#$%^&*()_+-=<>/\\|`\n\nassistant\n"
    ids = tokenizer.encode(text, add_special_tokens=False)
    assert tokenizer.decode(ids) == text and max(ids) < 256
    for token, token_id in tokens.items():
        assert tokenizer.convert_tokens_to_ids(token) == token_id
        assert tokenizer.encode(f"a{token}b", add_special_tokens=False) == [97, token_id, 98]
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.chat_template) == (bos, eos, None)
    assert tokenizer.encode("hi")[: 1 if bos else 0] == ([tokens[bos]] if bos else [])
