"""``rewardbox lint``: find reward bugs in the source with the RK rules, without running it."""

from __future__ import annotations

import argparse
import json
import sys

from rewardbox.graders.lint import SEVERITIES, Finding, lint_reward, select_rules
from rewardbox.graders.lint.engine import reward_convention
from rewardbox.graders.runtime.conventions import CONVENTIONS
from rewardbox.graders.runtime.conventions import describe as describe_convention

from ..errors import UsageError
from ..options import CONVENTION_DESC, FORMAT_DESC, REWARD_DESC

SELECT_DESC = "only these rules: comma-separated codes or prefixes, e.g. RK120,RK13 (default: all)"
IGNORE_DESC = "skip these rules: comma-separated codes or prefixes, e.g. RK140,RK141"
LINT_RESTRICTED_DESC = (
    "also report what RestrictedPython's compiler rejects (RK190), i.e. what stops the reward from loading "
    "with `rewardbox grade --restricted` / Grader(restricted=True)"
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lint",
        help="find reward bugs in the source without running it (RK rules)",
        description="Check REWARD's source with the RK rules (static analysis, nothing is executed). "
        "Prints path:line:col: CODE message per finding. Exit 0 when no finding is an error, 1 when one is, "
        "2 for usage or load errors. The rules: docs/lint-rules.md; silence one line with `# noqa: CODE`.",
    )
    parser.add_argument("reward", metavar="REWARD", help=REWARD_DESC)
    parser.add_argument("--format", choices=("text", "json"), default="text", help=FORMAT_DESC)
    parser.add_argument("--select", metavar="CODES", help=SELECT_DESC)
    parser.add_argument("--ignore", metavar="CODES", help=IGNORE_DESC)
    parser.add_argument("--restricted", action="store_true", help=LINT_RESTRICTED_DESC)
    parser.add_argument("--convention", choices=CONVENTIONS, metavar="NAME", help=CONVENTION_DESC)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when no finding is an error, 1 when one is, 2 on usage or load errors."""
    select, ignore = _codes("--select", args.select), _codes("--ignore", args.ignore)
    findings = lint_reward(args.reward, select, ignore, restricted=args.restricted, convention=args.convention)  # a RewardLoadError exits 2 in cli.main
    if args.reward.startswith("library:"):
        print(f"rewardbox lint: {args.reward} is one of rewardbox's own rewards, linted by its test suite: nothing to check", file=sys.stderr)
    else:
        convention = args.convention or reward_convention(args.reward)
        if convention not in (None, "rewardbox"):
            print(f"rewardbox lint: read as {describe_convention(convention)}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps([finding.model_dump() for finding in findings], indent=2, ensure_ascii=False))
    else:
        for finding in findings:
            print(finding)
        print(_summary(findings), file=sys.stderr)
    return 1 if any(finding.severity == "error" for finding in findings) else 0


def _codes(flag: str, text: str | None) -> list[str] | None:
    """Comma-separated codes from ``flag``, each checked against the rules; None when the flag is absent."""
    if text is None:
        return None
    codes = [code.strip() for code in text.split(",") if code.strip()]
    if not codes:
        raise UsageError(f"{flag} {text!r}: expected comma-separated rule codes such as RK120,RK13")
    try:
        select_rules(codes)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return codes


def _summary(findings: list[Finding]) -> str:
    if not findings:
        return "no findings"
    counts = {severity: sum(f.severity == severity for f in findings) for severity in SEVERITIES}
    parts = [f"{count} {severity}{'s' if count != 1 else ''}" for severity, count in counts.items() if count]
    return f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {', '.join(parts)}"
