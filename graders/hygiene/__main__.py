"""``python -m rewardbox.graders.hygiene > docs/recommendations.md``: the recommendations page, generated from the rules."""

from .recommendations import docs_page

print(docs_page(), end="")
