"""An OpenRLHF ``reward_func`` backed by the sandbox.

OpenRLHF (``--reward.remote_url my_reward.py``) imports ``reward_func`` from the
file and calls ``reward_func(queries, prompts, labels)`` in a thread
(openrlhf/utils/agent.py, ``_fetch_rewards_via_func``). ``queries`` are the decoded
prompt plus response, special tokens included; the result is
``{"rewards", "scores", "extra_logs"}``. In that file::

    from rewardbox.graders.adapters import OpenRLHFReward
    reward_func = OpenRLHFReward("my_reward.py")
"""

from __future__ import annotations

from typing import Sequence

from ..runtime.results import GradeResult
from .base import RewardSpec, SandboxedReward

# End-of-turn markers that decoding with skip_special_tokens=False leaves after the response.
END_MARKERS = ("<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "</s>", "<|end|>", "<end_of_turn>", "<eos>")


class OpenRLHFReward(SandboxedReward):
    """``reward_func(queries, prompts, labels) -> {"rewards", "scores", "extra_logs"}``.

    The response is the query after its prompt (the prompt's last occurrence, as a
    decoded BOS may precede it), without trailing end-of-turn markers
    (``end_markers``). ``rewards`` and ``scores`` are the scores (torch tensors when
    torch is importable, as OpenRLHF expects; lists otherwise); ``extra_logs``
    holds ``rewardbox_ok`` per query.
    """

    def __init__(self, reward: RewardSpec, *, end_markers: Sequence[str] = END_MARKERS, name: str | None = None, params: dict | None = None, **grader_options: object) -> None:
        self.end_markers = tuple(end_markers)
        super().__init__(reward, name=name, params=params, **grader_options)

    def __call__(self, queries: Sequence[str], prompts: Sequence[str], labels: Sequence[object], **kwargs: object) -> dict:
        responses = [self.response(query, prompt) for query, prompt in zip(queries, prompts, strict=True)]
        results = self.grade_rows(
            [{"prompt": prompt, "query": query, "completion": response, "ground_truth": label} for query, prompt, response, label in zip(queries, prompts, responses, labels, strict=True)]
        )
        return _tensors(results)

    def response(self, query: str, prompt: str) -> str:
        """The model's response inside ``query``: the text after ``prompt``, end markers stripped."""
        start = query.rfind(prompt) if prompt else -1
        text = query[start + len(prompt):] if start >= 0 else query
        stripped = True
        while stripped:
            stripped = False
            text = text.rstrip()
            for marker in self.end_markers:
                if marker and text.endswith(marker):
                    text, stripped = text[: -len(marker)], True
        return text


def _tensors(results: list[GradeResult]) -> dict:
    scores = [result.score for result in results]
    ok = [float(result.ok) for result in results]
    try:
        import torch
    except ImportError:
        return {"rewards": scores, "scores": scores, "extra_logs": {"rewardbox_ok": ok}}
    return {"rewards": torch.tensor(scores), "scores": torch.tensor(scores), "extra_logs": {"rewardbox_ok": torch.tensor(ok)}}
