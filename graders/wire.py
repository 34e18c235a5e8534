"""Messages between the caller and the zygote over a unix stream socket.

A message is a 4-byte big-endian length, one type byte, and a body:
``J`` a JSON object (control), ``F`` a 4-byte chunk id followed by raw bytes a
child wrote on its result channel. Raw result bytes are parsed by the caller
only (``results.decode_frame``); nothing is ever unpickled.
"""

from __future__ import annotations

import json
import socket
import struct

CONTROL = b"J"
FRAMES = b"F"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_HEADER = struct.Struct(">IB")
_CHUNK = struct.Struct(">I")


def encode_control(message: dict) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return _HEADER.pack(len(body) + 1, CONTROL[0]) + body


def encode_frames(chunk_id: int, data: bytes) -> bytes:
    return _HEADER.pack(len(data) + 5, FRAMES[0]) + _CHUNK.pack(chunk_id) + data


class MessageReader:
    """Splits bytes read from a stream socket into (kind, payload) messages."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = bytearray()
        self.closed = False

    def read_available(self) -> list[tuple[bytes, object]]:
        """Read what the socket has now (it must be readable) and return complete messages."""
        try:
            data = self._sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            data = None
        except OSError:
            data = b""
        if data == b"":
            self.closed = True
        elif data:
            self._buffer += data
        return self._split()

    def read_blocking(self) -> tuple[bytes, object] | None:
        """Block until one message arrives; None when the peer closed the socket."""
        while True:
            messages = self._split(limit=1)
            if messages:
                return messages[0]
            data = self._sock.recv(1 << 20)
            if not data:
                self.closed = True
                return None
            self._buffer += data

    def _split(self, limit: int | None = None) -> list[tuple[bytes, object]]:
        messages: list[tuple[bytes, object]] = []
        offset = 0
        buffer = self._buffer
        while len(buffer) - offset >= _HEADER.size and (limit is None or len(messages) < limit):
            length, kind = _HEADER.unpack_from(buffer, offset)
            if length > MAX_MESSAGE_BYTES:
                raise ValueError(f"message of {length} bytes exceeds the limit")
            end = offset + 4 + length
            if len(buffer) < end:
                break
            body = bytes(buffer[offset + 5 : end])
            offset = end
            if kind == CONTROL[0]:
                messages.append((CONTROL, json.loads(body)))
            else:
                (chunk_id,) = _CHUNK.unpack_from(body)
                messages.append((FRAMES, (chunk_id, body[4:])))
        del buffer[:offset]
        return messages
