"""``library:run`` (SandboxFusion's /run_code as a reward): time limits as its clients read them."""

from __future__ import annotations

import json
import signal
import time

from rewardbox.graders import Grader, Status
from rewardbox.library.code.programs import Execution
from rewardbox.library.code.run import RESULT_MARKER, command_result


def response_of(stdout: str) -> dict:
    return json.loads(next(line[len(RESULT_MARKER):] for line in stdout.splitlines() if line.startswith(RESULT_MARKER)))


def test_a_program_stopped_by_its_cpu_limit_is_past_its_time_limit_even_a_hair_below_it():
    """The kernel sends SIGXCPU at the limit's whole second; the CPU time read can sit just below the limit."""
    stopped = Execution(status=int(signal.SIGXCPU), cpu=9.996, wall=10.0)
    assert command_result(stopped, 10.0) | {"execution_time": None} == {
        "status": "TimeLimitExceeded", "execution_time": None, "return_code": None, "stdout": "", "stderr": "",
    }  # fmt: skip
    failed = Execution(status=1 << 8, cpu=0.1, wall=0.1)  # exit 1: finished, with its return code
    assert command_result(failed, 10.0)["status"] == "Finished" and command_result(failed, 10.0)["return_code"] == 1


def test_an_endless_program_ends_at_max_seconds_before_the_graders_timeout():
    """A request's run_timeout (10 s) is cut to what is left of max_seconds, so the call ends ok, before the grader's
    timeout, with SandboxFusion's TimeLimitExceeded instead of a killed call."""
    with Grader("library:run", params={"max_seconds": 1.5}, timeout=10.0, workers=1) as grader:
        started = time.monotonic()
        result = grader.grade("while True:\n    pass\n", {"language": "python", "run_timeout": 10})
        seconds = time.monotonic() - started
    assert result.status is Status.ok and result.score == 0.0
    response = response_of(result.stdout)
    assert response["status"] == "Failed" and response["run_result"]["status"] == "TimeLimitExceeded"
    assert response["run_result"]["return_code"] is None
    assert seconds < 6.0
