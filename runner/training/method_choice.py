"""GRPO or SFT? The choice from evidence, as one pure function: ``recommend_method(Evidence) -> MethodAdvice``.

The playbook's rule: if correctness can be verified deterministically from
``(completion, ground_truth)``, train with GRPO; if "good" is subjective, train with SFT on
reference responses. "Verified" is not taken on trust; it is what the evidence shows:

- the data has ground truths to verify against (``DataEvidence.answers``);
- the reward loads, and passes the determinism and gold-consistency property checks
  (``rewardbox.graders.checks.run_checks``);
- on probe completions around real ground truths (``rewardbox.graders.checks.probes``, summed up by
  ``probing.probe_summary``) it gives signal: the best right answer scores above every wrong,
  cut-off, unrelated and empty one for nearly every ground truth probed (``SIGNAL_SHARE``).

Without all three, a reward would train on noise; SFT is then the method if the data holds
reference responses, and neither method can start if it does not. Every reason cites the
evidence it rests on, so ``rewardbox advise`` and ``rewardbox preflight`` can print them as they are.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, Field

from ..probing import ProbeSummary

SIGNAL_SHARE = 0.9  # probed ground truths whose best right answer must outscore every other probe
REQUIRED_CHECKS = ("determinism", "gold_consistency")
Method = Literal["grpo", "sft", "neither"]


class DataEvidence(BaseModel):
    """What the data holds: rows, and how many have a prompt, a ground truth, a reference response."""

    source: str
    rows: int
    prompts: int
    answers: int
    responses: int
    answer_column: str
    response_column: str


class PropertyLike(Protocol):
    """The fields of ``rewardbox.graders.checks.report.PropertyResult`` used here."""

    property: str
    passed: bool
    skipped: bool
    details: str


class CheckEvidence(BaseModel):
    """One property check that ran: its verdict, its summary and, when it failed, what went wrong."""

    property: str
    passed: bool
    skipped: bool = False
    details: str
    problem: str | None = None  # the counterexample's problem, when it failed

    @classmethod
    def from_result(cls, result: PropertyLike) -> CheckEvidence:
        """From a ``PropertyResult`` of ``run_checks``."""
        counterexample = getattr(result, "counterexample", None)
        return cls(
            property=result.property,
            passed=result.passed,
            skipped=result.skipped,
            details=result.details,
            problem=None if counterexample is None else counterexample.problem,
        )


class RewardEvidence(BaseModel):
    """What is known about the reward: whether it loads, the checks that ran, the probes."""

    reward: str
    load_error: str | None = None
    checks: list[CheckEvidence] = Field(default_factory=list)
    probes: ProbeSummary | None = None  # rewardbox preflight's figures over probed ground truths


class Evidence(BaseModel):
    data: DataEvidence
    reward: RewardEvidence | None = None


class MethodAdvice(BaseModel):
    """The recommended method, why (each reason citing its evidence), and what to do next."""

    method: Method
    reasons: list[str]
    next_steps: list[str]


def recommend_method(evidence: Evidence) -> MethodAdvice:
    """GRPO when a verified reward and ground truths exist; else SFT when reference responses exist; else neither."""
    data, reward = evidence.data, evidence.reward
    reasons = [_data_reason(data)]
    if reward is None:
        reasons.append("no reward was given, so correctness cannot be verified from (completion, ground_truth)")
        steps = ["pass --reward REWARD to check whether a reward can verify the ground truths (GRPO)"] if data.answers else []
        return _fallback(data, reasons, steps)
    if reward.load_error is not None:
        reasons.append(f"the reward {reward.reward} does not load: {reward.load_error}")
        return _fallback(data, reasons, [f"fix the reward so it loads (rewardbox lint {reward.reward})"])
    if not data.answers:
        reasons.append(
            f"no row has a ground truth (column '{data.answer_column}'), so the reward has nothing to verify a completion against"
            + (": the data holds reference responses without a checkable answer" if data.responses else "")
        )
        return _fallback(data, reasons, [f"point --answer-column at the column with the checkable answer, if there is one"])
    verified, findings = _verified(reward)
    reasons += findings
    if verified:
        steps = [f"rewardbox train with method = \"grpo\" and reward = {reward.reward!r}"]
        if data.responses:
            steps.append("the data also holds reference responses: a short SFT run first (method = \"sft\") can warm-start GRPO")
        return MethodAdvice(method="grpo", reasons=reasons, next_steps=steps)
    failed = any(not check.passed and not check.skipped for check in reward.checks)
    if not failed and reward.probes is not None and reward.probes.prompts == 0:  # structured ground truths: nothing failed
        step = (f"verify the reward on real completions: rewardbox preflight {reward.reward} --data {data.source} "
                "--samples SAMPLES.jsonl (sampled groups); GRPO once it shows signal there")
        return _fallback(data, reasons, [step])
    return _fallback(data, reasons, [f"fix the reward (rewardbox check {reward.reward} shows the failing inputs), then run advise again"])


def _verified(reward: RewardEvidence) -> tuple[bool, list[str]]:
    """Whether the checks and probes verify the reward, and one finding per piece of evidence."""
    findings, verified = [], True
    by_name = {check.property: check for check in reward.checks}
    for name in REQUIRED_CHECKS:
        check = by_name.get(name)
        if check is None:
            findings.append(f"{name}: not checked, so the reward is not verified")
            verified = False
        elif check.skipped or not check.passed:
            verdict = "skipped" if check.skipped else "failed"
            findings.append(f"{name} check {verdict}: {check.problem or check.details}")
            verified = False
        else:
            findings.append(f"{name} check passed: {check.details}")
    probes = reward.probes
    if probes is None:
        findings.append("probes: not run, so the reward's signal is unknown")
        return False, findings
    if probes.prompts == 0:
        kinds = "/".join(probes.skipped_kinds) or "absent"
        findings.append(f"probes: the ground truths are {kinds}, with no answer the probes can write, so the reward's signal is unknown")
        return False, findings
    signal = probes.signal_fraction >= SIGNAL_SHARE
    findings.append(
        f"probes on {probes.prompts} ground truths: the best right answer outscores every wrong, cut-off, unrelated and "
        f"empty completion for {probes.signal_fraction:.0%}, scores the maximum for {probes.gold_max_fraction:.0%}; "
        f"wrong, unrelated and empty text scores the minimum for {probes.wrong_min_fraction:.0%}; "
        + ("so the reward gives signal" if signal else f"below {SIGNAL_SHARE:.0%} signal, so the reward gives too little to learn from")
    )
    return verified and signal, findings


def _fallback(data: DataEvidence, reasons: list[str], steps: list[str]) -> MethodAdvice:
    """SFT when the data holds reference responses; otherwise neither method can start."""
    if data.responses:
        reasons.append(f"{data.responses} of {data.rows} rows hold a reference response (column '{data.response_column}') to learn from")
        return MethodAdvice(method="sft", reasons=reasons, next_steps=[*steps, 'rewardbox train with method = "sft"'])
    reasons.append(f"no row has a reference response (column '{data.response_column}'), so SFT has nothing to learn from either")
    steps = [*steps, "write a reward (rewardbox.library has ready ones) or add reference responses (--response-column)"]
    return MethodAdvice(method="neither", reasons=reasons, next_steps=steps)


def _data_reason(data: DataEvidence) -> str:
    return (
        f"{data.source}: {data.rows} rows; {data.answers} with a ground truth (column '{data.answer_column}'), "
        f"{data.responses} with a reference response (column '{data.response_column}')"
    )
