"""rewardbox installs beside Harbor's verifier package, which owns the old name's import and command.

The test builds a stand-in for that package (a regular top-level package of the old name with a
``criteria`` module and a console script of that name), installs it into a new virtual
environment, then installs this checkout there with ``pip install -e .``; both must keep working.
Nothing is downloaded: both installs run with ``--no-index --no-build-isolation``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OLD = "reward" + "kit"  # spelled in two parts: the old name appears nowhere in the tree but CHANGELOG.md


def _harbor_like_package(folder: Path) -> Path:
    """A minimal distribution named harbor-OLD with the ``OLD`` import package and command."""
    (folder / OLD).mkdir(parents=True)
    (folder / OLD / "__init__.py").write_text('"""Not ours: the import name rewardbox must leave alone."""\n')
    (folder / OLD / "criteria.py").write_text("def main():\n    print('harbor criteria')\n")
    (folder / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "harbor-{old}"
            version = "0.0.1"

            [project.scripts]
            {old} = "{old}.criteria:main"

            [tool.setuptools]
            packages = ["{old}"]
            """
        ).format(old=OLD)
    )
    return folder


def _pip(python: Path, *args: str) -> None:
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index", "--no-build-isolation", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


def test_installs_beside_a_package_that_owns_the_old_name(tmp_path):
    environment = tmp_path / "env"
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    # the new environment borrows this one's dependencies (pydantic, rich, ...) after its own packages
    site = Path(subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True).strip())
    (site / "zz_outer_site.pth").write_text(sysconfig.get_path("purelib") + "\n")

    _pip(python, str(_harbor_like_package(tmp_path / "harbor")))
    _pip(python, "-e", str(ROOT))

    bin_dir = environment / "bin"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    harbor = subprocess.run([str(bin_dir / OLD)], capture_output=True, text=True, env=env, timeout=60)
    assert harbor.returncode == 0 and harbor.stdout.strip() == "harbor criteria", harbor.stderr
    ours = subprocess.run([str(bin_dir / "rewardbox"), "--help"], capture_output=True, text=True, env=env, timeout=60)
    assert ours.returncode == 0 and "usage: rewardbox" in ours.stdout, ours.stderr
    both = subprocess.run(
        [str(python), "-c", f"from {OLD} import criteria; import rewardbox.graders, rewardbox.library, rewardbox.runner.cli; "
         "from rewardbox.graders import Grader; print(criteria.__name__, Grader.__module__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60,
    )
    assert both.returncode == 0, both.stderr
    assert both.stdout.split() == [f"{OLD}.criteria", "rewardbox.graders.runtime.grader"]
