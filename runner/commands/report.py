"""``rewardbox report``: the hygiene report of sampled GRPO groups, graded here or with stored scores.

The pieces are also what ``rewardbox preflight`` and ``rewardbox mcp`` build on:
``read_samples`` (a JSONL file into groups plus the lines it had to leave out),
``graded_report`` (the report of groups graded fresh, through ``grade_groups``:
scores, statuses, components and latencies from a grader) and ``write_report``
(any format, to a file or stdout).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from rewardbox.graders import Grader, GradeResult
from rewardbox.graders.hygiene import HygieneReport, MalformedLine, SampleGroup, build_report

from ..errors import UsageError
from ..jsonl import open_output, read_lines, read_objects
from ..options import FORMAT_DESC, REWARD_DESC, add_grader_options, parse_range, start_grader
from ..progress import progress_bar
from ..report_plots import require_matplotlib
from ..report_render import render_html, render_json, render_markdown, render_text

FORMATS = ("text", "json", "md", "html")
SUFFIX_FORMATS = {".json": "json", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
REPORT_REWARD_DESC = (
    f"grade every completion with this reward in the sandbox: {REWARD_DESC}. Needed when lines have no 'scores'; "
    "with stored scores too, the report says where they disagree"
)
REPORT_FORMAT_DESC = f"{FORMAT_DESC}: text (a table, default), json (the full report), md or html (with plots); default from -o's suffix, else text"
OUTPUT_DESC = "write the report here instead of stdout; Markdown plots go to NAME_plots/ next to it"
REPORT_RANGE_DESC = (
    "the reward's minimum and maximum LO,HI, e.g. 0,1: what ALL-min and ALL-max mean in the report (default: [0, 1] "
    "widened to every score seen); with --reward, scores outside it are invalid_return (see --out-of-range)"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "report",
        help="reward-hygiene report of sampled groups: signal, errors, truncation, recommendations",
        description="Report whether sampled GRPO groups carry a learning signal. Each line of SAMPLES is "
        '{"prompt": ..., "ground_truth": str, "completions": [str], "stop_reasons"?: [str], "num_tokens"?: [int], '
        '"scores"?: [float], "step"?: int}. Exit status: 0 report written, 1 report written but some lines were '
        "malformed (listed on stderr and in the report), 2 usage or load error.",
    )
    parser.add_argument("samples", metavar="SAMPLES.jsonl", help="sample groups, one per line ('-' for stdin)")
    parser.add_argument("--reward", metavar="REWARD", help=REPORT_REWARD_DESC)
    parser.add_argument("--format", choices=FORMATS, help=REPORT_FORMAT_DESC)
    parser.add_argument("-o", "--output", metavar="FILE", help=OUTPUT_DESC)
    add_grader_options(parser.add_argument_group("grading (with --reward; --range also sets the report's range)"), range_help=REPORT_RANGE_DESC)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the report was written, 1 when some lines were malformed, 2 on usage or load errors, 130 on Ctrl-C."""
    console = Console(stderr=True)
    fmt = args.format or SUFFIX_FORMATS.get(Path(args.output or "").suffix.lower(), "text")
    score_range = parse_range(args.score_range)
    if fmt in ("md", "html"):
        require_matplotlib()  # before any grading, not after
    groups, malformed = read_samples(args.samples)
    for bad in malformed:
        console.print(f"[yellow]{args.samples}:{bad.line}: {bad.error}[/]", highlight=False, soft_wrap=True)
    if not groups:
        if malformed:
            console.print(f"[red]no valid group in {args.samples}: nothing to report[/]", highlight=False)
            return 1
        raise UsageError(f"{args.samples} holds no sample groups")
    if args.reward is None:
        require_scores(groups, "--reward")
        report = build_report(groups, score_range=score_range)
    else:
        with start_grader(args) as grader:
            try:
                report = graded_report(grader, groups, score_range, console)
            except KeyboardInterrupt:
                console.print("[yellow]interrupted: no report written[/]")
                return 130
    write_report(report.model_copy(update={"malformed_lines": malformed}), fmt, args.output)
    return 1 if malformed else 0


