"""Fixtures shared by the training tests: a loopback Tinker service and local tokenizers (see ``tinker_stub``).

Being here also puts this directory on ``sys.path``, so tests below it can ``import tinker_stub``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from stub_tokenizers import make_llama3_like_tokenizer, make_qwen3_like_tokenizer
from tinker_stub import TinkerStub


@pytest.fixture
def start_tinker_stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TinkerStub]]:
    """``start_tinker_stub(**options)`` starts a ``TinkerStub`` and points the SDK at it; stopped at teardown."""
    started: list[TinkerStub] = []

    def start(**options: Any) -> TinkerStub:
        stub = TinkerStub(**options).start()
        started.append(stub)
        for name, value in stub.env.items():
            monkeypatch.setenv(name, value)
        return stub

    yield start
    for stub in reversed(started):
        stub.stop()


@pytest.fixture(scope="session")
def qwen3_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A local tokenizer directory with Qwen3's special token ids (nothing is downloaded)."""
    return make_qwen3_like_tokenizer(tmp_path_factory.mktemp("qwen3_tokenizer"))


@pytest.fixture(scope="session")
def llama3_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A local tokenizer directory with Llama 3's special token ids (nothing is downloaded)."""
    return make_llama3_like_tokenizer(tmp_path_factory.mktemp("llama3_tokenizer"))
