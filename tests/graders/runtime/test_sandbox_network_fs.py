"""Hostile rewards against the confinement layers: network, DNS, secrets, the file
system, new processes and signals, at call time and at import time.

Where a probe could silently test nothing (a wrong port, a wrong path), the same
reward is first run in the test process as a control, to show the attack is real.
"""

from __future__ import annotations

import errno
import json
import os
import runpy
import shutil
import subprocess
import sys
import uuid

import pytest
from rewardbox.graders import Status
from sandbox_helpers import HOSTILE, IS_LINUX_ROOT, SECRET, SECRET_VARIABLES, hostile

pytestmark = pytest.mark.skipif(not IS_LINUX_ROOT, reason="the confinement layers are asserted for root on Linux")


def run_in_process(name: str, completion: str, ground_truth: str = "") -> object:
    """Control: call a hostile reward directly in the test process (no sandbox)."""
    return runpy.run_path(hostile(name))["compute_reward"](completion, ground_truth)


# ---- network -------------------------------------------------------------------------------------------


def test_loopback_server_counts_what_reaches_it(loopback_server):
    """Control for the network tests: the same reward run without a sandbox gets through."""
    assert run_in_process("network", json.dumps(loopback_server.ports)) == 3.0
    loopback_server.settle()
    assert loopback_server.connections == 2  # raw TCP and HTTP
    assert loopback_server.datagrams == 5


def test_tcp_udp_http_to_loopback_never_arrive(make_grader, loopback_server):
    result = make_grader("network").grade(json.dumps(loopback_server.ports), "")
    loopback_server.settle()
    assert (loopback_server.connections, loopback_server.datagrams) == (0, 0)
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout
    for name in ("tcp", "udp", "http"):
        assert f"{name}: " in result.stdout and f"{name}: went through" not in result.stdout


@pytest.mark.parametrize("host", ["example.com", "localhost"])
def test_dns_lookup_fails(make_grader, host):
    result = make_grader("dns").grade(host, "")
    assert (result.status, result.score) == (Status.exception, 0.0)
    assert "gaierror" in result.error


# ---- secrets -------------------------------------------------------------------------------------------


def test_secrets_are_not_visible_anywhere(make_grader, secret_env):
    assert run_in_process("read_secrets", SECRET) == 1.0  # control: the caller does hold the secret
    grader = make_grader("read_secrets")
    result = grader.grade(SECRET, "")
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout
    readable = int(result.stdout.split("readable environ files: ")[1].split()[0])
    assert readable >= 1, "the probe could not even read its own /proc/self/environ"


_LAUNCHED_CALLER = """
import json, sys
from rewardbox.graders import Grader
with Grader(sys.argv[1], timeout=2.0, workers=1) as grader:
    result = grader.grade(sys.argv[2], "")
print(json.dumps({"status": result.status.value, "score": result.score, "stdout": result.stdout}))
"""


