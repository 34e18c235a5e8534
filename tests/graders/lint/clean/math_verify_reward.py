"""open-r1-style accuracy with math-verify: gold parsed first, boxed answers preferred, unparseable gold scores 0."""

from math_verify import LatexExtractionConfig, parse, verify
from math_verify.parser import NormalizationConfig

ANSWER_CONFIG = [
    LatexExtractionConfig(
        normalization_config=NormalizationConfig(nits=False, malformed_operators=False, basic_latex=True, boxed="all", units=True),
        boxed_match_priority=0,
        try_extract_without_anchor=False,
    )
]


def compute_reward(completion: str, ground_truth: str) -> float:
    gold = parse(ground_truth, extraction_mode="first_match")
    if len(gold) == 0:
        return 0.0
    answer = parse(completion, extraction_config=ANSWER_CONFIG, extraction_mode="first_match")
    try:
        return float(verify(gold, answer))
    except Exception:
        return 0.0
