"""Shared fixtures for the sandbox tests: hostile rewards, process bookkeeping, loopback servers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rewardbox.graders import Grader
from sandbox_helpers import (
    SECRET,
    SECRET_VARIABLES,
    LoopbackServer,
    descendants,
    hostile,
    kill_quietly,
    process_table,
    wait_for,
)


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Every test must end with no process it started still running (checked for up to 2 s)."""
    before = descendants()
    yield
    wait_for(lambda: not (descendants() - before), timeout=2.0)
    leftover = descendants() - before
    if leftover:
        table = process_table()
        described = {pid: table.get(pid) for pid in leftover}
        kill_quietly(leftover)
        pytest.fail(f"processes left running after the test: {described}")


@pytest.fixture(params=["default", "warm"])
def make_grader(request):
    """Build graders (closed at teardown); a bare name means ``tests/graders/runtime/hostile/<name>.py``.

    Every test that uses it runs twice: with the grader's default mode (fresh, for these
    rewards) and in ``mode="warm"``, unless it asks for a mode or ``calls_per_process`` itself:
    the attacks must fail the same way when a process serves several calls."""
    graders: list[Grader] = []

    def make(reward, **options) -> Grader:
        options.setdefault("timeout", 1.0)
        options.setdefault("workers", 2)
        if request.param == "warm" and "calls_per_process" not in options and "mode" not in options:
            options["mode"] = "warm"
        if isinstance(reward, str) and "\n" not in reward and not reward.endswith(".py") and ":" not in reward:
            reward = hostile(reward)
        grader = Grader(reward, **options)
        graders.append(grader)
        return grader

    yield make
    for grader in graders:
        grader.close()


# ---- secrets -------------------------------------------------------------------------------


@pytest.fixture
def secret_env(monkeypatch):
    """API keys in the caller's environment, and a process whose real environ (/proc/PID/environ) holds them.

    ``monkeypatch.setenv`` changes ``os.environ`` but not this process's
    ``/proc/self/environ``, so a helper started with the secrets stands in for a
    trainer that was launched with them.
    """
    for name in SECRET_VARIABLES:
        monkeypatch.setenv(name, f"{SECRET}-{name.lower()}")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], env=dict(os.environ), stdin=subprocess.DEVNULL
    )
    try:
        assert wait_for(lambda: SECRET.encode() in _environ_of(holder.pid)), "the secret holder did not start"
        yield holder
    finally:
        holder.kill()
        holder.wait()


def _environ_of(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read()
    except OSError:
        return b""


# ---- loopback servers ---------------------------------------------------------------------------


@pytest.fixture
def loopback_server():
    server = LoopbackServer()
    try:
        yield server
    finally:
        server.close()
