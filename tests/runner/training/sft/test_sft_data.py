"""SFT examples into datums: prompt tokens weighted 0, response tokens 1, long examples cut and counted."""

from __future__ import annotations

import pytest
from sft_helpers import tiny_config

from rewardbox.runner.training.grpo import DataError
from rewardbox.runner.training.grpo.tokenizer import CharTokenizer, PlainRenderer
from rewardbox.runner.training.sft import Example
from rewardbox.runner.training.sft.datums import mean_loss, supervised_datum

CHAT = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi>"}]


def test_chat_prompts_are_weighted_zero_and_the_response_and_its_eos_one():
    tokenizer = CharTokenizer.for_texts(["be brief\nhi>", "hello"])
    renderer = PlainRenderer(tokenizer)
    example = Example(id="x", prompt=CHAT, response="hello")
    model_input, weights = renderer.build_supervised_example(example.messages())
    prompt = renderer.build_generation_prompt(CHAT).to_ints()
    assert model_input.to_ints() == [*prompt, *tokenizer.encode("hello"), tokenizer.eos_token_id]
    made = supervised_datum(model_input.to_ints(), weights, max_length=100)
    inputs = made.datum.loss_fn_inputs
    assert made.datum.model_input.to_ints() == model_input.to_ints()[:-1]
    assert inputs["target_tokens"].tolist() == model_input.to_ints()[1:]
    assert inputs["weights"].tolist() == [0.0] * (len(prompt) - 1) + [1.0] * 6  # "hello" and EOS
    assert (made.truncated, made.num_tokens, made.trained_tokens) == (False, len(prompt) + 6, 6)


def test_the_trainer_masks_every_prompt_token_of_chat_examples(trainers):
    examples = [Example(id=f"c{i}", prompt=[*CHAT[:1], {"role": "user", "content": f"q{i}>"}], response=f"a{i}") for i in range(6)]
    trainer = trainers(tiny_config(validation_split=0.0), examples=examples)
    prompt_lengths = {len(trainer.renderer.build_generation_prompt(e.messages()[:-1]).to_ints()) for e in examples}
    assert prompt_lengths == {len("be brief\nq0>")}
    for datum in trainer.train_datums:
        weights = datum.loss_fn_inputs["weights"].tolist()
        assert weights == [0.0] * (len("be brief\nq0>") - 1) + [1.0] * 3  # "a<i>" and EOS


def test_long_examples_are_cut_counted_and_named_never_silently(trainers):
    examples = [
        Example(id="fits", prompt="ab>", response="AB"),  # 3 + 2 + EOS = 6 tokens
        Example(id="cut", prompt="abcdefg>", response="ABCDEFG"),  # 16 tokens: 2 response tokens survive
        Example(id="lost", prompt="abcdefghij>", response="Z"),  # 13 tokens: the prompt alone fills max_length
    ]
    trainer = trainers(tiny_config(validation_split=0.0, max_length=10), examples=examples)
    data = trainer.data_report
    assert (data.truncated, data.truncated_ids, data.untrainable, data.untrainable_ids) == (2, ["cut", "lost"], 1, ["lost"])
    assert (data.num_examples, data.num_train, data.longest_tokens) == (3, 2, 16)
    assert "2 longer than max_length 10 were cut at the end (cut, lost)" in data.summary()
    assert "1 kept no response token within max_length and were left out (lost)" in data.summary()
    assert sorted(d.loss_fn_inputs["weights"].to_numpy().sum() for d in trainer.train_datums) == [2.0, 3.0]
    assert all(d.model_input.length <= 9 for d in trainer.train_datums)
    with open(trainer.log.path("training_debug.log"), encoding="utf-8") as log:
        text = log.read()
    assert "WARNING data:" in text and '"truncated_ids":["cut","lost"]' in text
    assert trainer.train_sft_step(num_epochs=1).data == data


def test_a_set_with_nothing_left_to_learn_is_refused(trainers):
    with pytest.raises(DataError, match="no training example keeps a response token within max_length 4"):
        trainers(tiny_config(validation_split=0.0, max_length=4), examples=[Example(id="a", prompt="abcd>", response="X")])


def test_supervised_datum_and_mean_loss_edge_cases():
    assert supervised_datum([1, 2, 3], [0, 0, 0], max_length=10).datum is None
    assert supervised_datum([1, 2, 3], [1, 1, 1], max_length=1).datum is None  # one token predicts nothing
    with pytest.raises(ValueError, match="3 tokens but 2 weights"):
        supervised_datum([1, 2, 3], [0, 1], max_length=10)
    with pytest.raises(ValueError, match="no weighted tokens"):
        import numpy as np

        mean_loss([np.array([-1.0])], [np.array([0.0])])


def test_offline_forward_scores_like_forward_backward_without_touching_the_gradient(tmp_path):
    from tinker import types

    from rewardbox.runner.training.grpo import offline_backend

    example = Example(id="x", prompt="ab>", response="BA")
    backend = offline_backend([example], str(tmp_path))
    try:
        client = backend.service_client.create_lora_training_client("m").result()
        renderer, _ = backend.make_renderer()
        model_input, weights = renderer.build_supervised_example(example.messages())
        datum = supervised_datum(model_input.to_ints(), weights, max_length=50).datum
        evaluated = client.forward([datum], "cross_entropy").result()
        assert not client._gradient.any()
        trained = client.forward_backward([datum], "cross_entropy").result()
        assert client._gradient.any()
        assert evaluated.loss_fn_outputs[0]["logprobs"].tolist() == trained.loss_fn_outputs[0]["logprobs"].tolist()
        assert evaluated.metrics["loss:sum"] == trained.metrics["loss:sum"] > 0
        assert isinstance(evaluated, types.ForwardBackwardOutput)
    finally:
        backend.close("success")
