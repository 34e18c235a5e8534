"""One local Ray instance for the Ray backend tests, and a leftover-process check that tells Ray's own
processes from rewardbox's.

Ray's raylet is a child of the test process and keeps worker processes of its own
between tests, so the suite-wide check (``tests/conftest.py``) would count them.
Here every new process must be Ray's own, and no rewardbox zygote or call process
may be alive anywhere under the test process, Ray's workers included.
"""

from __future__ import annotations

import os

import pytest
from ray_helpers import command_line, ray_processes, rewardbox_processes
from sandbox_helpers import descendants, kill_quietly, process_table, wait_for

# Ray's single-machine mode: every address it binds or dials is 127.0.0.1 (set before ray is imported).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


@pytest.fixture(scope="module")
def ray_address():
    """Start one light local Ray instance (2 CPUs, small object store) for a test module; yield its address."""
    import ray

    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="WARNING",
        object_store_memory=100 * 1024 * 1024,
        _system_config={"kill_worker_timeout_milliseconds": 500},
    )
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Every test ends with no rewardbox process alive and no new process that is not Ray's own."""
    before = descendants()

    def leftover() -> set[int]:
        table = process_table()  # one snapshot: Ray's killed actors change state while /proc is read
        return (descendants(table=table) - before - ray_processes(table)) | rewardbox_processes(table)

    yield
    wait_for(lambda: not leftover(), timeout=10.0)
    table = process_table()
    found = {pid: (table.get(pid), command_line(pid)) for pid in leftover()}
    if found:
        kill_quietly(set(found))
        pytest.fail(f"processes left running after the test: {found}")
