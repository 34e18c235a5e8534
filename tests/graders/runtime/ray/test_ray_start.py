"""`rewardbox grade --backend ray` against a cluster started with `ray start --head` and `ray start --address`
(two one-CPU nodes on loopback, token authentication on): it grades there, Ctrl-C leaves nothing behind,
wrong addresses and nodes without rewardbox fail clearly, and a lost head node ends the run with the
lines so far written. The head is killed by the last test of the module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'rewardbox[ray]')")

from ray_helpers import command_line, rewardbox_processes  # noqa: E402
from ray_start_cluster import RayStartCluster, free_port  # noqa: E402
from sandbox_helpers import descendants, wait_for  # noqa: E402

MIX = str(Path(__file__).with_name("hostile_mix.py"))
GSM8K = Path(__file__).resolve().parents[4] / "examples" / "gsm8k"
# A node's Python without rewardbox: the editable install's import hooks removed at start-up.
NO_REWARDBOX = """import sys
sys.meta_path[:] = [f for f in sys.meta_path if "rewardbox" not in getattr(f, "__module__", "")]
sys.path_hooks[:] = [h for h in sys.path_hooks if "rewardbox" not in getattr(h, "__module__", "")]
"""


@pytest.fixture(scope="module")
def cluster():
    cluster = RayStartCluster()
    try:
        cluster.start(cpus=1)
        cluster.add_worker(cpus=1)
        cluster.wait_for_nodes(2)
        yield cluster
    finally:
        cluster.stop()


def grade(cluster: RayStartCluster, input_path: Path, output: Path, *flags: str, env: dict | None = None) -> subprocess.Popen:
    """Start `rewardbox grade --backend ray` on the cluster, its stderr captured."""
    return subprocess.Popen(
        [sys.executable, "-m", "rewardbox.runner.cli", "grade", *flags, "-i", str(input_path), "-o", str(output), "--backend", "ray"],
        env=env or cluster.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def write_input(path: Path, items: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"completion": c, "ground_truth": g}) + "\n" for c, g in items))
    return path


def actor_processes() -> set[int]:
    return {pid for pid in descendants() if command_line(pid).startswith("ray::ActorGrader")}


def records(path: Path) -> list[dict]:
    return [{k: v for k, v in json.loads(line).items() if k != "duration_ms"} for line in path.read_text().splitlines()]


def test_cli_grades_on_a_cluster_started_with_ray_start(cluster, tmp_path):
    local_out, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    flags = ["--timeout", "5", str(GSM8K / "reward.py")]
    subprocess.run([sys.executable, "-m", "rewardbox.runner.cli", "grade", *flags, "-i", str(GSM8K / "completions.jsonl"), "-o", str(local_out)], check=True, capture_output=True)
    process = grade(cluster, GSM8K / "completions.jsonl", ray_out, *flags, "--ray-address", cluster.address)
    _, stderr = process.communicate(timeout=120)

    assert process.returncode == 0, stderr
    assert "graded 300 lines: ok 300" in stderr
    assert stderr.count("Ray node 127.0.0.1 (") == 2 and stderr.count("1 actors, 1 sandboxed workers") == 2, stderr
    assert records(ray_out) == records(local_out)


def test_ctrl_c_leaves_no_actor_or_sandbox_on_any_node(cluster, tmp_path):
    out = tmp_path / "out.jsonl"
    process = grade(cluster, write_input(tmp_path / "in.jsonl", [("sleep:0.2", str(i)) for i in range(100)]), out, MIX, "--ray-address", cluster.address)
    assert wait_for(lambda: out.exists() and len(out.read_text().splitlines()) >= 4, timeout=60), process.stderr.read() if process.poll() is not None else ""
    assert actor_processes() and rewardbox_processes(), "two actors and their zygotes should be running"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 130, stderr
    written = records(out)
    assert f"interrupted: {len(written)} of 100 lines written" in stderr
    assert [record["ground_truth"] for record in written] == [str(i) for i in range(len(written))]
    assert wait_for(lambda: not actor_processes() and not rewardbox_processes(), timeout=15), "actors or zygotes left on a node"


def test_a_wrong_address_fails_at_once_with_what_to_check(cluster, tmp_path):
    nobody = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    process = grade(cluster, GSM8K / "completions.jsonl", tmp_path / "out.jsonl", MIX, "--ray-address", nobody)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 2
    assert f"cannot start the grading backend: cannot connect to Ray at {nobody}: nothing answers there (ConnectionRefusedError" in stderr
    assert "is the head node up and the address right?" in stderr
    assert time.monotonic() - started < 20


def test_a_cluster_with_no_cpu_fails_at_once_saying_what_it_has(tmp_path):
    """A head started with --num-cpus=0 and no worker: no node can ever run a call process, so the run ends in
    seconds naming the cluster's resources (it used to wait out load_timeout, 120 s)."""
    empty = RayStartCluster()
    try:
        empty.start(cpus=0)
        empty.wait_for_nodes(1)
        started = time.monotonic()
        process = grade(empty, GSM8K / "completions.jsonl", tmp_path / "out.jsonl", MIX, "--ray-address", empty.address)
        _, stderr = process.communicate(timeout=90)
    finally:
        empty.stop()

    assert process.returncode == 2
    assert "no live Ray node has a CPU to run call processes on (nodes: 1" in stderr and "start nodes with --num-cpus 1 or more" in stderr
    assert time.monotonic() - started < 30


