"""Renderers: the chat format each model family is given by default, its tokens, stops and parsing.

The tokenizers are local byte-level ones with the real special-token ids of Qwen3 and Llama 3
(``tinker_stub``), so the expected token ids here are the ones the real models see.
"""

from __future__ import annotations

import importlib.util
import os

import pytest
from transformers import AutoTokenizer

from rewardbox.runner.training.configs import load_config
from rewardbox.runner.training.grpo.errors import ConfigError
from rewardbox.runner.training.grpo.renderers import LLAMA3_TOKENIZER, open_renderer, recommended_name, tokenizer_name
from rewardbox.runner.training.grpo.tokenizer import CharTokenizer, PlainRenderer

COOKBOOK = importlib.util.find_spec("tinker_cookbook") is not None
pytestmark = pytest.mark.skipif(COOKBOOK, reason="tinker-cookbook is installed: its renderers are used instead of rewardbox's")

QUESTION = [{"role": "user", "content": "What is 2+2?"}]


@pytest.fixture(autouse=True)
def no_tml(monkeypatch):
    monkeypatch.setenv("REWARDBOX_NO_TML", "1")  # rewardbox's own renderers, whether or not tml-renderers is installed


def bytes_of(text: str) -> list[int]:
    return list(text.encode())  # the test tokenizers give each byte its own id


@pytest.mark.parametrize(
    ("model", "renderer"),
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama3"),
        ("meta-llama/Llama-3.2-1B", "role_colon"),
        ("meta-llama/Llama-3.1-70B", "role_colon"),
        ("Qwen/Qwen3-8B", "qwen3"),
        ("Qwen/Qwen3-30B-A3B", "qwen3"),
        ("Qwen/Qwen3-4B-Instruct-2507", "qwen3_instruct"),
        ("Qwen/Qwen3-8B-Base", "role_colon"),
        ("Qwen/Qwen3-VL-30B-A3B-Instruct", "chat_template"),
        ("deepseek-ai/DeepSeek-V3.1", "chat_template"),
        ("openai/gpt-oss-20b", "chat_template"),
        ("someone/unknown-model", None),
    ],
)
def test_each_family_gets_its_chat_format(model, renderer):
    assert recommended_name(model)[0] == renderer


def test_the_tokenizer_is_the_one_the_sdk_loads():
    assert tokenizer_name("meta-llama/Llama-3.2-1B") == tokenizer_name("meta-llama/Llama-3.1-8B-Instruct") == LLAMA3_TOKENIZER
    assert tokenizer_name("Qwen/Qwen3-8B:peft:131072") == "Qwen/Qwen3-8B"
    assert tokenizer_name("org/model/variant") == "org/model"


