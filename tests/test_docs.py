"""The documentation: a page per command with its generated reference, every page in the site's nav, a short README."""

from __future__ import annotations

from pathlib import Path

import pytest
from rewardbox.runner.cli import build_parser
from rewardbox.runner.cli_reference import _subcommands, command_reference

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


@pytest.mark.parametrize("name", list(_subcommands(build_parser())))
def test_every_command_has_a_page_whose_reference_lists_each_of_its_options(name):
    page = (DOCS / "commands" / f"{name}.md").read_text()
    assert f"<!-- rewardbox-cli: {name} -->" in page
    reference = command_reference(name)
    for action in build_parser()._subparsers._group_actions[0].choices[name]._actions:
        for option in action.option_strings:
            if option not in ("-h", "--help"):
                assert f"`{option}" in reference, (name, option)


def test_every_page_is_in_the_nav_and_the_readme_stays_a_front_page():
    nav = (ROOT / "mkdocs.yml").read_text()
    pages = sorted(str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md"))
    assert pages and [page for page in pages if f": {page}\n" not in nav] == []
    readme = (ROOT / "README.md").read_text().splitlines()
    assert len(readme) <= 250
    linked = [line for line in readme if "](docs/" in line]
    for line in linked:
        for target in line.split("](docs/")[1:]:
            path = target.split(")")[0].split("#")[0]
            assert (DOCS / path).exists(), path
