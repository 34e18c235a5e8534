"""A ``rewardbox mcp`` server per test module, started as a subprocess and driven by the SDK's client over stdio."""

from __future__ import annotations

import sys

import anyio.from_thread
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_session import CALL_TIMEOUT, ROOT, McpClient


@pytest.fixture(scope="module")
def mcp(tmp_path_factory) -> McpClient:
    """A server started as ``python -m rewardbox.runner.cli mcp`` with its outputs in a temporary folder."""
    outputs = tmp_path_factory.mktemp("mcp-outputs")
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "rewardbox.runner.cli", "mcp", "--output-dir", str(outputs), "--workers", "2", "--timeout", "5"],
        cwd=str(ROOT),
    )
    with open(outputs / "stderr.log", "w") as errlog, anyio.from_thread.start_blocking_portal() as portal:
        with portal.wrap_async_context_manager(stdio_client(server, errlog=errlog)) as (read, write):
            session = ClientSession(read, write, read_timeout_seconds=CALL_TIMEOUT)
            with portal.wrap_async_context_manager(session):
                yield McpClient(portal, session, outputs)


@pytest.fixture
def write(tmp_path):
    """``write(name, text)`` writes a file in the test's folder and returns its path as a string."""

    def write_(name: str, text: str) -> str:
        path = tmp_path / name
        path.write_text(text)
        return str(path)

    return write_
