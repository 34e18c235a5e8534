"""A call's stdout and stderr, captured in memory files by the call process and read back bounded.
Stdlib only: the zygote imports this module."""

from __future__ import annotations

import io
import os
import sys
import tempfile

from .frames import MAX_TEXT_CHARS, bounded


class Capture:
    """The calls' stdout and stderr, captured in memory files (bounded by RLIMIT_FSIZE) and read back bounded.

    One pair of files per call process; the text streams over descriptors 1 and 2
    are made once, in the zygote (``streams``), so a call process does not build
    them. A call that wrote nothing costs two flushes and two fstat calls; only a
    call that wrote something makes the next one start from empty files.
    """

    def __init__(self, limit: int, streams: list, text_chars: int = MAX_TEXT_CHARS) -> None:
        self.limit, self.streams, self.text_chars = limit, streams, text_chars
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        for target, name in ((1, "stdout"), (2, "stderr")):
            fd = os.memfd_create(name) if hasattr(os, "memfd_create") else unlinked_file()
            os.dup2(fd, target)
            os.close(fd)
        self.dirty = False

    @staticmethod
    def make_streams() -> list:
        """Text streams over descriptors 1 and 2 (in the zygote: the files behind them change in each call process)."""
        return [
            io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), encoding="utf-8", errors=errors)
            for fd, errors in ((1, "replace"), (2, "backslashreplace"))
        ]

    def start(self) -> None:
        if self.dirty:
            for fd in (1, 2):
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
            self.dirty = False
        if self.streams[0].closed or self.streams[1].closed:  # a call closed one
            self.streams[:] = self.make_streams()
        sys.stdout, sys.stderr = self.streams

    def finish(self) -> tuple[str, str, bool]:
        texts, overflow = ["", ""], False
        for index, stream in enumerate((sys.stdout, sys.stderr)):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001 - a full, broken or replaced stream must not lose the result
                pass
            size = os.fstat(index + 1).st_size
            if size:
                self.dirty = True
                overflow = overflow or size > self.limit
                head = os.pread(index + 1, self.text_chars, 0).decode("utf-8", "replace")
                texts[index] = bounded(head + ("\n... [output cut]" if size > self.text_chars else ""), self.text_chars)
        return texts[0], texts[1], overflow


def unlinked_file() -> int:
    fd, path = tempfile.mkstemp()
    os.unlink(path)
    return fd
