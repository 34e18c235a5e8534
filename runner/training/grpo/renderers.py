"""Renderers: how a conversation becomes a model's prompt tokens, and its sampled tokens become text again.

``renderer = "auto"`` (the default) uses the chat format a model was trained with, chosen from
``base_model`` the way tinker-cookbook chooses it: Llama 3 Instruct models get the Llama 3 template,
Qwen3 models Qwen3's, base models the ``role_colon`` format (``User: ...`` / ``Assistant:``), each with
its BOS token and its end-of-turn stop. A renderer comes from, in order:

1. tinker-cookbook, when it is installed (its model table and its renderers: where they are maintained);
2. tml-renderers, when it is installed with PyTorch, for the Qwen3 family (exact tokens with no tokenizer download);
3. rewardbox's own, on the model's Hugging Face tokenizer: ``llama3``, ``role_colon``, ``qwen3``,
   ``qwen3_instruct``, ``qwen3_disable_thinking``, and ``chat_template`` (the tokenizer's own template)
   for the other families.

``plain`` (the prompt's text as it is, stop at EOS) is used only when asked for. A prompt given as
chat messages is rendered as those turns; a plain-string prompt is one user turn.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import logging
import os
import sys
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from tinker import types

from .errors import ConfigError
from .protocols import Message, Renderer
from .tokenizer import PlainRenderer, message_text

log = logging.getLogger("rewardbox.train")

OWN = ("llama3", "role_colon", "qwen3", "qwen3_instruct", "qwen3_disable_thinking", "chat_template")
LLAMA3_TOKENIZER = "thinkingmachineslabinc/meta-llama-3-instruct-tokenizer"  # the SDK's stand-in for every Llama 3 model's


@dataclass(frozen=True)
class RendererChoice:
    """The renderer a run uses: its name, what implements it, and why it was chosen (recorded in the run directory)."""

    name: str
    implementation: str
    reason: str


# ---- which renderer ---------------------------------------------------------------------------------


def recommended_name(base_model: str) -> tuple[str | None, str]:
    """The renderer ``base_model`` calls for (None: no family known), and who says so."""
    cookbook = _cookbook()
    if cookbook is not None:
        try:
            return cookbook.model_info.get_recommended_renderer_name(base_model), "tinker-cookbook's model table"
        except Exception:  # noqa: BLE001 - an unknown model: the cookbook raises; our rules may still know its family
            pass
    return _family(base_model), "rewardbox's model rules"


def _family(base_model: str) -> str | None:
    """The chat format of a Tinker model name's family; None when the family is not known here."""
    org, _, model = base_model.split(":")[0].partition("/")
    name = model.split("/")[0].lower()
    if org == "meta-llama" and name.startswith("llama-3"):
        return "llama3" if "instruct" in name else "role_colon"
    if org == "Qwen" and name.startswith("qwen3"):
        if name.endswith("-base"):
            return "role_colon"
        if "instruct-2507" in name:
            return "qwen3_instruct"
        if name.startswith(("qwen3-", "qwen3_")) and "-vl" not in name:
            return "qwen3"
        return "chat_template"  # Qwen3.5 and later, Qwen3-VL: their tokenizer's own template
    if org in ("deepseek-ai", "openai", "moonshotai", "zai-org", "nvidia"):
        return "chat_template"
    return None


def tokenizer_name(base_model: str) -> str:
    """The Hugging Face tokenizer the Tinker SDK loads for ``base_model`` (Llama 3 models share one that is not gated)."""
    name = base_model.split(":")[0]
    parts = name.split("/")
    if len(parts) > 2:
        name = "/".join(parts[:2])  # org/model/variant -> org/model, as the SDK does
    if name.startswith("meta-llama/Llama-3"):
        return LLAMA3_TOKENIZER
    return name


# ---- making one ---------------------------------------------------------------------------------------


