"""A ``rewardkit mcp`` server per test module, driven by the MCP SDK's own client over stdio.

The client runs on an event loop in a portal thread, so tests stay synchronous:
``mcp.call("grade", reward=..., input_path=...)`` returns the tool's structured result
and ``mcp.error(...)`` the text of a tool error. Every request is bounded by
``CALL_TIMEOUT`` (the client raises when the server does not answer in time).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio.from_thread
import pytest
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parents[2]
GSM8K = ROOT / "examples" / "gsm8k"
TOY_CONFIG = ROOT / "examples" / "toy_copy" / "config.toml"
CALL_TIMEOUT = 60.0  # seconds any one request may take


class McpClient:
    """Synchronous calls to a running server through the SDK's ``ClientSession``."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, session: ClientSession, outputs: Path) -> None:
        self.portal, self.session, self.outputs = portal, session, outputs
        self.initialized = portal.call(session.initialize)

    def list_tools(self) -> list:
        return self.portal.call(self.session.list_tools).tools

    def call(self, tool: str, **arguments: Any) -> dict:
        """The structured result of a call that must succeed."""
        result = self.portal.call(self.session.call_tool, tool, arguments)
        assert not result.is_error, result.content[0].text
        return result.structured_content

    def error(self, tool: str, **arguments: Any) -> str:
        """The message of a call that must fail with a tool error."""
        result = self.portal.call(self.session.call_tool, tool, arguments)
        assert result.is_error, result.structured_content
        return result.content[0].text


@pytest.fixture(scope="module")
def mcp(tmp_path_factory) -> McpClient:
    """A server started as ``python -m rewardkit.runner.cli mcp`` with its outputs in a temporary folder."""
    outputs = tmp_path_factory.mktemp("mcp-outputs")
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "rewardkit.runner.cli", "mcp", "--output-dir", str(outputs), "--workers", "2", "--timeout", "5"],
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
