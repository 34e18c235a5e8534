"""Bytes between the caller, the zygote and the call processes.

Two kinds of channel, both unix stream sockets, messages length-prefixed (a
4-byte big-endian length, then the body); the caller never unpickles or
unmarshals anything:

- the control socket, caller <-> zygote: ``run`` (with the call's channel
  attached as SCM_RIGHTS), ``kill``, ``shutdown`` one way; ``ready``, ``exit``
  statuses the other way;
- one channel per chunk of calls, caller <-> call process: the caller writes the
  request (``encode_request``, marshal: caller to sandbox only) and reads back one text frame per call
  (``frames.encode_frame``, parsed by ``results.decode_frame``). The zygote only
  hands the socket over; it never reads a call's input or output.
"""

from __future__ import annotations

import array
import collections
import json
import marshal
import os
import socket
import struct

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
# Bound at import, before user code runs: a reward that replaces os.write must not change how its result is sent.
_write, _memoryview = os.write, memoryview
_LENGTH = struct.Struct(">I")
_MAX_FDS_PER_READ = 64


def frame(body: bytes) -> bytes:
    """A message on either channel: the body's length (4 bytes, big-endian), then the body."""
    return _LENGTH.pack(len(body)) + body


def encode_control(message: dict) -> bytes:
    return frame(json.dumps(message, separators=(",", ":")).encode())


def encode_request(calls: list[tuple[str, object, dict | None]]) -> bytes:
    """A chunk's calls as sent to its call process: ``[(completion, ground_truth, fields), ...]``.

    marshal, not JSON: this direction only carries the caller's own strings to
    the sandbox (plain JSON values checked by ``binding.Binding.arguments``; nothing
    from user code is ever unmarshalled by the caller), both
    ends are the same interpreter, and ``marshal.loads`` is one C call, where
    ``json.loads`` runs Python code whose every touched object is a page the
    call process copies.
    """
    return frame(marshal.dumps(calls))


def read_request(fd: int) -> list[tuple[str, object, dict | None]]:
    """Read one ``encode_request`` message from a blocking descriptor (in the call process)."""
    (length,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size))
    return marshal.loads(_read_exactly(fd, length))


def _read_exactly(fd: int, size: int) -> bytes:
    parts, remaining = [], size
    while remaining:
        data = os.read(fd, remaining)
        if not data:
            raise EOFError(f"the channel closed {remaining} bytes before the end of the request")
        parts.append(data)
        remaining -= len(data)
    return b"".join(parts)


def send_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a blocking descriptor (a write can be cut short by a signal)."""
    view = _memoryview(data)
    while view:
        view = view[_write(fd, view) :]


class MessageReader:
    """Splits what a control socket delivers into JSON messages; keeps descriptors sent along, in order."""

    def __init__(self, sock: socket.socket, *, accept_fds: bool = False) -> None:
        self._sock = sock
        self._buffer = bytearray()
        self._accept_fds = accept_fds
        self.fds: collections.deque[int] = collections.deque()
        self.closed = False

    def _receive(self) -> bytes | None:
        if not self._accept_fds:
            return self._sock.recv(1 << 20)
        data, ancillary, _, _ = self._sock.recvmsg(1 << 20, socket.CMSG_SPACE(_MAX_FDS_PER_READ * 4))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
                self.fds.extend(fds)
        return data

    def read_available(self) -> list[dict]:
        """Read what the socket has now (it must be readable) and return complete messages."""
        try:
            data = self._receive()
        except (BlockingIOError, InterruptedError):
            data = None
        except OSError:
            data = b""
        if data == b"":
            self.closed = True
        elif data:
            self._buffer += data
        return self._split()

    def read_blocking(self) -> dict | None:
        """Block until one message arrives; None when the peer closed the socket."""
        while True:
            messages = self._split(limit=1)
            if messages:
                return messages[0]
            data = self._receive()
            if not data:
                self.closed = True
                return None
            self._buffer += data

    def _split(self, limit: int | None = None) -> list[dict]:
        messages: list[dict] = []
        offset = 0
        buffer = self._buffer
        while len(buffer) - offset >= _LENGTH.size and (limit is None or len(messages) < limit):
            (length,) = _LENGTH.unpack_from(buffer, offset)
            if length > MAX_MESSAGE_BYTES:
                raise ValueError(f"message of {length} bytes exceeds the limit")
            end = offset + _LENGTH.size + length
            if len(buffer) < end:
                break
            messages.append(json.loads(bytes(buffer[offset + _LENGTH.size : end])))
            offset = end
        del buffer[:offset]
        return messages
