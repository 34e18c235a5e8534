"""Choosing a backend, checked before anything starts, and file sources that travel with their code.

These need no Ray; tests/graders/runtime/ray/ runs the Ray backend itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rewardbox.graders import BackendUnavailable, Grader, RewardLoadError, RewardSource, Status
from rewardbox.runner.cli import main

CODE = "def compute_reward(completion, ground_truth):\n    return 1.0\n"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "gsm8k"


def test_ray_options_without_the_ray_backend_are_refused():
    with pytest.raises(ValueError, match=r"address='127.0.0.1:6379', ray_actors=None: these need backend='ray'"):
        Grader(CODE, address="127.0.0.1:6379")
    with pytest.raises(ValueError, match=r"ray_actors=4: these need backend='ray'"):
        Grader(CODE, ray_actors=4)
    with pytest.raises(ValueError, match=r"backend='dask': expected 'local' or 'ray'"):
        Grader(CODE, backend="dask")


def test_cli_ray_flags_without_backend_ray_are_a_usage_error(tmp_path, capsys):
    arguments = ["grade", str(EXAMPLE / "reward.py"), "-i", str(EXAMPLE / "completions.jsonl"), "-o", str(tmp_path / "out.jsonl")]
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, "--ray-address", "127.0.0.1:6379"])
    assert exit_info.value.code == 2
    assert "rewardbox grade: error: --ray-address needs --backend ray" in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists()


def test_the_local_backend_never_imports_ray():
    script = f"import sys\nfrom rewardbox.graders import Grader\nwith Grader({CODE!r}, workers=1) as g:\n    assert g.grade('a', 'b').ok\nprint('ray' in sys.modules)"
    process = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert process.stdout.strip() == "False", process.stderr


def test_missing_ray_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if ray were not installed
    monkeypatch.delitem(sys.modules, "rewardbox.graders.runtime.ray_backend", raising=False)
    with pytest.raises(BackendUnavailable, match=r"backend='ray' needs Ray: pip install 'rewardbox\[ray\]'"):
        Grader(CODE, backend="ray")


def test_a_shipped_file_source_loads_without_the_file_and_still_names_its_lines(tmp_path, make_grader):
    path = tmp_path / "reward.py"
    path.write_text("def compute_reward(completion, ground_truth):\n    return 1.0 / len(completion)\n")
    source = RewardSource.parse(str(path)).shipped()
    path.unlink()  # as on a machine that never had the file

    grader = make_grader(source, workers=1)
    assert grader.grade("ab", "x").score == 0.5
    result = grader.grade("", "x")
    assert result.status is Status.exception
    assert f'File "{path}", line 2, in compute_reward\n    return 1.0 / len(completion)' in result.error


def test_a_shipped_file_source_with_a_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("def compute_reward(completion, ground_truth):\n    return (\n")
    source = RewardSource.parse(str(path)).shipped()
    path.unlink()
    with pytest.raises(RewardLoadError) as error:
        Grader(source, workers=1)
    assert (error.value.path, error.value.line) == (str(path), 2)