def open_renderer(
    spec: str, base_model: str, load_tokenizer: Callable[[], Any], *, tokenizer_given: bool = False
) -> tuple[Renderer, RendererChoice]:
    """The renderer ``spec`` names for ``base_model``; ``load_tokenizer()`` is called only if the renderer needs one.

    ``tokenizer_given``: the config names a tokenizer, so renderers with a vocabulary of their own
    (tml-renderers) are not used. Raises ``ConfigError`` for a name no installed implementation
    renders, or a ``module:function`` that cannot load.
    """
    load_tokenizer = functools.cache(load_tokenizer)
    if tokenizer_given:
        load_tokenizer()  # a tokenizer the config names must load, whichever renderer is chosen
    if spec == "plain":
        return PlainRenderer(load_tokenizer()), RendererChoice("plain", "rewardbox", "renderer = 'plain' in the config")
    if ":" in spec:
        factory = _import_factory(spec)
        return factory(load_tokenizer()), RendererChoice(spec, "the config's function", f"renderer = {spec!r} in the config")
    if spec != "auto":
        return _named(spec, f"renderer = {spec!r} in the config", load_tokenizer, tokenizer_given)
    name, source = recommended_name(base_model)
    if name is not None:
        return _named(name, f"recommended for {base_model} by {source}", load_tokenizer, tokenizer_given)
    try:
        return _named("chat_template", f"{base_model} is not in {source}: its tokenizer's own chat template", load_tokenizer, tokenizer_given)
    except ConfigError:  # no template: a base model
        log.warning("%s is not in %s and its tokenizer has no chat template: rendering prompts as role_colon", base_model, source)
        reason = f"{base_model} is not in {source} and its tokenizer has no chat template (a base model)"
        return _named("role_colon", reason, load_tokenizer, tokenizer_given)


def _named(name: str, reason: str, load_tokenizer: Callable[[], Any], tokenizer_given: bool) -> tuple[Renderer, RendererChoice]:
    cookbook = _cookbook()
    if cookbook is not None and name != "chat_template":
        try:
            renderer = cookbook.renderers.get_renderer(name, load_tokenizer())
        except (ValueError, KeyError, NotImplementedError) as exc:
            if name not in OWN:
                raise ConfigError(f"renderer = {name!r}: tinker-cookbook says {exc}") from None
        else:
            return renderer, RendererChoice(name, f"tinker-cookbook {_version('tinker-cookbook')}", reason)
    tml = None if tokenizer_given else _tml_renderer(name)
    if tml is not None:
        return tml, RendererChoice(name, f"tml-renderers {_version('tml-renderers')}", reason)
    own = {
        "llama3": Llama3Renderer,
        "role_colon": RoleColonRenderer,
        "qwen3": Qwen3Renderer,
        "qwen3_instruct": Qwen3Renderer,
        "qwen3_disable_thinking": Qwen3DisableThinkingRenderer,
        "chat_template": ChatTemplateRenderer,
    }.get(name)
    if own is not None:
        return own(load_tokenizer()), RendererChoice(name, "rewardbox", reason)
    try:
        renderer = ChatTemplateRenderer(load_tokenizer())
    except ConfigError:
        raise ConfigError(
            f"renderer {name!r} ({reason}) is rendered by tinker-cookbook, which is not installed, and the tokenizer has no "
            f"chat template to fall back on: pip install tinker-cookbook, or set renderer to one of {', '.join(OWN)}"
        ) from None
    log.warning("renderer %r needs tinker-cookbook, which is not installed: using the tokenizer's own chat template", name)
    return renderer, RendererChoice("chat_template", "rewardbox", f"{reason}; tinker-cookbook is not installed")


def _import_factory(spec: str) -> Callable[[Any], Renderer]:
    """``file.py:function`` (made absolute by the config loader) or an importable ``module:function``."""
    target, _, function = spec.rpartition(":")
    try:
        if target.endswith(".py"):
            name = f"rewardbox_renderer_{abs(hash(target))}"
            spec_ = importlib.util.spec_from_file_location(name, target)
            if spec_ is None or spec_.loader is None:
                raise ImportError(f"cannot load {target}")
            module = importlib.util.module_from_spec(spec_)
            sys.modules[name] = module
            spec_.loader.exec_module(module)
        else:
            module = importlib.import_module(target)
        return getattr(module, function)
    except FileNotFoundError:
        raise ConfigError(f"renderer = {spec!r}: no file {target}") from None
    except (ImportError, AttributeError, SyntaxError) as exc:
        raise ConfigError(f"renderer = {spec!r}: {type(exc).__name__}: {exc}") from None