def test_a_driver_without_the_clusters_token_is_told_so(cluster, tmp_path):
    env = {k: v for k, v in cluster.env.items() if k not in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")}
    env["HOME"] = str(tmp_path)  # no ~/.ray/auth_token either
    env["RAY_NUM_REDIS_GET_RETRIES"] = "2"  # Ray tries the GCS this many times (1 s apart) before it gives up
    process = grade(cluster, GSM8K / "completions.jsonl", tmp_path / "out.jsonl", MIX, "--ray-address", cluster.address, env=env)
    _, stderr = process.communicate(timeout=90)

    assert process.returncode == 2
    assert "the cluster requires token authentication and this process has no matching token" in stderr
    assert "RAY_AUTH_MODE=token" in stderr


def test_a_node_without_rewardbox_is_named_as_the_problem(cluster, tmp_path):
    site = Path(tempfile.mkdtemp(dir=tmp_path))
    (site / "sitecustomize.py").write_text(NO_REWARDBOX)
    bare = cluster.add_worker(cpus=1, env=dict(cluster.env, PYTHONPATH=str(site)))
    try:
        cluster.wait_for_nodes(3)
        process = grade(cluster, GSM8K / "completions.jsonl", tmp_path / "out.jsonl", MIX, "--ray-address", cluster.address)
        _, stderr = process.communicate(timeout=120)
    finally:
        os.killpg(bare.pid, signal.SIGKILL)
        bare.wait()
        cluster.workers.remove(bare)

    assert process.returncode == 2, stderr
    assert "cannot start the grading backend: a Ray node cannot import rewardbox: install rewardbox with its ray extra" in stderr
    assert "No module named 'rewardbox" in stderr
    cluster.wait_for_nodes(2)


def rss_while_writing(process: subprocess.Popen, out: Path) -> list[tuple[int, float]]:
    """Every 50 ms until ``process`` exits: (bytes written to ``out``, its resident memory in MiB)."""
    samples = []
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as f:
                rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
            samples.append((out.stat().st_size if out.exists() else 0, rss / 1024))
        except (OSError, StopIteration):
            pass
        time.sleep(0.05)
    return samples


def test_the_drivers_memory_stays_flat_over_a_long_input(cluster, tmp_path):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    filler = "x" * 1000  # about 1 KB a line: holding the input would cost the driver ~1 MB every thousand lines
    source.write_text("".join(json.dumps({"completion": f"{filler} {i}", "ground_truth": str(i)}) + "\n" for i in range(60_000)))
    process = grade(cluster, source, out, MIX, "--ray-address", cluster.address, "--calls-per-process", "256")
    samples = rss_while_writing(process, out)
    assert process.wait() == 0, process.stderr.read()
    assert sum(1 for _ in out.open()) == 60_000

    half = out.stat().st_size / 2
    second_half = [rss for written, rss in samples if written >= half]
    assert len(second_half) >= 5, samples
    # holding the lines would add ~30 MiB over the second half; Ray's own driver-side bookkeeping grows a few MiB
    # early on and then stays (1,000,000 lines: 151 MiB at 10% written, 153 MiB at 75%, see docs/ray.md)
    assert max(second_half) - second_half[0] < 12, f"the driver grew from {second_half[0]:.0f} to {max(second_half):.0f} MiB"


def test_losing_the_head_node_ends_the_run_clearly_with_the_lines_so_far_written(cluster, tmp_path):
    out = tmp_path / "out.jsonl"
    process = grade(cluster, write_input(tmp_path / "in.jsonl", [("sleep:0.1", str(i)) for i in range(400)]), out, MIX, "--ray-address", cluster.address)
    assert wait_for(lambda: out.exists() and len(out.read_text().splitlines()) >= 5, timeout=60)
    cluster.kill_head()
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 3, stderr
    assert f"grading stopped: the Ray head node at {cluster.address} has been unreachable for 4 s" in stderr
    written = records(out)
    assert 5 <= len(written) < 400
    assert f"{len(written)} of 400 lines written to {out}, in input order" in stderr
    assert [record["ground_truth"] for record in written] == [str(i) for i in range(len(written))]
    assert all(record["status"] == "ok" for record in written)
    # close() still reaches the actors without a head: their sandboxes are gone at once. The actors themselves
    # end with their node's raylet, which gives up on the head after RAY_gcs_rpc_server_reconnect_timeout_s.
    assert wait_for(lambda: not rewardbox_processes(), timeout=10), "zygotes left on a node"