def test_a_llama3_instruct_prompt_has_bos_headers_and_stops_at_eot(llama3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(llama3_tokenizer_dir)
    renderer, choice = open_renderer("auto", "meta-llama/Llama-3.1-8B-Instruct", lambda: tokenizer)
    assert (choice.name, choice.implementation) == ("llama3", "rewardbox")
    tokens = renderer.build_generation_prompt(QUESTION).to_ints()
    assert tokens == [128000, 128006, *bytes_of("user"), 128007, *bytes_of("\n\nWhat is 2+2?"), 128009, 128006, *bytes_of("assistant"), 128007, *bytes_of("\n\n")]
    assert renderer.get_stop_sequences() == [128009]
    message, stopped = renderer.parse_response([*bytes_of("It is 4."), 128009])
    assert (message["content"], stopped) == ("It is 4.", True)
    assert renderer.parse_response(bytes_of("It is"))[1] is False  # ran to max_tokens
    model_input, weights = renderer.build_supervised_example([*QUESTION, {"role": "assistant", "content": "4"}])
    assert model_input.to_ints() == [*tokens, *bytes_of("4"), 128009]
    assert weights == [0.0] * len(tokens) + [1.0, 1.0]


def test_a_llama3_base_model_gets_role_colon_with_bos_and_a_text_stop(llama3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(llama3_tokenizer_dir)
    renderer, choice = open_renderer("auto", "meta-llama/Llama-3.2-1B", lambda: tokenizer)
    assert choice.name == "role_colon"
    tokens = renderer.build_generation_prompt(QUESTION).to_ints()
    assert tokens == [128000, *bytes_of("User: What is 2+2?\n\nAssistant:")]
    assert renderer.get_stop_sequences() == ["\n\nUser:"]
    assert renderer.parse_response(bytes_of(" 4\n\nUser:")) == ({"role": "assistant", "content": "4"}, True)
    assert renderer.parse_response([*bytes_of(" 4"), 128009]) == ({"role": "assistant", "content": "4"}, True)  # EOS ends it too
    model_input, weights = renderer.build_supervised_example([*QUESTION, {"role": "assistant", "content": "4"}])
    assert model_input.to_ints()[len(tokens):] == bytes_of(" 4\n\nUser:") and sum(weights) == len(" 4\n\nUser:")


def test_a_qwen3_prompt_is_chatml_without_bos_and_the_reward_sees_the_answer(qwen3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(qwen3_tokenizer_dir)
    renderer, choice = open_renderer("auto", "Qwen/Qwen3-8B", lambda: tokenizer)
    assert choice.name == "qwen3"
    tokens = renderer.build_generation_prompt(QUESTION).to_ints()
    assert tokens == [151644, *bytes_of("user\nWhat is 2+2?"), 151645, *bytes_of("\n"), 151644, *bytes_of("assistant\n")]
    assert tokenizer.decode(tokens) == "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"
    assert renderer.get_stop_sequences() == [151645]
    thought = [151667, *bytes_of("\nadd them\n"), 151668, *bytes_of("\n\nIt is 4."), 151645]
    assert renderer.parse_response(thought) == ({"role": "assistant", "content": "It is 4."}, True)
    system = renderer.build_generation_prompt([{"role": "system", "content": "Be brief."}, *QUESTION]).to_ints()
    assert tokenizer.decode(system).startswith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n")


def test_qwen3_without_thinking_opens_an_empty_think_block(qwen3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(qwen3_tokenizer_dir)
    renderer, _ = open_renderer("qwen3_disable_thinking", "Qwen/Qwen3-8B", lambda: tokenizer)
    text = tokenizer.decode(renderer.build_generation_prompt(QUESTION).to_ints())
    assert text.endswith("<|im_start|>assistant\n<think>\n\n</think>\n\n")


def test_a_family_without_a_renderer_here_uses_the_tokenizers_chat_template(qwen3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(qwen3_tokenizer_dir)
    tokenizer.chat_template = (
        "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
        "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
    )
    renderer, choice = open_renderer("auto", "deepseek-ai/DeepSeek-V3.1", lambda: tokenizer)
    assert (choice.name, choice.implementation) == ("chat_template", "rewardbox")
    assert tokenizer.decode(renderer.build_generation_prompt(QUESTION).to_ints()).endswith("<|im_start|>assistant\n")
    assert renderer.get_stop_sequences()[0] == 151645  # the token after an assistant turn's text
    assert renderer.parse_response([*bytes_of("4"), 151645])[0]["content"] == "4"


def test_an_unknown_model_without_a_template_is_rendered_as_a_base_model(llama3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(llama3_tokenizer_dir)
    renderer, choice = open_renderer("auto", "someone/unknown-model", lambda: tokenizer)
    assert choice.name == "role_colon" and "no chat template" in choice.reason


def test_a_named_renderer_that_needs_the_cookbook_and_has_no_fallback_says_what_to_do(llama3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(llama3_tokenizer_dir)
    with pytest.raises(ConfigError, match="pip install tinker-cookbook"):
        open_renderer("kimi_k2", "moonshotai/Kimi-K2-Thinking", lambda: tokenizer)


def test_the_wrong_tokenizer_for_a_format_is_a_config_error(qwen3_tokenizer_dir):
    tokenizer = AutoTokenizer.from_pretrained(qwen3_tokenizer_dir)
    with pytest.raises(ConfigError, match="not this renderer's model's tokenizer"):
        open_renderer("llama3", "meta-llama/Llama-3.1-8B-Instruct", lambda: tokenizer)


def test_plain_and_functions_are_used_only_when_asked_for_and_load_beside_the_config(tmp_path):
    tokenizer = CharTokenizer("ab")
    renderer, choice = open_renderer("plain", "Qwen/Qwen3-8B", lambda: tokenizer)
    assert isinstance(renderer, PlainRenderer) and choice.name == "plain"
    made, _ = open_renderer("rewardbox.runner.training.grpo.tokenizer:PlainRenderer", "m", lambda: tokenizer)
    assert made.build_generation_prompt([{"role": "user", "content": "ba"}]).to_ints() == [2, 1]
    (tmp_path / "my_renderers.py").write_text("from rewardbox.runner.training.grpo.tokenizer import PlainRenderer as make\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "other.py").write_text("from rewardbox.runner.training.grpo.tokenizer import PlainRenderer as build\n")
    base = ['reward = "r.py"', 'prompts = "p.jsonl"', 'base_model = "m"']
    for spec, expected in (("my_renderers:make", "my_renderers.py:make"), ("sub/other.py:build", os.path.join("sub", "other.py") + ":build")):
        (tmp_path / "c.toml").write_text("\n".join([*base, f'renderer = "{spec}"']) + "\n")
        config = load_config(str(tmp_path / "c.toml"))
        assert config.renderer == os.path.join(str(tmp_path), expected)
        renderer, _ = open_renderer(config.renderer, "m", lambda: tokenizer)  # imported from beside the config, from any cwd
        assert isinstance(renderer, PlainRenderer)
    with pytest.raises(ConfigError, match="renderer = 'no_such_module:make'"):
        open_renderer("no_such_module:make", "m", lambda: tokenizer)
    (tmp_path / "c.toml").write_text("\n".join([*base, 'tokenizer = "sub"']) + "\n")
    assert load_config(str(tmp_path / "c.toml")).tokenizer == str(tmp_path / "sub")  # a folder beside the config


@pytest.mark.skipif(importlib.util.find_spec("tml_renderers") is None, reason="tml-renderers is not installed (it also needs PyTorch)")
def test_tml_renderers_render_qwen3_with_no_tokenizer_download(monkeypatch):
    monkeypatch.delenv("REWARDBOX_NO_TML")
    try:
        import tml_renderers  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"tml-renderers does not import here: {exc}")

    def no_download():
        raise AssertionError("a tml-renderers renderer needs no Hugging Face tokenizer")

    renderer, choice = open_renderer("auto", "Qwen/Qwen3-8B", no_download)
    assert choice.implementation.startswith("tml-renderers")
    tokens = renderer.build_generation_prompt(QUESTION).to_ints()
    assert renderer.tokenizer.decode(tokens) == "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"
    assert renderer.get_stop_sequences() == [151645]
