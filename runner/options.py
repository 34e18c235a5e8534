"""Options shared by every command that starts a grader, each described once.

A command adds them with ``add_grader_options(parser)`` and turns the parsed
arguments into ``Grader`` keyword arguments with ``grader_options(args)``; the
help texts are named constants so the flags, config keys and docs cannot drift.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import threading
from typing import Callable, Iterator

from rewardbox.graders import Grader

from rewardbox.graders.runtime.conventions import CONVENTIONS

from .errors import UsageError

REWARD_DESC = "a .py file, 'module:function', 'library:NAME' or source code"
TIMEOUT_DESC = "wall-clock seconds one call may take before it is killed and scored as timeout (default 10)"
WORKERS_DESC = (
    "calls run in parallel: on this machine (default: its cores), or with --backend ray on each node, capped at "
    "the node's CPUs (default: all of them)"
)
MEMORY_DESC = "address-space limit of one call in MiB (default 2048)"
MODE_DESC = (
    "fresh: a fresh sandboxed process per call (the default for your own code); warm: a confined process serves up "
    "to 1,024 calls and is replaced after any call that fails or leaves a thread, a new module or a rebound global "
    "behind (the default for library rewards other than code; for trusted, stateless code)"
)
CALLS_PER_PROCESS_DESC = (
    "advanced: calls one sandboxed process serves before it is replaced (with --mode warm: at most this many; "
    "alone: exactly this many, with no retirement, so state carries between calls; prefer --mode)"
)
ISOLATION_DESC = (
    "strict: refuse to run unless every layer is active; standard (default): use every layer this machine offers "
    "and say which are missing; minimal: only the exec'd zygote, environment, timeouts, rlimits and result channel"
)
RANGE_DESC = "declared score range LO,HI, e.g. 0,1 or -1,1 (default: any finite score stands)"
OUT_OF_RANGE_DESC = "what a score outside --range becomes: invalid (status invalid_return, default) or clamp"
PARAM_DESC = "a parameter for a library reward, KEY=VALUE (VALUE parsed as JSON when it can be); repeatable"
PARAMS_DESC = "parameters for a library reward as one JSON object"
FAILURE_SCORE_DESC = "score given to calls that fail (exception, timeout, crash, invalid return); default 0.0"
BACKEND_DESC = (
    "local (default): grade on this machine; ray: spread batches over Ray actors, one on every node, each "
    "running a sandboxed pool of --workers processes capped at its node's CPUs (default: all of them); "
    "needs the ray extra and rewardbox on every node"
)
RAY_ADDRESS_DESC = (
    "the Ray cluster to use with --backend ray: HOST:PORT of its head (the GCS port, 6379 by default), "
    "ray://HOST:PORT for Ray Client (port 10001 by default; needs pip install 'ray[client]'), or auto "
    "(default: Ray's own search, RAY_ADDRESS then a cluster started with `ray start` here, "
    "else a local Ray instance that lives as long as the command)"
)
RAY_ACTORS_DESC = (
    "Ray actors with --backend ray (default: one on every node with CPUs, running --workers call processes; "
    "a number here is spread by Ray, each actor capped at the smallest node's CPUs)"
)
RAY_RETRIES_DESC = (
    "times a call whose Ray actor was lost (node died, actor killed or hung) runs again on another actor "
    "before it is recorded as crashed (timeout for a hung actor), with the reason (default 2)"
)
CONVENTION_DESC = (
    "the harness whose signature the reward is written in: rewardbox f(completion, ground_truth), trl, verl, openrlhf, "
    "verifiers, reasoning_gym or openai (default: recognised from its parameter names); see docs/rows.md"
)
FORMAT_DESC = "output format"
RESTRICTED_DESC = (
    "also compile the reward with RestrictedPython and run it with its guards (.py files and source code only): "
    "an extra layer on top of the sandbox, never a security boundary by itself"
)


def add_sandbox_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """The options of ``Grader`` that say how the reward runs: timeout, workers, memory, isolation, parameters."""
    parser.add_argument("--timeout", type=float, default=10.0, metavar="S", help=TIMEOUT_DESC)
    parser.add_argument("--workers", type=int, default=None, metavar="N", help=WORKERS_DESC)
    parser.add_argument("--memory-mb", type=int, default=2048, metavar="M", help=MEMORY_DESC)
    parser.add_argument("--isolation", choices=("strict", "standard", "minimal"), default="standard", help=ISOLATION_DESC)
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help=PARAM_DESC)
    parser.add_argument("--params", metavar="JSON", help=PARAMS_DESC)
    parser.add_argument("--restricted", action="store_true", help=RESTRICTED_DESC)
    parser.add_argument("--convention", choices=CONVENTIONS, metavar="NAME", help=CONVENTION_DESC)
    parser.add_argument("--backend", choices=("local", "ray"), default="local", help=BACKEND_DESC)
    parser.add_argument("--ray-address", metavar="ADDR", help=RAY_ADDRESS_DESC)
    parser.add_argument("--ray-actors", type=int, metavar="N", help=RAY_ACTORS_DESC)
    parser.add_argument("--ray-retries", type=int, metavar="N", help=RAY_RETRIES_DESC)


def sandbox_options(args: argparse.Namespace) -> dict:
    """``Grader`` keyword arguments from flags added by ``add_sandbox_options``."""
    ray_flags = {"--ray-address": args.ray_address, "--ray-actors": args.ray_actors, "--ray-retries": args.ray_retries}
    given = [flag for flag, value in ray_flags.items() if value is not None]
    if args.backend != "ray" and given:
        raise UsageError(f"{' and '.join(given)} {'needs' if len(given) == 1 else 'need'} --backend ray")
    return dict(
        timeout=args.timeout,
        workers=args.workers,
        memory_mb=args.memory_mb,
        isolation=args.isolation,
        params=parse_params(args.param, args.params),
        restricted=args.restricted,
        convention=args.convention,
        backend=args.backend,
        address=args.ray_address,
        ray_actors=args.ray_actors,
        **({"ray_retries": args.ray_retries} if args.ray_retries is not None else {}),
    )


def add_grader_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup, *, range_help: str = RANGE_DESC) -> None:
    """The sandbox and scoring options of ``Grader``, as flags (a command may say more about what --range does for it)."""
    add_sandbox_options(parser)
    parser.add_argument("--mode", choices=("fresh", "warm"), help=MODE_DESC)
    parser.add_argument("--calls-per-process", type=int, metavar="N", help=CALLS_PER_PROCESS_DESC)
    parser.add_argument("--range", dest="score_range", metavar="LO,HI", help=range_help)
    parser.add_argument("--out-of-range", choices=("invalid", "clamp"), default="invalid", help=OUT_OF_RANGE_DESC)
    parser.add_argument("--failure-score", type=float, default=0.0, metavar="X", help=FAILURE_SCORE_DESC)


def grader_options(args: argparse.Namespace) -> dict:
    """``Grader`` keyword arguments from flags added by ``add_grader_options``."""
    return dict(
        sandbox_options(args),
        calls_per_process=args.calls_per_process,
        mode=args.mode,
        failure_score=args.failure_score,
        score_range=parse_range(args.score_range),
        out_of_range=args.out_of_range,
    )


def start_grader(args: argparse.Namespace) -> Grader:
    """A grader for ``args.reward`` with the flags of ``add_grader_options``; a bad flag value is a ``UsageError``.

    Load errors (``RewardLoadError``, ``IsolationUnavailable``) and ``BackendUnavailable`` propagate:
    ``cli.main`` reports them and exits 2.
    """
    options = grader_options(args)
    try:
        return Grader(args.reward, **options)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


@contextlib.contextmanager
def grader_starting(args: argparse.Namespace) -> Iterator[Callable[[], Grader]]:
    """``start_grader(args)`` in a thread; yields a function that waits for the grader (raising what starting raised).

    Starting a grader is mostly waiting: for a new interpreter to import the reward in the zygote. Meanwhile
    this process goes on importing what the command draws with and reading its input, so a short command
    takes the slower of the two, not their sum. The grader is closed when the block ends, however it ends.
    """
    outcome: dict[str, object] = {}

    def start() -> None:
        try:
            outcome["grader"] = start_grader(args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread by wait()
            outcome["error"] = exc

    thread = threading.Thread(target=start, name="rewardbox-start", daemon=True)
    thread.start()

    def wait() -> Grader:
        thread.join()
        if "error" in outcome:
            raise outcome.pop("error")  # type: ignore[misc]
        return outcome["grader"]  # type: ignore[return-value]

    try:
        yield wait
    finally:
        thread.join()
        grader = outcome.get("grader")
        if grader is not None:
            grader.close()  # type: ignore[attr-defined]


def parse_range(text: str | None, flag: str = "--range", example: str = "0,1") -> tuple[float, float] | None:
    """``LO,HI`` as two finite floats with LO < HI; a bad value is a usage error naming ``flag``."""
    if text is None:
        return None
    try:
        low, high = (float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(f"{flag} {text!r}: expected LO,HI such as {example}") from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise UsageError(f"{flag} {text!r}: expected finite numbers")
    if not low < high:
        raise UsageError(f"{flag} {text!r}: LO must be below HI")
    return low, high


def parse_params(pairs: list[str], blob: str | None) -> dict:
    """``--params JSON`` and ``--param KEY=VALUE`` into one dict; VALUE is JSON when it parses, else a string."""
    params: dict = {}
    if blob:
        try:
            loaded = json.loads(blob)
        except json.JSONDecodeError as exc:
            raise UsageError(f"--params is not valid JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise UsageError("--params must be a JSON object")
        params.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--param {pair!r}: expected KEY=VALUE")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value
    return params
