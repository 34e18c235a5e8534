"""Rewards in the native shape of other training harnesses, graded in rewardbox's sandbox.

Each adapter wraps any reward source (a ``.py`` file, ``module:function``,
``library:NAME``, source code or a Python function) and never imports the
harness it serves. They pickle as a source plus grader options: a process that
unpickles one (a TRL async worker, a Ray actor) starts its own sandbox on first use.

=================  ===================================================================
harness            adapter
=================  ===================================================================
TRL GRPOTrainer    ``TRLReward`` / ``AsyncTRLReward``: ``(prompts, completions, **columns)``
verl               ``VerlReward``: ``compute_score(data_source, solution_str, ground_truth, extra_info)``;
                   ``VerlBatchReward`` for verl's batch reward manager
OpenRLHF           ``OpenRLHFReward``: ``reward_func(queries, prompts, labels)``
verifiers          ``VerifiersReward``: ``async (completion, answer, **kwargs) -> float``
tinker-cookbook    ``TinkerCookbookReward``: scores an ``Env.step`` action into a ``StepResult``
OpenAI graders     ``export_openai_grader``: a self-contained ``grade(sample, item)`` source
=================  ===================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

_EXPORTS = {
    "SandboxedReward": "base",
    "completion_text": "base",
    "TRLReward": "trl",
    "AsyncTRLReward": "trl",
    "VerlReward": "verl",
    "VerlBatchReward": "verl",
    "OpenRLHFReward": "openrlhf",
    "VerifiersReward": "verifiers",
    "TinkerCookbookReward": "tinker_cookbook",
    "export_openai_grader": "openai_export",
    "ExportError": "openai_export",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .base import SandboxedReward, completion_text
    from .openai_export import ExportError, export_openai_grader
    from .openrlhf import OpenRLHFReward
    from .tinker_cookbook import TinkerCookbookReward
    from .trl import AsyncTRLReward, TRLReward
    from .verifiers import VerifiersReward
    from .verl import VerlBatchReward, VerlReward


__getattr__ = lazy_exports(__name__, _EXPORTS)