def read_samples(path: str) -> tuple[list[SampleGroup], list[MalformedLine]]:
    """The groups of a JSONL file, each labelled ``path:line``, and the malformed lines with the reason."""
    groups: list[SampleGroup] = []
    malformed: list[MalformedLine] = []
    for line in read_lines(path, read_objects, path):
        if line.error is not None:
            malformed.append(MalformedLine(line=line.number, error=line.error))
            continue
        try:
            groups.append(SampleGroup.model_validate({**line.record, "label": f"{path}:{line.number}"}))
        except ValidationError as exc:
            malformed.append(MalformedLine(line=line.number, error=_explain(exc)))
    return groups, malformed


def _explain(exc: ValidationError) -> str:
    """Pydantic's errors as one line that names each field: "'scores'[2]: Input should be a finite number"."""
    problems = []
    for error in exc.errors(include_url=False):
        if error["type"] == "value_error":
            problems.append(str(error["ctx"]["error"]))
            continue
        field, *index = error["loc"]
        where = f"'{field}'" + "".join(f"[{part}]" if isinstance(part, int) else "" for part in index)
        problems.append(f"{where}: {'missing' if error['type'] == 'missing' else error['msg']}")
    return "; ".join(dict.fromkeys(problems))


@dataclass(frozen=True)
class Graded:
    """Fresh gradings of sample groups: the groups with statuses and components, their scores and latencies."""

    groups: list[SampleGroup]
    scores: list[list[float]]
    latencies_ms: list[float]


def grade_groups(grader: Grader, groups: list[SampleGroup], console: Console) -> Graded:
    """Grade every completion of ``groups`` (a progress bar on a terminal); the groups come back with statuses and components.

    Each completion is graded as the row ``{prompt, completion, ground_truth, ...the line's other keys}``; a
    group without a ground truth, for a reward that takes one without a default, is a ``UsageError``."""
    binding = grader.binding
    if binding.needs_ground_truth:
        missing = next((group.label or f"group {index}" for index, group in enumerate(groups) if group.ground_truth is None), None)
        if missing is not None:
            raise UsageError(f"{missing}: no 'ground_truth', which {binding.signature} takes without a default")
    if binding.takes_fields:
        items = [
            {**(group.model_extra or {}), "prompt": group.prompt, "completion": completion, "ground_truth": group.ground_truth}
            for group in groups
            for completion in group.completions
        ]
    else:
        items = [(completion, group.ground_truth) for group in groups for completion in group.completions]
    results: list[GradeResult] = [None] * len(items)  # type: ignore[list-item]  # every index is filled below
    with progress_bar(console, len(items)) as advance:
        for index, result in grader.iter_results(items):
            results[index] = result
            advance()
    graded_groups, scores, start = [], [], 0
    for group in groups:
        results_G = results[start : start + len(group.completions)]
        start += len(group.completions)
        scores.append([result.score for result in results_G])
        graded_groups.append(
            group.model_copy(update={"statuses": [r.status.value for r in results_G], "components": [r.components for r in results_G]})
        )
    return Graded(graded_groups, scores, [result.duration_ms for result in results])


def require_scores(groups: list[SampleGroup], reward_option: str) -> None:
    """Raise ``UsageError`` naming the first group without stored ``scores`` (without ``reward_option``, nothing can grade it)."""
    unscored = [group.label for group in groups if group.scores is None]
    if unscored:
        more = f" (and {len(unscored) - 1} more)" if len(unscored) > 1 else ""
        raise UsageError(f"{unscored[0]}: no 'scores' and no {reward_option} to grade with{more}")


def graded_report(grader: Grader, groups: list[SampleGroup], score_range: tuple[float, float] | None, console: Console) -> HygieneReport:
    """The hygiene report of ``groups`` with every completion graded fresh by ``grader`` (stored scores are compared)."""
    graded = grade_groups(grader, groups, console)
    return build_report(graded.groups, score_range=score_range, fresh_scores=graded.scores, latencies_ms=graded.latencies_ms)


def write_report(report: HygieneReport, fmt: str, output: str | None) -> None:
    """Render ``report`` as ``fmt`` to ``output`` (stdout for None or '-'); Markdown plots go to NAME_plots/ beside a file."""
    with open_output(output) as stream:
        if fmt == "text":
            Console(file=stream, width=None if stream.isatty() else 120).print(render_text(report))
        elif fmt == "json":
            stream.write(render_json(report))
        elif fmt == "html":
            stream.write(render_html(report))
        else:
            to_file = output not in (None, "-")
            text, files = render_markdown(report, f"{Path(output).stem}_plots" if to_file else None)
            for name, data in files.items():
                path = Path(output).parent / name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data)
            stream.write(text)
