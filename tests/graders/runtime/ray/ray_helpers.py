"""Plain helpers for the Ray backend tests: which processes are Ray's and which are rewardbox's."""

from __future__ import annotations

import os

from sandbox_helpers import descendants, process_table

ZYGOTE_MARK = "rewardbox.graders.runtime.zygote"


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def rewardbox_processes(table: dict | None = None) -> set[int]:
    """Zygotes and call processes under this test process, Ray's workers included."""
    return {pid for pid in descendants(table=table) if ZYGOTE_MARK in command_line(pid)}


def ray_processes(table: dict | None = None) -> set[int]:
    """Ray's own processes under this test process: its raylet, GCS and helpers, and everything they
    started (workers, actors) except rewardbox's zygotes and calls.

    Pass one ``process_table()`` to classify against a single snapshot: a killed actor
    that turns into a zombie between two reads of /proc would otherwise look like
    nobody's process."""
    import ray

    table = process_table() if table is None else table
    package = os.path.dirname(ray.__file__)
    roots = {pid for pid in descendants(table=table) if package in command_line(pid) or command_line(pid).startswith("ray::")}
    owned = set(roots).union(*(descendants(root, table) for root in roots))
    return owned - rewardbox_processes(table)
