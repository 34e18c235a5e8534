"""The offline backend behaves like the Tinker service where the loop can tell: real tinker types, futures,
sampling with logprobs/temperature/stops/seeds, snapshots, losses and their gradients, AdamW, state files,
request validation and poisoning."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import tinker
from tinker import types

from rewardbox.runner.training.grpo import protocols
from rewardbox.runner.training.grpo.advantages import build_datum
from rewardbox.runner.training.grpo.offline import OfflineSamplingClient, OfflineServiceClient, OfflineTrainingClient
from rewardbox.runner.training.grpo.offline_policy import (
    BIAS_ROW,
    OptimizerState,
    PolicyShape,
    accumulate_gradient,
    adamw_step,
    loss_and_gradient,
    target_logprobs,
)
from rewardbox.runner.training.grpo.tokenizer import CharTokenizer, PlainRenderer

TOKENIZER = CharTokenizer("abcd")  # ids: 0 EOS, 1 a, 2 b, 3 c, 4 d


@pytest.fixture
def service(tmp_path):
    with OfflineServiceClient(TOKENIZER, storage_dir=tmp_path, window=3) as service:
        yield service


@pytest.fixture
def trainer(service) -> OfflineTrainingClient:
    return service.create_lora_training_client("offline-test").result(timeout=5)


def params(**fields) -> types.SamplingParams:
    return types.SamplingParams(**{"max_tokens": 6, "seed": 1, **fields})


def sample(client: OfflineSamplingClient, prompt=(1, 2), num_samples=4, **fields) -> types.SampleResponse:
    return client.sample(
        prompt=types.ModelInput.from_ints(list(prompt)), num_samples=num_samples, sampling_params=params(**fields)
    ).result(timeout=5)


def snapshot(trainer: OfflineTrainingClient) -> OfflineSamplingClient:
    return trainer.save_weights_and_get_sampling_client().result(timeout=5)


# ---- the protocols: tinker's own classes satisfy them, and so do the offline ones ----------------


PROTOCOL_CLASSES = [
    (protocols.ServiceClient, tinker.ServiceClient, OfflineServiceClient),
    (protocols.TrainingClient, tinker.TrainingClient, OfflineTrainingClient),
    (protocols.SamplingClient, tinker.SamplingClient, OfflineSamplingClient),
]


@pytest.mark.parametrize(("protocol", "real", "offline"), PROTOCOL_CLASSES, ids=lambda c: getattr(c, "__name__", ""))
def test_tinker_and_offline_clients_take_the_protocol_arguments_by_the_same_names(protocol, real, offline):
    methods = [name for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")]
    assert methods
    for name in methods:
        wanted = list(inspect.signature(getattr(protocol, name)).parameters.values())[1:]
        for cls in (real, offline):
            have = inspect.signature(getattr(cls, name)).parameters
            for parameter in wanted:
                assert parameter.name in have, f"{cls.__name__}.{name} lacks {parameter.name}"
                assert have[parameter.name].default == parameter.default, (
                    f"{cls.__name__}.{name}({parameter.name}=) default differs"
                )
                assert have[parameter.name].kind == parameter.kind, f"{cls.__name__}.{name}({parameter.name}) kind differs"
            positional = [p.name for p in have.values() if p.kind is p.POSITIONAL_OR_KEYWORD and p.name != "self"]
            assert positional[: len(wanted)] == [p.name for p in wanted], (
                f"{cls.__name__}.{name} orders its arguments differently"
            )
        assert getattr(getattr(real, name), "__deprecated__", None) is None, f"tinker deprecates {real.__name__}.{name}"


def test_results_are_tinker_futures_of_tinker_types(service, trainer):
    future = trainer.save_weights_and_get_sampling_client()
    assert isinstance(future, tinker.APIFuture)
    response = sample(future.result(timeout=5))
    assert isinstance(response, types.SampleResponse)
    assert all(isinstance(sequence, types.SampledSequence) for sequence in response.sequences)


# ---- sampling -----------------------------------------------------------------------------------------


def test_sampled_logprobs_are_what_the_learner_computes_for_the_same_tokens(trainer):
    trainer.weights[:] = np.random.default_rng(0).normal(size=trainer.weights.shape)
    response = sample(snapshot(trainer), num_samples=8)
    data = [build_datum([1, 2], s.tokens, s.logprobs, 1.0) for s in response.sequences]
    output = trainer.forward_backward(data, "importance_sampling").result(timeout=5)
    for sequence, out in zip(response.sequences, output.loss_fn_outputs):
        assert out["logprobs"].to_numpy()[1:] == pytest.approx(sequence.logprobs, abs=1e-5)


def test_default_stop_is_eos_and_the_stop_token_is_included(trainer):
    trainer.weights[BIAS_ROW, 0] = 20.0  # EOS almost surely
    response = sample(snapshot(trainer))
    assert all(s.tokens == [0] and s.stop_reason == "stop" for s in response.sequences)


def test_empty_stop_list_disables_eos(trainer):
    trainer.weights[BIAS_ROW, 0] = 20.0
    response = sample(snapshot(trainer), stop=[])
    assert all(len(s.tokens) == 6 and s.stop_reason == "length" for s in response.sequences)


def test_stop_token_ids_and_stop_strings(trainer):
    trainer.weights[BIAS_ROW, 3] = 20.0  # always "c"
    by_id = sample(snapshot(trainer), stop=[3])
    assert all(s.tokens == [3] and s.stop_reason == "stop" for s in by_id.sequences)
    trainer.weights[BIAS_ROW, 3] = 0.0
    trainer.weights[2 + 0 * 5 + 3, 4] = 20.0  # after "c" comes "d"
    trainer.weights[2 + 0 * 5 + 4, 3] = 20.0  # after "d" comes "c"
    by_text = sample(snapshot(trainer), prompt=[1, 3], stop="cdc", max_tokens=6)
    assert all(TOKENIZER.decode(s.tokens) == "dcdc" and s.stop_reason == "stop" for s in by_text.sequences)


def test_seeds_repeat_samples_and_different_seeds_differ(trainer):
    client = snapshot(trainer)
    first, again, other = (sample(client, num_samples=8, seed=seed) for seed in (7, 7, 8))
    assert [s.tokens for s in first.sequences] == [s.tokens for s in again.sequences]
    assert [s.tokens for s in first.sequences] != [s.tokens for s in other.sequences]


def test_temperature_zero_is_greedy_and_temperature_reshapes_the_logprobs(trainer):
    trainer.weights[BIAS_ROW] = [0.0, 1.0, 2.0, 0.5, 0.0]
    greedy = sample(snapshot(trainer), temperature=0.0, stop=[], max_tokens=3)
    assert all(s.tokens == [2, 2, 2] and s.logprobs == [0.0, 0.0, 0.0] for s in greedy.sequences)
    hot = sample(snapshot(trainer), temperature=2.0, stop=[], max_tokens=1, num_samples=16)
    expected = trainer.weights[BIAS_ROW] / 2.0
    expected = expected - np.log(np.exp(expected).sum())
    assert all(s.logprobs[0] == pytest.approx(expected[s.tokens[0]]) for s in hot.sequences)


def test_a_sampling_client_is_a_snapshot(trainer):
    before = snapshot(trainer)
    old = sample(before, num_samples=8)
    data = [build_datum([1, 2], s.tokens, s.logprobs, a) for s, a in zip(old.sequences, [1.0, -1.0] * 4)]
    trainer.forward_backward(data, "importance_sampling")
    trainer.optim_step(types.AdamParams(learning_rate=0.5)).result(timeout=5)
    assert [s.logprobs for s in sample(before, num_samples=8).sequences] == [s.logprobs for s in old.sequences]
    assert [s.logprobs for s in sample(snapshot(trainer), num_samples=8).sequences] != [s.logprobs for s in old.sequences]


def test_unsupported_sampling_requests_fail_like_service_requests(trainer):
    client = snapshot(trainer)
    with pytest.raises(tinker.RequestFailedError, match="max_tokens=None"):
        client.sample(prompt=types.ModelInput.from_ints([1]), num_samples=1, sampling_params=types.SamplingParams()).result(
            timeout=5
        )
    with pytest.raises(tinker.RequestFailedError, match="the prompt is empty"):
        sample(client, prompt=[])
    with pytest.raises(tinker.RequestFailedError, match=r"token ids outside \[0, 5\)"):
        sample(client, prompt=[9])


# ---- losses, gradients, AdamW ---------------------------------------------------------------------------


def _numeric_gradient(loss, weights, rows, eps=1e-6):
    gradient = {}
    for row, column in rows:
        saved = weights[row, column]
        weights[row, column] = saved + eps
        up = loss()
        weights[row, column] = saved - eps
        down = loss()
        weights[row, column] = saved
        gradient[row, column] = (up - down) / (2 * eps)
    return gradient


@pytest.mark.parametrize(
    ("loss_fn", "config", "sampler_shift"),
    [
        ("importance_sampling", {}, 0.0),
        ("importance_sampling", {}, 0.7),
        ("ppo", {}, 0.05),  # ratios inside the clip range
        ("ppo", {}, 0.9),  # ratios clipped for some tokens
        ("ppo", {"clip_low_threshold": 0.95, "clip_high_threshold": 1.05}, 0.3),
        ("cross_entropy", {}, 0.0),
    ],
)
def test_loss_gradients_match_finite_differences(loss_fn, config, sampler_shift):
    shape = PolicyShape(vocab_size=5, window=3)
    rng = np.random.default_rng(3)
    weights = rng.normal(size=(shape.num_rows, 5))
    inputs_tokens = np.array([1, 2, 3, 4, 2])
    targets = np.array([2, 3, 4, 2, 0])
    base, _, _ = target_logprobs(weights, shape, inputs_tokens, targets)
    inputs = {
        "target_tokens": targets,
        "logprobs": base + sampler_shift * rng.normal(size=5),
        "advantages": np.array([0.0, 0.0, 1.5, -0.5, 2.0]),
        "weights": np.array([0.0, 1.0, 1.0, 1.0, 0.5]),
    }

    def loss() -> float:
        logprobs, _, _ = target_logprobs(weights, shape, inputs_tokens, targets)
        return loss_and_gradient(loss_fn, logprobs, inputs, config)[0]

    logprobs, rows, probabilities = target_logprobs(weights, shape, inputs_tokens, targets)
    _, dloss = loss_and_gradient(loss_fn, logprobs, inputs, config)
    analytic = np.zeros_like(weights)
    accumulate_gradient(analytic, rows, probabilities, targets, dloss)
    checked = [(int(r), c) for r in np.unique(rows) if r != 0 for c in range(5)][:40]
    numeric = _numeric_gradient(loss, weights, checked)
    for (row, column), value in numeric.items():
        assert analytic[row, column] == pytest.approx(value, abs=1e-5), (row, column)
    assert np.abs(analytic).sum() > 0


def test_ppo_gives_no_gradient_where_the_ratio_is_clipped_against_the_advantage():
    logprobs = np.log(np.array([1.5, 0.5, 1.0]))  # ratios against sampler logprobs 0: 1.5, 0.5, 1.0
    inputs = {"logprobs": np.zeros(3), "advantages": np.array([1.0, -1.0, 1.0])}
    loss, dloss = loss_and_gradient("ppo", logprobs, inputs, {})
    assert loss == pytest.approx(-(1.2 - 0.8 + 1.0))
    assert dloss.tolist() == [0.0, 0.0, -1.0]


def test_adamw_matches_the_torch_algorithm_with_decoupled_weight_decay():
    weights, gradient = np.array([1.0]), np.array([0.5])
    state = OptimizerState.zeros((1,))
    params = types.AdamParams(learning_rate=0.1, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1)
    adamw_step(weights, gradient, state, params)
    assert weights[0] == pytest.approx(0.99 - 0.1)  # decay 1 - lr*wd, then lr * m_hat / sqrt(v_hat) = 0.1
    assert (state.exp_avg[0], state.exp_avg_sq[0], state.step) == (pytest.approx(0.05), pytest.approx(0.0125), 1)
    adamw_step(weights, gradient, state, params)
    assert weights[0] == pytest.approx(0.89 * 0.99 - 0.1)
    assert (state.exp_avg[0], state.exp_avg_sq[0], state.step) == (pytest.approx(0.095), pytest.approx(0.024375), 2)


def test_adamw_clips_the_global_gradient_norm():
    state = OptimizerState.zeros((2,))
    norm = adamw_step(np.zeros(2), np.array([3.0, 4.0]), state, types.AdamParams(learning_rate=0.1, grad_clip_norm=1.0))
    assert norm == 5.0
    assert state.exp_avg == pytest.approx([0.1 * 0.6, 0.1 * 0.8])


# ---- state files, poisoning, validation ------------------------------------------------------------------


def _train_once(trainer: OfflineTrainingClient, learning_rate=0.3) -> None:
    old = sample(snapshot(trainer), num_samples=4)
    data = [build_datum([1, 2], s.tokens, s.logprobs, a) for s, a in zip(old.sequences, [1.0, -1.0, 0.5, -0.5])]
    trainer.forward_backward(data, "importance_sampling")
    trainer.optim_step(types.AdamParams(learning_rate=learning_rate)).result(timeout=5)


def test_saved_state_loads_weights_and_optimizer_and_continues_identically(service, trainer):
    _train_once(trainer)
    path = trainer.save_state("after-one").result(timeout=5).path
    assert path.startswith("tinker://offline-") and path.endswith("/weights/after-one")
    loaded = service.create_training_client_from_state_with_optimizer(path).result(timeout=5)
    assert np.array_equal(loaded.weights, trainer.weights)
    assert np.array_equal(loaded.optimizer.exp_avg, trainer.optimizer.exp_avg)
    assert np.array_equal(loaded.optimizer.exp_avg_sq, trainer.optimizer.exp_avg_sq)
    assert loaded.optimizer.step == trainer.optimizer.step == 1
    _train_once(trainer)
    _train_once(loaded)
    assert np.array_equal(loaded.weights, trainer.weights)


def test_loading_a_missing_or_foreign_checkpoint_fails_with_the_path(service, tmp_path):
    with pytest.raises(tinker.RequestFailedError, match="no checkpoint at tinker://offline-x/weights/nope"):
        service.create_training_client_from_state_with_optimizer("tinker://offline-x/weights/nope").result(timeout=5)
    with pytest.raises(tinker.RequestFailedError, match="not a tinker:// checkpoint path"):
        service.create_training_client_from_state_with_optimizer("/tmp/state.npz").result(timeout=5)
    other = OfflineServiceClient(CharTokenizer("ab"), storage_dir=tmp_path, window=3)
    try:
        path = other.create_lora_training_client("x").result().save_state("small").result(timeout=5).path
        with pytest.raises(tinker.RequestFailedError, match="another vocabulary or window"):
            service.create_training_client_from_state_with_optimizer(path).result(timeout=5)
    finally:
        other.close()


GOOD = build_datum([1, 2], [3, 0], [-1.0, -1.0], 1.0)


def _datum(**inputs) -> types.Datum:
    values = {key: value.to_numpy() for key, value in GOOD.loss_fn_inputs.items()}
    values.update(inputs)
    return types.Datum(model_input=GOOD.model_input, loss_fn_inputs={k: v for k, v in values.items() if v is not None})


@pytest.mark.parametrize(
    ("data", "loss_fn", "message"),
    [
        (
            [_datum(advantages=None)],
            "importance_sampling",
            r"data\[0\]: loss_fn_inputs lacks 'advantages', which importance_sampling needs",
        ),
        (
            [GOOD, _datum(mask=np.ones(3, np.float32))],
            "importance_sampling",
            r"data\[1\]: loss_fn_inputs has 'mask', which importance_sampling does not take",
        ),
        (
            [_datum(logprobs=np.zeros(4, np.float32))],
            "ppo",
            r"loss_fn_inputs\['logprobs'\] has shape \[4\], expected \[3\] \(model_input.length\)",
        ),
        ([_datum(target_tokens=np.array([2, 3, 9]))], "importance_sampling", r"token ids outside \[0, 5\)"),
        ([_datum(advantages=np.array([0, 0, np.nan], np.float32))], "importance_sampling", "NaN or infinite"),
        ([GOOD], "cross_entropy", "lacks 'weights'"),
        ([GOOD], "cispo", "loss_fn 'cispo' is not supported by the offline backend"),
    ],
)
def test_malformed_requests_fail_naming_the_datum_and_field(trainer, data, loss_fn, message):
    with pytest.raises(tinker.RequestFailedError, match=message) as failure:
        trainer.forward_backward(data, loss_fn).result(timeout=5)
    assert failure.value.category == "user"


def test_target_tokens_must_be_int64(trainer):
    datum = types.Datum(
        model_input=GOOD.model_input,
        loss_fn_inputs={**GOOD.loss_fn_inputs, "target_tokens": types.TensorData(data=[2.0, 3.0, 0.0], dtype="float32")},
    )
    with pytest.raises(tinker.RequestFailedError, match="dtype float32, expected int64"):
        trainer.forward_backward([datum], "importance_sampling").result(timeout=5)


def test_unknown_loss_config_keys_and_empty_data(trainer):
    with pytest.raises(tinker.RequestFailedError, match="loss_fn_config key 'beta' is not used by ppo"):
        trainer.forward_backward([GOOD], "ppo", {"beta": 0.1}).result(timeout=5)
    with pytest.raises(ValueError, match="No data provided"):
        trainer.forward_backward([], "importance_sampling")


def test_a_failed_request_fails_alone_as_with_the_sdk(trainer):
    """tinker's TrainingClient is poisoned only when forward_backward_custom fails; a plain request's failure is its own."""
    assert callable(getattr(tinker.TrainingClient, "_fail_custom_requests", None))  # the SDK's only poisoning path
    failing = trainer.forward_backward([_datum(advantages=None)], "importance_sampling")
    after = trainer.optim_step(types.AdamParams())
    with pytest.raises(tinker.RequestFailedError):
        failing.result(timeout=5)
    assert isinstance(after.result(timeout=5), types.OptimStepResponse)


def test_optim_step_needs_its_parameters_as_the_sdk_does(trainer):
    for call in (lambda: tinker.TrainingClient.optim_step(object()), trainer.optim_step):  # the SDK checks before using self
        with pytest.raises(TypeError, match="Expected AdamParams or OptimParamsBase"):
            call()
    with pytest.raises(ValueError, match="not both"):
        trainer.optim_step(types.AdamParams(), adam_params=types.AdamParams())
    assert isinstance(trainer.optim_step(adam_params=types.AdamParams()).result(timeout=5), types.OptimStepResponse)


def test_save_state_keeps_a_name_and_a_ttl_as_the_sdk_does(trainer):
    sdk = inspect.signature(tinker.TrainingClient.save_state).parameters
    ours = inspect.signature(trainer.save_state).parameters
    assert [(name, p.default) for name, p in sdk.items() if name != "self"] == [(name, p.default) for name, p in ours.items()]
    first = trainer.save_state("best", ttl_seconds=3600).result(timeout=5)
    with pytest.raises(tinker.RequestFailedError, match="a checkpoint named 'best' exists"):
        trainer.save_state("best").result(timeout=5)
    assert trainer.save_state("best", overwrite=True).result(timeout=5).path == first.path
    with pytest.raises(tinker.RequestFailedError, match="ttl_seconds = 60"):
        trainer.save_state("brief", ttl_seconds=60).result(timeout=5)


def test_plain_renderer_round_trips_prompts_and_responses():
    tokenizer = CharTokenizer("abcd\n")
    renderer = PlainRenderer(tokenizer)
    prompt = renderer.build_generation_prompt(
        [{"role": "system", "content": "ab"}, {"role": "user", "content": [{"type": "text", "text": "cd"}]}]
    )
    assert prompt.to_ints() == tokenizer.encode("ab\ncd") == [1, 2, 5, 3, 4]
    with pytest.raises(ValueError, match="characters 'xyz' are not in this tokenizer's alphabet"):
        renderer.build_generation_prompt([{"role": "user", "content": "zyx"}])
    assert renderer.parse_response([1, 2, 0]) == ({"role": "assistant", "content": "ab"}, True)
    assert renderer.parse_response([1, 2]) == ({"role": "assistant", "content": "ab"}, False)
    assert renderer.get_stop_sequences() == [0]
