"""``run_program``: compile and run one program with its stdin and files, SandboxFusion's ``/run_code`` in a reward's shape.

The completion is the code; the ground truth is the request: ``language`` (SandboxFusion's names
or rewardbox's), ``stdin``, ``files`` (path -> base64, written beside the program, which runs in
that folder and may import them), ``fetch_files`` (read back after the run, base64),
``compile_timeout`` and ``run_timeout`` (seconds) and ``memory_limit_MB``. It runs confined like
the code judge's programs, in the sandboxed call. The call prints the outcome as one JSON line
(``RESULT_MARKER`` first) in SandboxFusion's response shape; the score is 1.0 when the program
compiled and exited 0 (``Success``), else 0.0. ``rewardbox serve`` answers ``/run_code`` with it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import signal
import time
from typing import Any, ClassVar

from pydantic import Field

from ..base import Example, GoldUnparseable, Reward
from .languages import LANGUAGES, Language, LanguageUnavailable
from .programs import Confinement, Execution, TestLimits, Workspace, build, program_env, run_direct

RESULT_MARKER = "rewardbox-run-result: "
# SandboxFusion's names of the languages rewardbox runs (the others of its list are refused by name)
SANDBOX_FUSION_LANGUAGES = {"python": "python", "cpp": "cpp", "nodejs": "javascript", "go": "go", "java": "java", "rust": "rust", "c": "c"}
_PATH_PARTS_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")


def command_result(execution: Execution, limit_seconds: float) -> dict[str, Any]:
    """A process's outcome as SandboxFusion's ``CommandRunResult``: TLE has no return code; stderr is always text.

    Past the time limit is the wall clock, the CPU time, or the CPU limit's own signal (the kernel sends SIGXCPU
    at the limit's whole second, so the CPU time read can sit a hair below it)."""
    timed_out = execution.timed_out or execution.cpu > limit_seconds or execution.signal == signal.SIGXCPU
    return {
        "status": "TimeLimitExceeded" if timed_out else "Finished",
        "execution_time": round(execution.wall, 6),
        "return_code": None if timed_out else (execution.exit_code if execution.exit_code is not None else 128 + (execution.signal or 0)),
        "stdout": execution.stdout.decode("utf-8", "replace"),
        "stderr": execution.stderr.decode("utf-8", "replace"),
    }


def _relative(path: str) -> str:
    """A file path of the request, checked: relative, without ``..``, plain characters."""
    if not path or path.startswith("/") or any(part in ("", "..") for part in path.split("/")) or not set(path) <= _PATH_PARTS_ALLOWED:
        raise GoldUnparseable(f"run_program: file path {path!r} must be relative, without '..', of letters, digits, '.', '_', '-' and '/'")
    return path


class run_program(Reward):
    """1.0 when the completion, run as a program with the request's stdin and files, compiles and exits 0; prints the outcome.

    The ground truth is a SandboxFusion ``/run_code`` request without its code (``language``, ``stdin``,
    ``files``, ``fetch_files``, ``compile_timeout``, ``run_timeout``, ``memory_limit_MB``); the program runs
    confined as the code judge's do, and the call prints SandboxFusion's response after ``RESULT_MARKER``
    (``rewardbox serve`` answers ``/run_code`` with it).

    Parameters:
        output_mb: output kept per stream (beyond it the program is killed; SandboxFusion keeps 1 MiB).
        memory_mb: memory limit when the request gives none (``memory_limit_MB`` -1).
        max_seconds: compiling and running together never take longer; a request's
            ``compile_timeout``/``run_timeout`` (10 s each by default) is cut to what remains.
            Keep the grader's ``timeout`` above it (``rewardbox serve`` sets 170 s, under its 180).

    Range [0, 1].

    >>> run_program()("print(input()[::-1])", {"language": "python", "stdin": "abc"})  # doctest: +SKIP
    1.0
    """

    output_mb: float = Field(1.0, gt=0, le=64)
    memory_mb: int = Field(1024, ge=32, le=16384)
    max_seconds: float = Field(8.0, gt=0, le=3600)

    examples: ClassVar[tuple[Example, ...]] = (
        Example("print(input()[::-1])", {"language": "python", "stdin": "abc\n"}, 1.0),
        Example("import sys\nsys.exit(3)", {"language": "python"}, 0.0),
        Example("while True:\n    pass", {"language": "python", "run_timeout": 1}, 0.0),
    )

    def warm_up(self) -> None:
        """Nothing to warm: programs run in processes of their own."""

    def __call__(self, completion: str, ground_truth: Any) -> float:
        request = ground_truth if isinstance(ground_truth, dict) else {}
        name = SANDBOX_FUSION_LANGUAGES.get(str(request.get("language", "python")), str(request.get("language")))
        if name not in LANGUAGES:
            raise LanguageUnavailable(f"language {request.get('language')!r} is not one rewardbox runs: {', '.join(SANDBOX_FUSION_LANGUAGES)}")
        response = self._run(LANGUAGES[name], name, completion, request)
        print(RESULT_MARKER + json.dumps(response))
        return 1.0 if response["status"] == "Success" else 0.0

    def _run(self, language: Language, name: str, code: str, request: dict) -> dict[str, Any]:
        deadline = time.monotonic() + self.max_seconds
        compile_timeout = min(float(request.get("compile_timeout") or 10), self.max_seconds)
        memory = int(request.get("memory_limit_MB") or -1)
        memory_mb = memory if memory > 0 else self.memory_mb
        workspace = Workspace()
        workspace.build = workspace.run  # one folder: the program imports the files beside it, as SandboxFusion runs it
        try:
            for path, content in (request.get("files") or {}).items():
                target = os.path.join(workspace.run, _relative(path))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(base64.b64decode(content) if content else b"")
            compile_result = None
            if language.compile:
                language = language.model_copy(update={"compile_seconds": compile_timeout})
            built = build(language, name, code, workspace, memory_mb)
            if language.compile:
                compile_result = {"status": "Finished", "execution_time": None, "return_code": 0 if built.compile_error is None else 1, "stdout": "", "stderr": built.compile_error or ""}
                if built.compile_error is not None:
                    if "ran out of time" in built.compile_error:
                        compile_result.update(status="TimeLimitExceeded", return_code=None)
                    return {"status": "Failed", "message": "", "compile_result": compile_result, "run_result": None, "executor_pod_name": None, "files": {}}
            run_timeout = max(0.1, min(float(request.get("run_timeout") or 10), deadline - time.monotonic()))
            limits = TestLimits(run_timeout, run_timeout, memory_mb, int(self.output_mb * (1 << 20)), language.memory, overhead_mb=language.memory_overhead_mb)
            confinement = Confinement([workspace.run], workspace.run)
            try:
                stdin = (request.get("stdin") or "").encode("utf-8")
                execution = run_direct(built.argv, program_env(language, workspace.run, workspace.run, memory_mb), workspace.run, stdin, limits, confinement)
            finally:
                confinement.close()
            run_result = command_result(execution, run_timeout)
            status = "Success" if run_result["status"] == "Finished" and run_result["return_code"] == 0 else "Failed"
            fetched = {}
            for path in request.get("fetch_files") or []:
                target = os.path.join(workspace.run, _relative(path))
                if os.path.isfile(target):
                    with open(target, "rb") as handle:
                        fetched[path] = base64.b64encode(handle.read()).decode()
            return {"status": status, "message": "", "compile_result": compile_result, "run_result": run_result, "executor_pod_name": None, "files": fetched}
        except (binascii.Error, ValueError) as exc:
            raise GoldUnparseable(f"run_program: a file is not base64: {exc}") from None
        finally:
            workspace.close()
