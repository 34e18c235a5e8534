"""Local byte-level tokenizers with the real special-token ids of Qwen3 and Llama 3, so tests download nothing.

Token ids 0-255 are the bytes, so any text round-trips; the special tokens sit at the ids the real
tokenizers give them, which the renderers and the wire tests rely on.
"""

from __future__ import annotations

import os

QWEN3_SPECIAL_TOKENS = {"<|endoftext|>": 151643, "<|im_start|>": 151644, "<|im_end|>": 151645}
QWEN3_THINK_TOKENS = {"<think>": 151667, "</think>": 151668}  # added tokens, but not special, as in Qwen3
LLAMA3_SPECIAL_TOKENS = {
    "<|begin_of_text|>": 128000,
    "<|end_of_text|>": 128001,
    "<|start_header_id|>": 128006,
    "<|end_header_id|>": 128007,
    "<|eot_id|>": 128009,
}


def make_qwen3_like_tokenizer(directory: str | os.PathLike[str]) -> str:
    """Save a byte-level tokenizer with Qwen3's special tokens at their ids (151643-151645, 151667-151668).

    Token ids 0-255 are the bytes, so any text round-trips; no BOS, EOS ``<|im_end|>``, pad
    ``<|endoftext|>``, no chat template; 151669 ids like Qwen3. Returns ``directory``.
    """
    return _save_byte_tokenizer(
        directory,
        vocab_size=151669,
        special_tokens=QWEN3_SPECIAL_TOKENS,
        plain_added_tokens=QWEN3_THINK_TOKENS,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
    )


def make_llama3_like_tokenizer(directory: str | os.PathLike[str]) -> str:
    """Save a byte-level tokenizer with Llama 3's special tokens at their ids (128000-128255).

    Like the Llama 3 instruct tokenizer the SDK uses for every Llama 3 model: BOS
    ``<|begin_of_text|>`` (added by ``encode`` unless ``add_special_tokens=False``), EOS
    ``<|eot_id|>``; ids 0-255 are the bytes; no chat template. Returns ``directory``.
    """
    names = {token_id: token for token, token_id in LLAMA3_SPECIAL_TOKENS.items()}
    special = {names.get(token_id, f"<|reserved_special_token_{token_id}|>"): token_id for token_id in range(128000, 128256)}
    return _save_byte_tokenizer(
        directory, vocab_size=128256, special_tokens=special, eos_token="<|eot_id|>", bos_token="<|begin_of_text|>"
    )


def _save_byte_tokenizer(
    directory: str | os.PathLike[str],
    *,
    vocab_size: int,
    special_tokens: dict[str, int],
    eos_token: str,
    plain_added_tokens: dict[str, int] | None = None,
    pad_token: str | None = None,
    bos_token: str | None = None,
) -> str:
    """A BPE tokenizer without merges over the 256 byte-level symbols (ids 0-255), filler ids up to
    ``vocab_size``, and the given tokens at their ids; saved with ``save_pretrained``."""
    from tokenizers import (
        AddedToken,
        Tokenizer,
        decoders,
        models,
        pre_tokenizers,
        processors,
    )
    from transformers import PreTrainedTokenizerFast

    added = {**special_tokens, **(plain_added_tokens or {})}
    vocab = {symbol: byte for byte, symbol in enumerate(_byte_symbols())}
    vocab.update({f"<|filler_{token_id}|>": token_id for token_id in range(256, vocab_size) if token_id not in added.values()})
    vocab.update(added)
    tokenizer = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in special_tokens])
    tokenizer.add_tokens([AddedToken(token, special=False, normalized=False) for token in plain_added_tokens or {}])
    if bos_token is not None:
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{bos_token} $A", pair=f"{bos_token} $A {bos_token} $B", special_tokens=[(bos_token, special_tokens[bos_token])]
        )
    wrapped = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=bos_token, eos_token=eos_token, pad_token=pad_token)
    wrapped.save_pretrained(str(directory))
    return str(directory)


def _byte_symbols() -> list[str]:
    """The byte-level alphabet: byte ``b`` is ``chr(b)`` if printable, else a character from 256 up."""
    printable = {*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)}
    stand_ins = iter(range(256, 512))
    return [chr(byte) if byte in printable else chr(next(stand_ins)) for byte in range(256)]