def _cookbook() -> Any:
    """``tinker_cookbook`` with its ``model_info`` and ``renderers``, or None when it is not installed or does not import."""
    if importlib.util.find_spec("tinker_cookbook") is None:
        return None
    try:
        import tinker_cookbook.model_info
        import tinker_cookbook.renderers

        return tinker_cookbook
    except Exception as exc:  # noqa: BLE001 - a broken install is said once, then rewardbox's renderers are used
        log.warning("tinker-cookbook is installed but does not import (%s: %s): using rewardbox's renderers", type(exc).__name__, exc)
        return None


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


# ---- tml-renderers ------------------------------------------------------------------------------------

_TML = {
    "qwen3": lambda r: r.Qwen3(),
    "qwen3_disable_thinking": lambda r: r.Qwen3.disable_thinking(),
    "qwen3_instruct": lambda r: r.Qwen3.instruct(),
}


def _tml_renderer(name: str) -> Renderer | None:
    if name not in _TML or os.environ.get("REWARDBOX_NO_TML") or importlib.util.find_spec("tml_renderers") is None:
        return None
    try:
        from tml_renderers import renderers
    except Exception as exc:  # noqa: BLE001 - it needs PyTorch at import; without it, rewardbox's renderer serves
        log.info("tml-renderers does not import (%s: %s): using rewardbox's %s renderer", type(exc).__name__, exc, name)
        return None
    return TmlRenderer(_TML[name](renderers))


class TmlRenderer:
    """A tml-renderers renderer (tokens from its own vocabulary, no download) behind the cookbook's methods."""

    def __init__(self, renderer: Any) -> None:
        from tml_renderers import chat
        from tml_renderers import tinker as bridge

        self.renderer, self._chat, self._bridge = renderer, chat, bridge
        self.tokenizer = renderer.tokenizer

    def _messages(self, messages: list[Message]) -> Any:
        return self._chat.OpenAIMessage.from_oss_messages([{"role": m["role"], "content": message_text(m)} for m in messages])

    def build_generation_prompt(self, messages: list[Message]) -> types.ModelInput:
        spans, _ = self.renderer.render_for_completion(self._messages(messages))
        return self._bridge.token_spans_to_tinker_model_input(spans)

    def get_stop_sequences(self) -> list[int]:
        stop = self.renderer.stop()
        return [stop] if isinstance(stop, (int, str)) else list(stop or [])

    def parse_response(self, response: list[int]) -> tuple[Message, bool]:
        _, parser = self.renderer.render_for_completion(self._messages([{"role": "user", "content": ""}]))
        try:
            parsed = parser.parse_tokens(list(response))
        except ValueError:  # no end of turn (the response ran to max_tokens): its text as it is
            return {"role": "assistant", "content": self.tokenizer.decode(list(response))}, False
        text = "".join(m.content.text for m in parsed if type(m.content).__name__ == "Text")
        return {"role": "assistant", "content": text}, True

    def build_supervised_example(self, messages: list[Message]) -> tuple[types.ModelInput, list[float]]:
        example = self.renderer.render_for_sft(self._messages(messages))[-1]
        model_input, weights = self._bridge.training_example_to_tinker_model_input_and_weights(example)
        return model_input, [float(weight) for weight in weights]


# ---- rewardbox's own, on a Hugging Face tokenizer --------------------------------------------------------


