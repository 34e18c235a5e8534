"""What the reward tools of ``rewardbox mcp`` do: file paths in, full outputs written to files, a compact summary out.

``Tools`` holds the output directory and the sandbox options the server was started
with; each public method is one tool (lint_reward, check_reward, grade,
hygiene_report, preflight; the training tools are in ``training.py``). Nothing
here imports the MCP SDK (``server.py`` registers the methods and turns errors
into tool errors), so the tools are plain functions a script or a test can call too.

Every call writes its full output into a new numbered folder of the output
directory (``0003-grade/graded.jsonl``) and returns a pydantic summary: the counts,
the verdict, the key figures, the first few findings, and the paths of the files
that hold everything.
"""

from __future__ import annotations

import collections
import io
import json
import statistics
import time
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from rich.console import Console

from rewardbox.graders import Grader
from rewardbox.graders.checks.report import PROPERTIES
from rewardbox.graders.checks import run_checks
from rewardbox.graders.hygiene import SignalFigures, build_report
from rewardbox.graders.lint import SEVERITIES, lint_reward

from ..commands import check as check_command
from ..commands import preflight as preflight_command
from ..errors import UsageError
from ..commands.grade import INVALID_INPUT, graded_records, isolation_line
from ..jsonl import read_grade_input, read_lines
from ..options import PARAMS_DESC, REWARD_DESC
from ..commands.report import graded_report, read_samples, require_scores, write_report
from ..report_plots import require_matplotlib

FIRST = 5  # findings, problems and examples a summary shows; the files hold all of them
PREVIEW_CHARS = 200  # of a prompt or completion shown in a summary
REPORT_SUFFIXES = {"json": "json", "text": "txt", "md": "md", "html": "html"}

# ---- argument descriptions (the JSON schema an agent reads) ---------------------------------------

Reward = Annotated[str, Field(description=f"the reward: {REWARD_DESC}; a relative path is relative to the server's working directory")]
Params = Annotated[dict[str, Any] | None, Field(description=PARAMS_DESC)]
ScoreRange = Annotated[
    tuple[float, float] | None,
    Field(description="the reward's [min, max]: scores outside it are invalid_return, and it tells ALL-min from ALL-max groups"),
]
CheckRange = Annotated[tuple[float, float], Field(description="the declared score range [LO, HI] every score must fall in")]


# ---- summaries ------------------------------------------------------------------------------------


class LintSummary(BaseModel):
    """What ``lint_reward`` found: counts, the first findings, and the files with all of them."""

    reward: str
    findings: int
    by_severity: dict[str, int]
    first: list[str]  # "path:line:col: CODE message"
    outputs: dict[str, str]


class CheckSummary(BaseModel):
    """The property checks: a verdict per property, the failures with what to do, and the full report's files."""

    reward: str
    passed: bool
    properties: dict[str, Literal["pass", "fail", "skip"]]
    failures: list[str]  # "property failed: details (input ...) -> likely causes and fixes"
    seconds: float
    outputs: dict[str, str]


class GradeSummary(BaseModel):
    """A graded JSONL file: counts by status, the mean score, the first problems, and the graded file."""

    reward: str
    lines: int
    status_counts: dict[str, int]  # invalid_input: malformed input lines (kept in the output, never graded)
    score_mean: float | None  # over the lines that were graded; failed calls count with the failure score 0.0
    first_problems: list[str]  # "input.jsonl:LINE: status: last line of the error"
    isolation: str
    missing_layers: dict[str, str]
    seconds: float
    outputs: dict[str, str]


class HygieneSummary(SignalFigures):
    """The hygiene report's key figures, its first recommendations, and the report files."""

    samples: str
    score_source: Literal["stored", "fresh"]
    status_counts: dict[str, int]
    recommendations: list[str]  # "severity code: finding -> action", the first few
    malformed_lines: list[str]  # "samples.jsonl:LINE: error", the first few
    seconds: float
    outputs: dict[str, str]


