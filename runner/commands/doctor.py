"""``rewardbox doctor``: which isolation layers work on this machine, and why not; what a call may start."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform

from rich.console import Console
from rich.table import Table

from rewardbox.graders import LAYER_TITLES, Grader
from rewardbox.graders.errors import IsolationUnavailable
from rewardbox.graders.runtime.conventions import CONVENTIONS
from rewardbox.graders.runtime.conventions import describe as describe_convention

from ..options import FORMAT_DESC, ISOLATION_DESC

_PROBE = "def compute_reward(completion, ground_truth):\n    return 1.0\n"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "doctor",
        help="show which isolation layers work on this machine, and why not",
        description="Start a sandbox with a trivial reward and report every isolation layer: active or not, and why.",
    )
    parser.add_argument("--isolation", choices=("strict", "standard", "minimal"), default="standard", help=ISOLATION_DESC)
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_DESC)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when every layer is active, 1 when some are missing (or strict refused), 2 if no sandbox starts."""
    machine = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "user": "root" if os.geteuid() == 0 else f"uid {os.geteuid()}",
    }
    try:
        with Grader(_PROBE, workers=1, isolation=args.isolation, timeout=10) as grader:
            probe = grader.grade("probe", "probe")
            layers = [{"name": s.name, "title": LAYER_TITLES[s.name], "active": s.active, "detail": s.detail} for s in grader.layers]
            processes = dataclasses.asdict(grader.processes)
    except IsolationUnavailable as exc:
        layers = [{"name": name, "title": LAYER_TITLES[name], "active": False, "detail": why} for name, why in exc.missing.items()]
        probe, processes = None, None
    ok = probe is not None and probe.ok and all(layer["active"] for layer in layers)
    if args.format == "json":
        report = {
            "machine": machine, "isolation": args.isolation, "layers": layers, "processes": processes,
            "conventions": list(CONVENTIONS), "probe_call": probe.status.value if probe else None,
        }
        print(json.dumps(report, indent=2))
    else:
        console = Console()
        console.print(f"{machine['platform']}, Python {machine['python']}, running as {machine['user']}; isolation={args.isolation}")
        table = Table("#", "layer", "state", "detail")
        for number, layer in enumerate(layers, start=1):
            state = "[green]active[/]" if layer["active"] else "[red]missing[/]"
            table.add_row(str(number), layer["title"], state, layer["detail"])
        console.print(table)
        if processes is not None:
            console.print(f"what a call may start: {processes['detail']}", highlight=False, soft_wrap=True)
        console.print(f"rewards taken as written: {'; '.join(describe_convention(name) for name in CONVENTIONS)} (docs/rows.md)", highlight=False, soft_wrap=True)
        console.print(f"probe call: {probe.status.value if probe else 'not run (strict refused)'}")
    return 0 if ok else 1
