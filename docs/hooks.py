"""mkdocs hooks: each command's reference from its argparse parser, and the package where mkdocstrings can read it.

- ``<!-- rewardbox-cli: NAME -->`` on a page becomes ``rewardbox NAME``'s reference.
- ``<!-- rewardbox-readme -->`` (the home page) becomes the README, its ``docs/`` links made site links.
- pyproject maps ``rewardbox.graders`` to ``graders/`` (and so on) with ``package-dir``, a layout
  griffe cannot search; ``build/docs-api/rewardbox`` links the three folders under one package
  for it (``paths`` in mkdocs.yml). Nothing there is imported.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from rewardbox.runner.cli_reference import command_reference

ROOT = Path(__file__).resolve().parent.parent
API_TREE = ROOT / "build" / "docs-api" / "rewardbox"


def _link_packages() -> None:
    API_TREE.mkdir(parents=True, exist_ok=True)
    (API_TREE / "__init__.py").touch()
    for package in ("graders", "runner", "library"):
        link = API_TREE / package
        if not link.exists():
            os.symlink(ROOT / package, link, target_is_directory=True)


_link_packages()  # at import, before mkdocstrings reads any page

_MARKER = re.compile(r"<!-- rewardbox-cli: ([a-z-]+) -->")
_README = "<!-- rewardbox-readme -->"


def on_page_markdown(markdown: str, **_: object) -> str:
    if _README in markdown:
        readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("](docs/)", "](index.md)").replace("](docs/", "](")
        markdown = markdown.replace(_README, readme)
    return _MARKER.sub(lambda match: command_reference(match.group(1)), markdown)