class TurnRenderer:
    """A chat format of turns: BOS, then each message as ``header(role) + content + end``, then the assistant's header.

    Subclasses set the format; token ids come from the model's tokenizer, each piece encoded on its own
    (special tokens written as text, as the tokenizer knows them), so prompt and training tokens agree.
    """

    end = ""  # the text that ends a turn; its token is the stop token
    after_end = ""  # text after the end token, before the next turn (not sampled)

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        if self.end:
            ids = tokenizer.encode(self.end, add_special_tokens=False)
            if len(ids) != 1:
                raise ConfigError(f"the tokenizer does not have {self.end!r} as one token: it is not this renderer's model's tokenizer")
            self.end_id = ids[0]

    def header(self, role: str) -> str:
        raise NotImplementedError

    def bos(self) -> list[int]:
        bos = getattr(self.tokenizer, "bos_token_id", None)
        return [] if bos is None else [bos]

    def encode(self, text: str) -> list[int]:
        return self.tokenizer.encode(text, add_special_tokens=False) if text else []

    def turns(self, messages: Sequence[Message]) -> list[int]:
        tokens = self.bos()
        for message in messages:
            tokens += self.encode(self.header(message["role"])) + self.encode(message_text(message)) + self.encode(self.end + self.after_end)
        return tokens

    def build_generation_prompt(self, messages: list[Message]) -> types.ModelInput:
        return types.ModelInput.from_ints(self.turns(messages) + self.encode(self.header("assistant")))

    def get_stop_sequences(self) -> list[int] | list[str]:
        return [self.end_id]

    def parse_response(self, response: list[int]) -> tuple[Message, bool]:
        stopped = bool(response) and response[-1] == self.end_id
        text = self.tokenizer.decode(list(response[:-1] if stopped else response))
        return {"role": "assistant", "content": self.content(text)}, stopped

    def content(self, text: str) -> str:
        """What the reward sees of a response's text."""
        return text

    def build_supervised_example(self, messages: list[Message]) -> tuple[types.ModelInput, list[float]]:
        """The prompt (weight 0), then the last message's content and end of turn (weight 1)."""
        if not messages:
            raise ValueError("a supervised example needs at least the message to learn")
        prompt = self.build_generation_prompt(messages[:-1]).to_ints()
        answer = self.encode(message_text(messages[-1])) + self.encode(self.end)
        return types.ModelInput.from_ints(prompt + answer), [0.0] * len(prompt) + [1.0] * len(answer)


class Llama3Renderer(TurnRenderer):
    """Llama 3 Instruct: ``<|begin_of_text|><|start_header_id|>user<|end_header_id|>\\n\\n...<|eot_id|>``."""

    end = "<|eot_id|>"

    def header(self, role: str) -> str:
        return f"<|start_header_id|>{role}<|end_header_id|>\n\n"


class Qwen3Renderer(TurnRenderer):
    """Qwen3 (ChatML): ``<|im_start|>user\\n...<|im_end|>\\n<|im_start|>assistant\\n``; the reward sees the text after ``</think>``.

    Qwen3 models have no BOS token. Also the 2507 Instruct models (the same turns; they do not think).
    """

    end = "<|im_end|>"
    after_end = "\n"

    def bos(self) -> list[int]:
        return []

    def header(self, role: str) -> str:
        return f"<|im_start|>{role}\n"

    def content(self, text: str) -> str:
        return text.split("</think>", 1)[1].lstrip("\n") if "</think>" in text else text


class Qwen3DisableThinkingRenderer(Qwen3Renderer):
    """Qwen3 with thinking turned off: the assistant turn starts with an empty ``<think>`` block."""

    no_thinking = "<think>\n\n</think>\n\n"

    def build_generation_prompt(self, messages: list[Message]) -> types.ModelInput:
        return types.ModelInput.from_ints(super().build_generation_prompt(messages).to_ints() + self.encode(self.no_thinking))