class PreflightSummary(BaseModel):
    """Preflight's verdict, a line per stage, the first items with their actions, and the full result's files."""

    reward: str
    verdict: Literal["pass", "warn", "fail"]
    stages: dict[str, str]  # stage -> what it found, in one line
    items_by_severity: dict[str, int]
    first_items: list[str]  # "severity [stage] finding -> action", worst first
    seconds: float
    outputs: dict[str, str]


# ---- the output directory -------------------------------------------------------------------------


class Outputs:
    """The output directory: a new numbered folder per tool call, never reused."""

    def __init__(self, root: str) -> None:
        self.root = Path(root).resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"--output-dir {root}: {exc.strerror}") from None

    def folder(self, tool: str) -> Path:
        """A new folder ``NNNN-tool`` numbered after the ones already there (safe against concurrent calls)."""
        number = max((int(path.name[:4]) for path in self.root.iterdir() if path.name[:4].isdigit()), default=0)
        while True:
            number += 1
            folder = self.root / f"{number:04d}-{tool}"
            try:
                folder.mkdir()
                return folder
            except FileExistsError:  # another call took this number first
                continue

    def write(self, tool: str, files: dict[str, tuple[str, str]]) -> dict[str, str]:
        """Write ``{role: (file name, text)}`` into a new folder for ``tool``; the paths by role."""
        folder = self.folder(tool)
        for name, text in files.values():
            (folder / name).write_text(text, encoding="utf-8")
        return {role: str(folder / name) for role, (name, _) in files.items()}


# ---- the tools ------------------------------------------------------------------------------------


