"""``text_similarity``: how close the completion's answer is to the reference text (fuzzy ratio, BLEU, ROUGE-L)."""

from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from .base import Example, GoldUnparseable, Reward, gold_texts, require
from .extract import TAGGED_OR_WHOLE, Extractor, extract
from .normalize import Normalization, normalize

_ROUGE_TOKEN = re.compile(r"[a-z0-9]+")


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (LCS of tokens), tokenized as Google's rouge-score does without stemming.

    >>> round(rouge_l("the cat sat on the mat", "the cat on a mat"), 4)
    0.7273
    """
    from rapidfuzz.distance import LCSseq

    candidate_tokens = _ROUGE_TOKEN.findall(candidate.lower())
    reference_tokens = _ROUGE_TOKEN.findall(reference.lower())
    if not candidate_tokens or not reference_tokens:
        return 0.0
    common = LCSseq.similarity(candidate_tokens, reference_tokens)
    if common == 0:
        return 0.0
    precision, recall = common / len(candidate_tokens), common / len(reference_tokens)
    return 2 * precision * recall / (precision + recall)


def bleu(candidate: str, reference: str) -> float:
    """Sentence BLEU from sacrebleu (exponential smoothing, effective order), scaled to [0, 1]."""
    from sacrebleu.metrics import BLEU

    return BLEU(effective_order=True).sentence_score(candidate, [reference]).score / 100


def fuzzy(candidate: str, reference: str) -> float:
    """rapidfuzz's normalized Indel similarity (``fuzz.ratio``), scaled to [0, 1]."""
    from rapidfuzz import fuzz

    return fuzz.ratio(candidate, reference) / 100


_METRICS = {"fuzzy": fuzzy, "bleu": bleu, "rouge_l": rouge_l}
_NEEDS = {"fuzzy": ("rapidfuzz", "text"), "bleu": ("sacrebleu", "text"), "rouge_l": ("rapidfuzz", "text")}


class text_similarity(Reward):
    """The similarity of the completion's answer to the reference text, in [0, 1], with optional partial-credit scaling.

    ``metric``: ``"fuzzy"`` (rapidfuzz ``fuzz.ratio``, the character-level
    similarity OpenAI's ``fuzzy_match`` grader uses), ``"bleu"`` (sacrebleu
    sentence BLEU) or ``"rouge_l"`` (token LCS F1, as Google's rouge-score). The
    answer is the last ``<answer>`` tag, else the whole completion. With
    ``pass_threshold`` the score is 1.0 at or above it and 0.0 below (binary);
    otherwise a similarity at or below ``floor`` scores 0.0 and the rest is
    rescaled linearly, ``(s - floor) / (1 - floor)``, so near-misses are not paid
    for vague overlap. An empty answer scores 0.0; an empty reference raises
    ``GoldUnparseable``.

    Parameters:
        metric: ``"fuzzy"`` (default), ``"bleu"`` or ``"rouge_l"``.
        normalize: normalization applied to both texts first (default case and whitespace).
        floor: similarities at or below this score 0.0 (default 0).
        pass_threshold: when set, the reward is 1.0 for a similarity at or above it, else 0.0.
        extractors: where to look for the answer (default answer_tag, whole).

    Range [0, 1].

    >>> round(text_similarity()("<answer>Hello, World</answer>", "hello world"), 3)
    0.957
    >>> text_similarity(metric="rouge_l", pass_threshold=0.5)("the cat sat on the mat", "a cat on a mat")
    1.0
    """

    metric: Literal["fuzzy", "bleu", "rouge_l"] = "fuzzy"
    normalize: tuple[Normalization, ...] = ("case", "whitespace")
    floor: float = Field(0.0, ge=0.0, lt=1.0)
    pass_threshold: float | None = Field(None, gt=0.0, le=1.0)
    extractors: tuple[Extractor, ...] = Field(TAGGED_OR_WHOLE, min_length=1)

    examples: ClassVar[tuple[Example, ...]] = (
        Example("<answer>The cat sat down.</answer>", "the cat sat down", 1.0),
        Example("<answer>The cat sat up.</answer>", "the cat sat down", 0.5),  # ROUGE-L 0.75, rescaled above the floor
        Example("<answer>A dog ran off.</answer>", "the cat sat down", 0.0),
        Example("<answer></answer>", "the cat sat down", 0.0),
        Example("", "the cat sat down", 0.0),
    )
    example_params: ClassVar[dict[str, object]] = {"metric": "rouge_l", "floor": 0.5}

    @model_validator(mode="after")
    def _one_scaling(self) -> text_similarity:
        if self.pass_threshold is not None and self.floor:
            raise ValueError("give floor (partial credit) or pass_threshold (binary), not both")
        return self

    def _prepare(self) -> None:
        require(*_NEEDS[self.metric])

    def __call__(self, completion: str, ground_truth: str | list[str]) -> float:
        """``ground_truth`` is the reference text, or a list of references (the best one counts)."""
        texts = gold_texts(ground_truth, "text_similarity")
        references = [normalize(text, self.normalize) for text in texts]
        for text, reference in zip(texts, references):
            if not reference.strip():
                raise GoldUnparseable(f"text_similarity: the reference text {text[:200]!r} is empty")
        answer = extract(completion, self.extractors)
        candidate = normalize(answer, self.normalize) if answer else ""
        if not candidate.strip():
            return 0.0
        similarity = max(min(1.0, max(0.0, _METRICS[self.metric](candidate, reference))) for reference in references)
        if self.pass_threshold is not None:
            return 1.0 if similarity >= self.pass_threshold else 0.0
        return max(0.0, similarity - self.floor) / (1.0 - self.floor)