class RoleColonRenderer(TurnRenderer):
    """A base model's format: ``User: ...\\n\\nAssistant:``; a response stops at ``\\n\\nUser:`` (or EOS)."""

    stop_text = "\n\nUser:"

    def __init__(self, tokenizer: Any) -> None:
        super().__init__(tokenizer)
        self.eos_id = getattr(tokenizer, "eos_token_id", None)

    def header(self, role: str) -> str:
        return f"{role.capitalize()}:"

    def turns(self, messages: Sequence[Message]) -> list[int]:
        tokens = self.bos()
        for message in messages:
            tokens += self.encode(self.header(message["role"])) + self.encode(f" {message_text(message)}\n\n")
        return tokens

    def get_stop_sequences(self) -> list[str]:
        return [self.stop_text]

    def parse_response(self, response: list[int]) -> tuple[Message, bool]:
        ended = bool(response) and response[-1] == self.eos_id
        text = self.tokenizer.decode(list(response[:-1] if ended else response))
        content, found, _ = text.partition(self.stop_text)
        return {"role": "assistant", "content": content.removeprefix(" ").removesuffix("\n\n")}, bool(found) or ended

    def build_supervised_example(self, messages: list[Message]) -> tuple[types.ModelInput, list[float]]:
        if not messages:
            raise ValueError("a supervised example needs at least the message to learn")
        prompt = self.build_generation_prompt(messages[:-1]).to_ints()
        answer = self.encode(f" {message_text(messages[-1])}{self.stop_text}")
        return types.ModelInput.from_ints(prompt + answer), [0.0] * len(prompt) + [1.0] * len(answer)


class ChatTemplateRenderer:
    """The tokenizer's own chat template (``apply_chat_template``); the stop is the token that ends an assistant turn.

    The end token is found by rendering an assistant turn and reading the first special token after its
    text; the tokenizer's EOS is a stop too.
    """

    def __init__(self, tokenizer: Any) -> None:
        if not getattr(tokenizer, "chat_template", None):
            raise ConfigError(f"the tokenizer {getattr(tokenizer, 'name_or_path', '')!r} has no chat template")
        self.tokenizer = tokenizer
        marker = "rewardbox-end-probe"
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": "hi"}, {"role": "assistant", "content": marker}], tokenize=False
        )
        after = tokenizer.encode(text.split(marker, 1)[1], add_special_tokens=False) if marker in text else []
        special = set(getattr(tokenizer, "all_special_ids", []) or [])
        stops = [token for token in after if token in special][:1]
        eos = getattr(tokenizer, "eos_token_id", None)
        self.stop_ids = stops + ([eos] if eos is not None and eos not in stops else [])
        if not self.stop_ids:
            raise ConfigError("the tokenizer's chat template ends a turn with no special token, and it has no EOS: set a renderer")

    def build_generation_prompt(self, messages: list[Message]) -> types.ModelInput:
        turns = [{"role": m["role"], "content": message_text(m)} for m in messages]
        tokens = self.tokenizer.apply_chat_template(turns, add_generation_prompt=True, tokenize=True)
        if isinstance(tokens, dict) or hasattr(tokens, "input_ids"):  # a BatchEncoding
            tokens = tokens["input_ids"]
        return types.ModelInput.from_ints([int(token) for token in tokens])

    def get_stop_sequences(self) -> list[int]:
        return list(self.stop_ids)

    def parse_response(self, response: list[int]) -> tuple[Message, bool]:
        stopped = bool(response) and response[-1] in self.stop_ids
        text = self.tokenizer.decode(list(response[:-1] if stopped else response), skip_special_tokens=True)
        return {"role": "assistant", "content": text}, stopped

    def build_supervised_example(self, messages: list[Message]) -> tuple[types.ModelInput, list[float]]:
        if not messages:
            raise ValueError("a supervised example needs at least the message to learn")
        prompt = self.build_generation_prompt(messages[:-1]).to_ints()
        answer = self.tokenizer.encode(message_text(messages[-1]), add_special_tokens=False) + self.stop_ids[:1]
        return types.ModelInput.from_ints(prompt + answer), [0.0] * len(prompt) + [1.0] * len(answer)


def rendered_example(renderer: Renderer, prompt: str | list[Message]) -> dict:
    """One prompt as the run sends it: its token count, first token ids and text, for the run directory."""
    from .tokenizer import as_messages

    tokens = renderer.build_generation_prompt(as_messages(prompt)).to_ints()
    decode = getattr(getattr(renderer, "tokenizer", None), "decode", None)
    return {"tokens": len(tokens), "token_ids": tokens[:64], "text": decode(tokens) if decode else None}