@pytest.mark.parametrize("reward", ["read_secrets", "import_reads_secrets", "stash_secrets"])
def test_secrets_of_a_caller_launched_with_them(reward):
    """A trainer started with TINKER_API_KEY & co. in its real environment (so they are in its
    /proc/PID/environ): neither the reward's calls, nor its import-time code, nor anything it
    keeps in module state between calls may find them."""
    env = dict(os.environ)
    env.update({name: f"{SECRET}-{name.lower()}" for name in SECRET_VARIABLES})
    completed = subprocess.run(
        [sys.executable, "-c", _LAUNCHED_CALLER, hostile(reward), SECRET],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    assert (outcome["status"], outcome["score"]) == ("ok", 0.0), outcome["stdout"]


def test_secret_variables_are_not_in_the_environment(make_grader, secret_env):
    names = ", ".join(repr(n) for n in SECRET_VARIABLES)
    source = f"import os\ndef compute_reward(c, g):\n    return float(sum(n in os.environ for n in ({names},)))\n"
    result = make_grader(source).grade("", "")
    assert (result.status, result.score) == (Status.ok, 0.0)


def test_cannot_signal_the_caller(make_grader):
    assert run_in_process("signal_caller", str(os.getpid())) == 1.0  # control
    result = make_grader("signal_caller").grade(str(os.getpid()), "")
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout


# ---- file system ---------------------------------------------------------------------------------------


def _victim(folder) -> tuple[str, dict]:
    folder.mkdir()
    victim = folder / "victim.txt"
    victim.write_text("precious")
    return str(victim), {"victim": str(victim), "outside_dir": str(folder), "tmp_name": f"rk-{uuid.uuid4().hex}"}


def test_write_probe_works_without_a_sandbox(tmp_path, monkeypatch):
    """Control: run in the test process, the write probe does damage."""
    _, config = _victim(tmp_path / "control")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    try:
        assert run_in_process("write_outside", json.dumps(config)) >= 9
        assert (tmp_path / "planted.txt").exists()
    finally:
        if os.path.exists(f"/tmp/{config['tmp_name']}"):
            os.remove(f"/tmp/{config['tmp_name']}")


def test_cannot_modify_delete_or_create_files_outside(make_grader, tmp_path):
    victim, config = _victim(tmp_path / "outside")
    before = os.stat(victim)
    result = make_grader("write_outside").grade(json.dumps(config), "")
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout
    with open(victim) as f:
        assert f.read() == "precious"
    after = os.stat(victim)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    assert os.listdir(tmp_path / "outside") == ["victim.txt"]
    assert not os.path.exists(f"/tmp/{config['tmp_name']}")
    assert "PermissionError" in result.stdout


def test_cannot_change_metadata_of_files_outside(make_grader, tmp_path):
    """chmod, utime and xattrs are writes too: the call must not change them on a file it may not write."""
    victim, _ = _victim(tmp_path / "outside")
    os.chmod(victim, 0o600)
    before = os.stat(victim)
    result = make_grader("change_metadata").grade(victim, "")
    after = os.stat(victim)
    assert (after.st_mode, after.st_mtime_ns) == (before.st_mode, before.st_mtime_ns)
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout


def test_cannot_read_files_outside_the_allow_list(make_grader, tmp_path):
    victim, _ = _victim(tmp_path / "outside")
    paths = [victim, "/etc/passwd", "/etc/hostname"]
    assert run_in_process("read_outside", json.dumps(paths)) >= 2  # control
    result = make_grader("read_outside").grade(json.dumps(paths), "")
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout


def test_can_read_its_own_folder_and_write_its_temp_dir(make_grader, tmp_path):
    """The confinement must still let a reward read data beside it and use its temp dir
    (but not write beside itself)."""
    folder = tmp_path / "reward"
    folder.mkdir()
    (folder / "answers.json").write_text('{"q": 0.5}')
    (folder / "reward.py").write_text(
        "import json, os, tempfile\n"
        "HERE = os.path.dirname(__file__)\n"
        "def compute_reward(completion, ground_truth):\n"
        "    with open(os.path.join(HERE, 'answers.json')) as f:\n"
        "        value = json.load(f)[completion]\n"
        "    with tempfile.NamedTemporaryFile('w') as t:\n"
        "        t.write('scratch')\n"
        "    with open('scratch.txt', 'w') as s:\n"
        "        s.write('ok')\n"
        "    try:\n"
        "        open(os.path.join(HERE, 'answers.json'), 'w')\n"
        "    except PermissionError:\n"
        "        return value\n"
        "    return -1.0\n"
    )
    result = make_grader(str(folder / "reward.py")).grade("q", "")
    assert (result.status, result.score, result.error) == (Status.ok, 0.5, None)
    assert (folder / "answers.json").read_text() == '{"q": 0.5}'


# ---- new processes -----------------------------------------------------------------------------------


def test_a_subprocess_runs_but_cannot_write_outside(make_grader, tmp_path):
    """A shell may start (exec is allowed), confined like its call: its `touch` outside the temp dir fails."""
    marker = tmp_path / "subprocess-marker"
    assert run_in_process("run_subprocess", str(tmp_path / "control-marker")) == 1.0  # control
    assert (tmp_path / "control-marker").exists()
    result = make_grader("run_subprocess").grade(str(marker), "")
    assert (result.status, result.score) == (Status.exception, 0.0)
    assert "CalledProcessError" in result.error and "returned non-zero exit status 1" in result.error
    assert not marker.exists()


def test_ctypes_system_starts_a_shell_that_cannot_write_outside(make_grader, tmp_path):
    assert run_in_process("ctypes_system", f"system:{tmp_path / 'control-marker'}") == 0.0  # control
    assert (tmp_path / "control-marker").exists()
    marker = tmp_path / "system-marker"
    result = make_grader("ctypes_system").grade(f"system:{marker}", "")
    assert result.status is Status.ok
    assert result.score == float(1 << 8), "touch exits 1 (permission denied): system() reports 256"
    assert not marker.exists()


def test_ctypes_fork_works_in_a_call(make_grader):
    grader = make_grader("ctypes_system")
    expected = 1000.0 if grader.processes.allowed else -float(errno.EPERM)
    assert (grader.grade("fork", "").status, grader.grade("fork", "").score) == (Status.ok, expected)


def test_a_child_process_is_as_confined_as_its_call(make_grader, tmp_path, loopback_server, secret_env):
    """An exec'd interpreter started by the reward: no network, no writes outside, no reads outside, no secrets."""
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.txt"
    victim.write_text("private")
    attack = json.dumps({"port": loopback_server.ports["tcp"], "write": str(outside / "written"), "read": str(victim), "secret": SECRET, "holder": secret_env.pid})
    assert run_in_process("child_attacks", attack) == 4  # control: outside the sandbox every attack works
    os.remove(outside / "written")
    result = make_grader("child_attacks", timeout=10.0).grade(attack, "")
    assert (result.status, result.score) == (Status.ok, 0.0), result.stdout
    assert not (outside / "written").exists()


# ---- import time --------------------------------------------------------------------------------------


@pytest.fixture
def import_side_effects(make_grader, tmp_path, loopback_server, secret_env):
    """A grader on a reward that misbehaves at import time, and what it could have touched."""
    folder = tmp_path / "reward"
    folder.mkdir()
    shutil.copy(HOSTILE / "import_side_effects.py", folder / "reward.py")
    outside = tmp_path / "outside"
    outside.mkdir()
    config = {
        "outside_file": str(outside / "written-at-import.txt"),
        "tcp": loopback_server.tcp_port,
        "udp": loopback_server.udp_port,
        "needle": SECRET,
        "marker": str(outside / "command-marker"),
    }
    (folder / "config.json").write_text(json.dumps(config))
    grader = make_grader(str(folder / "reward.py"))  # loads despite everything it tried
    result = grader.grade("", "")
    loopback_server.settle()
    assert result.status is Status.ok, result
    return result, outside, loopback_server


def test_import_time_writes_network_and_commands_are_contained(import_side_effects):
    result, outside, server = import_side_effects
    assert (server.connections, server.datagrams) == (0, 0)
    assert os.listdir(outside) == []
    for name in ("write", "tcp", "udp", "command"):
        assert f"{name}: " in result.stdout and f"{name}: went through" not in result.stdout, result.stdout


def test_import_time_code_cannot_read_secrets(import_side_effects):
    """The reward's module-level code runs in the zygote: it must not find the caller's secrets either."""
    result, _, _ = import_side_effects
    assert "secrets: LookupError: secret not found" in result.stdout, result.stdout
    assert result.score == 0.0


def test_minimal_isolation_still_allow_lists_the_environment(make_grader, secret_env):
    """Layer 1 holds without layers 5-8: no secret in os.environ or /proc/self/environ."""
    source = (
        "import os\n"
        "def compute_reward(c, g):\n"
        "    own = open('/proc/self/environ', 'rb').read()\n"
        f"    return float({SECRET!r} in ''.join(os.environ.values()) or {SECRET!r}.encode() in own)\n"
    )
    result = make_grader(source, isolation="minimal").grade("", "")
    assert (result.status, result.score) == (Status.ok, 0.0)


def test_module_function_spec_runs_in_the_sandbox(make_grader, monkeypatch, loopback_server):
    """A reward given as ``module:function`` is imported in the sandbox, not in the caller."""
    monkeypatch.syspath_prepend(str(HOSTILE))
    grader = make_grader("network:compute_reward")
    result = grader.grade(json.dumps(loopback_server.ports), "")
    loopback_server.settle()
    assert (result.status, result.score) == (Status.ok, 0.0)
    assert (loopback_server.connections, loopback_server.datagrams) == (0, 0)
