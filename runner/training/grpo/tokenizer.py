"""A character tokenizer for the offline backend, and a plain-text renderer for any tokenizer.

The renderer has tinker-cookbook's methods (the three sampling needs and
``build_supervised_example`` for SFT), so a cookbook renderer (with a chat template) can
be passed wherever a ``PlainRenderer`` is used.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from tinker import types

from .protocols import Message, Tokenizer

EOS_TEXT = "<eos>"


class CharTokenizer:
    """One token per character of a fixed alphabet; token 0 is end-of-sequence.

    >>> tok = CharTokenizer("ab")
    >>> tok.encode("ba"), tok.decode([2, 1, 0])
    ([2, 1], 'ba<eos>')
    """

    eos_token_id = 0

    def __init__(self, alphabet: str) -> None:
        if not alphabet or len(set(alphabet)) != len(alphabet):
            raise ValueError(f"alphabet {alphabet!r}: expected distinct characters")
        self.alphabet = alphabet
        self._ids = {char: index + 1 for index, char in enumerate(alphabet)}

    @classmethod
    def for_texts(cls, texts: Iterable[str]) -> CharTokenizer:
        """A tokenizer whose alphabet is every character of ``texts``, sorted."""
        return cls("".join(sorted(set("".join(texts)))))

    @property
    def vocab_size(self) -> int:
        return len(self.alphabet) + 1

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        unknown = sorted({char for char in text if char not in self._ids})
        if unknown:
            raise ValueError(f"characters {''.join(unknown)!r} are not in this tokenizer's alphabet {self.alphabet!r}")
        return [self._ids[char] for char in text]

    def decode(self, token_ids: Sequence[int]) -> str:
        return "".join(EOS_TEXT if token == 0 else self.alphabet[token - 1] for token in token_ids)


class PlainRenderer:
    """Prompt text as is (messages' contents joined by newlines); a response ends at the tokenizer's EOS."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        if tokenizer.eos_token_id is None:
            raise ValueError("the tokenizer has no eos_token_id, so a response could never stop; pass a renderer")
        self.tokenizer = tokenizer

    def build_generation_prompt(self, messages: list[Message]) -> types.ModelInput:
        text = "\n".join(message_text(message) for message in messages)
        return types.ModelInput.from_ints(self.tokenizer.encode(text, add_special_tokens=False))

    def get_stop_sequences(self) -> list[int]:
        return [self.tokenizer.eos_token_id]

    def build_supervised_example(self, messages: list[Message]) -> tuple[types.ModelInput, list[float]]:
        """The generation prompt of all but the last message (weight 0), then the last one's text and EOS (weight 1)."""
        if not messages:
            raise ValueError("a supervised example needs at least the message to learn")
        prompt = self.build_generation_prompt(messages[:-1]).to_ints() if len(messages) > 1 else []
        response = [*self.tokenizer.encode(message_text(messages[-1]), add_special_tokens=False), self.tokenizer.eos_token_id]
        return types.ModelInput.from_ints([*prompt, *response]), [0.0] * len(prompt) + [1.0] * len(response)

    def parse_response(self, response: list[int]) -> tuple[Message, bool]:
        """The assistant message, and whether the response ended with the stop token."""
        stopped = bool(response) and response[-1] == self.tokenizer.eos_token_id
        content = self.tokenizer.decode(list(response[:-1] if stopped else response))
        return {"role": "assistant", "content": content}, stopped


def message_text(message: Message) -> str:
    """A message's text: its string content, or the text parts of a list content."""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def as_messages(prompt: str | list[Message]) -> list[Message]:
    """A prompt as chat messages: a string is one user message."""
    return [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