class Tools:
    """rewardbox's tools over one output directory, with the sandbox options every grader gets."""

    def __init__(self, outputs: Outputs, sandbox_options: dict) -> None:
        self.outputs = outputs
        self.sandbox_options = sandbox_options

    def lint_reward(
        self,
        reward: Reward,
        select: Annotated[list[str] | None, Field(description="only these rules: codes or prefixes such as RK120, RK13")] = None,
        ignore: Annotated[list[str] | None, Field(description="skip these rules: codes or prefixes")] = None,
    ) -> LintSummary:
        """Find reward bugs in the source with the RK lint rules, without running it.

        Returns the counts by severity and the first findings ("path:line:col: CODE message");
        every finding is in outputs["json"] and outputs["text"]. The rules are in docs/lint-rules.md.
        """
        findings = lint_reward(reward, select, ignore)
        outputs = self.outputs.write(
            "lint",
            {
                "json": ("findings.json", json.dumps([finding.model_dump() for finding in findings], indent=2, ensure_ascii=False)),
                "text": ("findings.txt", "".join(f"{finding}\n" for finding in findings)),
            },
        )
        counts = collections.Counter(finding.severity for finding in findings)
        return LintSummary(
            reward=reward,
            findings=len(findings),
            by_severity={severity: counts[severity] for severity in SEVERITIES},
            first=[str(finding) for finding in findings[:FIRST]],
            outputs=outputs,
        )

    def check_reward(
        self,
        reward: Reward,
        examples_path: Annotated[str | None, Field(description=f"a JSONL file: {check_command.EXAMPLES_DESC}")] = None,
        max_examples: Annotated[int, Field(ge=1, description=check_command.MAX_EXAMPLES_DESC)] = 100,
        score_range: CheckRange = (0.0, 1.0),
        properties: Annotated[
            list[Literal[PROPERTIES]] | None, Field(description=f"check only these properties (default all: {', '.join(PROPERTIES)})")
        ] = None,
        params: Params = None,
    ) -> CheckSummary:
        """Property-test a reward in the sandbox: determinism, type and range, robustness, gold consistency, latency.

        Returns pass/fail/skip per property and, for each failure, the shrunk counterexample with
        the likely causes and their fixes; the full report is in outputs["json"] and outputs["text"].
        """
        examples = check_command.read_examples_file(examples_path, "examples_path") if examples_path else None
        report = run_checks(
            reward,
            examples=examples,
            max_examples=max_examples,
            score_range=score_range,
            properties=properties,
            grader_options=self._grader_options(params),
        )
        text = io.StringIO()
        check_command.render(report, Console(file=text, width=120, highlight=False, soft_wrap=True))
        outputs = self.outputs.write("check", {"json": ("check.json", report.model_dump_json(indent=2)), "text": ("check.txt", text.getvalue())})
        return CheckSummary(
            reward=report.reward,
            passed=report.passed,
            properties={r.property: "skip" if r.skipped else "pass" if r.passed else "fail" for r in report.results},
            failures=[_item_line(item) for item in preflight_command.check_items(report)],
            seconds=round(report.seconds, 2),
            outputs=outputs,
        )

    def grade(
        self,
        reward: Reward,
        input_path: Annotated[
            str,
            Field(description='a JSONL file, one {"completion": str, "ground_truth": any JSON value (optional), ...} a line; a reward naming other fields gets them'),
        ],
        score_range: ScoreRange = None,
        params: Params = None,
    ) -> GradeSummary:
        """Grade every line of a JSONL file with a reward, each call in the sandbox.

        Writes outputs["graded"]: each input line plus score, status, error and duration_ms, in
        input order (a malformed line is kept with status invalid_input). Returns the counts by
        status, the mean score and the first problems with their line numbers.
        """
        started = time.monotonic()
        lines = read_lines(input_path, read_grade_input, f"input_path {input_path}")
        if not lines:
            raise UsageError(f"input_path {input_path}: no lines to grade")
        output = self.outputs.folder("grade") / "graded.jsonl"
        counts: collections.Counter[str] = collections.Counter()
        scores: list[float] = []
        problems: list[str] = []
        with self._grader(reward, score_range, params) as grader, output.open("w", encoding="utf-8") as out:
            for line, record in graded_records(grader, lines, failure_score=0.0):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                counts[record["status"]] += 1
                if record["status"] != INVALID_INPUT:
                    scores.append(record["score"])
                if record["status"] != "ok" and len(problems) < FIRST:
                    problems.append(f"{input_path}:{line.number}: {record['status']}: {_last_line(record['error'])}")
            summary = grader.summary()
        return GradeSummary(
            reward=grader.source.describe(),
            lines=len(lines),
            status_counts=dict(counts.most_common()),
            score_mean=statistics.fmean(scores) if scores else None,
            first_problems=problems,
            isolation=isolation_line(summary),
            missing_layers=summary["missing"],
            seconds=round(time.monotonic() - started, 2),
            outputs={"graded": str(output)},
        )

    def hygiene_report(
        self,
        samples_path: Annotated[
            str,
            Field(
                description='a JSONL file of sampled groups, one {"prompt", "ground_truth", "completions": [str], '
                '"stop_reasons"?, "num_tokens"?, "scores"?} a line (a training run\'s samples.jsonl qualifies)'
            ),
        ],
        reward: Annotated[str | None, Field(description=f"grade every completion fresh with this reward: {REWARD_DESC}; needed when lines have no scores")] = None,
        score_range: ScoreRange = None,
        params: Params = None,
        formats: Annotated[
            tuple[Literal["json", "text", "md", "html"], ...], Field(min_length=1, description="report files to write (md and html have plots)")
        ] = ("json", "text"),
    ) -> HygieneSummary:
        """Report whether sampled GRPO groups carry a learning signal: reward spread, constant groups, errors, truncation.

        Uses the stored scores, or grades every completion fresh with `reward` (then stored scores
        are compared). Returns the key figures and the first recommendations; the full report is in
        outputs (json, text, md, html).
        """
        started = time.monotonic()
        if {"md", "html"} & set(formats):
            require_matplotlib()
        groups, malformed = read_samples(samples_path)
        shown_malformed = [f"{samples_path}:{bad.line}: {bad.error}" for bad in malformed[:FIRST]]
        if not groups:
            raise UsageError(f"samples_path {samples_path}: no valid sample group" + "".join(f"\n{line}" for line in shown_malformed))
        if reward is None:
            require_scores(groups, "reward")
            report = build_report(groups, score_range=score_range)
        else:
            with self._grader(reward, score_range, params) as grader:
                report = graded_report(grader, groups, score_range, Console(stderr=True, quiet=True))
        report = report.model_copy(update={"malformed_lines": malformed})
        folder = self.outputs.folder("hygiene")
        outputs = {fmt: str(folder / f"report.{REPORT_SUFFIXES[fmt]}") for fmt in dict.fromkeys(formats)}
        for fmt, path in outputs.items():
            write_report(report, fmt, path)  # md and html: plots beside the file
        return HygieneSummary(
            **{name: getattr(report, name) for name in SignalFigures.model_fields},
            samples=samples_path,
            score_source=report.score_source,
            status_counts={status: count for status, count in report.status_counts.items() if count},
            recommendations=[f"{r.severity.value} {r.code}: {r.finding} -> {r.action}" for r in report.recommendations[:FIRST]],
            malformed_lines=shown_malformed,
            seconds=round(time.monotonic() - started, 2),
            outputs=outputs,
        )

    def preflight(
        self,
        reward: Reward,
        data_path: Annotated[str, Field(description=preflight_command.DATA_DESC)],
        samples_path: Annotated[str | None, Field(description=preflight_command.SAMPLES_DESC)] = None,
        max_examples: Annotated[int, Field(ge=1, description=preflight_command.MAX_EXAMPLES_DESC)] = 40,
        probe_prompts: Annotated[int, Field(ge=1, description=preflight_command.PROBE_PROMPTS_DESC)] = 50,
        score_range: CheckRange = preflight_command.DEFAULT_RANGE,
        params: Params = None,
    ) -> PreflightSummary:
        """Everything rewardbox knows about a reward before training on it, in one verdict: pass, warn or fail.

        Lints the source, checks its properties on the ground truths of `data_path`, probes the
        reward with right and wrong answers derived from each ground truth, and grades
        `samples_path` into a hygiene report. Returns the verdict, a line per stage and the first
        items with what to do; the full result is in outputs["json"] and outputs["markdown"].
        """
        result = preflight_command.run_preflight(
            reward,
            data_path,
            samples=samples_path,
            max_examples=max_examples,
            probe_prompts=probe_prompts,
            score_range=score_range,
            grader_options=self._grader_options(params),
        )
        outputs = self.outputs.write(
            "preflight",
            {
                "json": ("preflight.json", result.model_dump_json(indent=2)),
                "markdown": ("preflight.md", preflight_command.render_markdown(result)),
            },
        )
        counts = collections.Counter(item.severity for item in result.items)
        return PreflightSummary(
            reward=result.reward,
            verdict=result.verdict.value,
            stages=dict(preflight_command.stage_lines(result)),
            items_by_severity={severity: counts[severity] for severity in ("error", "warning", "info")},
            first_items=[f"{item.severity} [{item.stage}] {_item_line(item)}" for item in result.items[:FIRST]],
            seconds=result.seconds,
            outputs=outputs,
        )

    # ---- helpers ------------------------------------------------------------------------------

    def _grader_options(self, params: dict[str, Any] | None) -> dict:
        return {**self.sandbox_options, "params": params} if params else dict(self.sandbox_options)

    def _grader(self, reward: str, score_range: tuple[float, float] | None, params: dict[str, Any] | None) -> Grader:
        return Grader(reward, score_range=score_range, **self._grader_options(params))


def _item_line(item: preflight_command.Item) -> str:
    return f"{item.finding} -> {item.action}"


def _last_line(error: str | None) -> str:
    """The last non-blank line of an error (a traceback's exception line)."""
    lines = [line for line in (error or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no error text"


def preview(value: object) -> str:
    """A prompt (text or chat messages) or completion, shortened to ``PREVIEW_CHARS``."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return repr(text) if len(text) <= PREVIEW_CHARS else repr(text[:PREVIEW_CHARS]) + f"... ({len(text):,} characters)"
