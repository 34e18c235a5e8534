"""The MCP SDK's own client, driven synchronously, and the example files the mcp tests use.

The client runs on an event loop in a portal thread, so tests stay synchronous:
``mcp.call("grade", reward=..., input_path=...)`` returns the tool's structured result
and ``mcp.error(...)`` the text of a tool error. Every request is bounded by
``CALL_TIMEOUT`` (the client raises when the server does not answer in time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio.from_thread
from mcp import ClientSession

ROOT = Path(__file__).resolve().parents[3]
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
