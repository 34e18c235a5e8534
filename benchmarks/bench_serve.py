"""``rewardbox serve``: throughput over HTTP against the same grader in-process, and a load test.

    python benchmarks/bench_serve.py [--quick] [--load-seconds 60] [--clients 64]

Throughput: batches of 256 rows, posted one after another to ``/v1/grade/NAME`` of a service on
127.0.0.1 (its own process, as a trainer would call it), against ``Grader.grade_batch`` on the same
rows with the same options in this process; measured alternately, best of 3 rounds. Rewards: a
trivial one in warm mode, and ``library:math``. Targets: HTTP / in-process >= 0.7x (floor), 0.9x (goal).

Load test (loopback only, bounded in time): ``--clients`` concurrent aiohttp clients for
``--load-seconds`` against a service whose queue fills (``queue_rows = 256``, a reward of a few ms a
call in a fresh process each). Each row's ground truth is a number unique to it and the reward
returns it, so a result for the wrong request shows. Part way through, the reward's zygote is
killed; at the end, SIGTERM arrives while the clients still send. Printed: requests answered
(results, 429s), answers that did not match their request, requests lost, rows that failed (and
how many around the zygote kill), the service's memory over time, and whether every request sent
before SIGTERM was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rewards import TRIVIAL, math_items, trivial_items  # noqa: E402

import aiohttp  # noqa: E402
import requests  # noqa: E402

from rewardbox.graders import Grader  # noqa: E402

BATCH = 256

ECHO = '''
import time

def compute_reward(completion, ground_truth):
    time.sleep(0.002)  # a few ms a call, so that 64 clients fill the queue
    return float(ground_truth) / 1e6
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """``rewardbox serve CONFIG`` in a process of its own on a free loopback port."""

    def __init__(self, folder: Path, config: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        path = folder / f"serve-{self.port}.toml"
        path.write_text(config)
        self.log = open(folder / f"serve-{self.port}.log", "w")
        self.process = subprocess.Popen([sys.executable, "-m", "rewardbox.runner.cli", "serve", str(path), "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/ready", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise SystemExit(f"the service did not start:\n{Path(self.log.name).read_text()}")

    def tree(self) -> list[int]:
        """The service's process and its descendants."""
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        found, stack = [], [self.process.pid]
        while stack:
            pid = stack.pop()
            found.append(pid)
            stack.extend(children.get(pid, []))
        return found

    def rss_mb(self, pid: int | None = None) -> float:
        try:
            for line in Path(f"/proc/{pid or self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def zygotes(self) -> list[int]:
        found = []
        for pid in self.tree():
            try:
                if b"zygote import main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
        return found

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=120)
        finally:
            self.log.close()


# -- throughput -------------------------------------------------------------------------------------


def batches(items: list[tuple[str, str]]) -> list[list[dict]]:
    rows = [{"completion": completion, "ground_truth": truth} for completion, truth in items]
    return [rows[start:start + BATCH] for start in range(0, len(rows), BATCH)]


def in_process(grader: Grader, parts: list[list[dict]]) -> float:
    started = time.perf_counter()
    for part in parts:
        results = grader.grade_batch(part)
        assert all(result.ok for result in results), {result.status for result in results}
    return sum(map(len, parts)) / (time.perf_counter() - started)


def over_http(session: requests.Session, url: str, parts: list[list[dict]]) -> float:
    started = time.perf_counter()
    for part in parts:
        answer = session.post(url, json={"rows": part}, timeout=600)
        answer.raise_for_status()
        results = answer.json()["results"]
        assert len(results) == len(part) and all(r["status"] == "ok" for r in results), {r["status"] for r in results}
    return sum(map(len, parts)) / (time.perf_counter() - started)


def concurrently(measure, callers: int, parts: list[list[dict]]) -> float:
    """Rows/s of ``callers`` threads each running ``measure`` on its share of ``parts`` at once."""
    shares = [parts[number::callers] for number in range(callers)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(callers) as pool:
        list(pool.map(measure, shares))
    return sum(map(len, parts)) / (time.perf_counter() - started)


def throughput(folder: Path, rounds: int, scale: float, workers: int) -> None:
    trivial = folder / "trivial.py"
    trivial.write_text(TRIVIAL)
    cases = [
        ("trivial reward, warm", "trivial", str(trivial), {"mode": "warm"}, trivial_items(int(BATCH * 40 * scale))),
        ("library:math", "math", "library:math", {}, math_items(int(BATCH * 8 * scale))),
    ]
    config = "".join(
        f'[rewards.{name}]\nreward = "{reward}"\nworkers = {workers}\n' + "".join(f'{key} = "{value}"\n' for key, value in options.items())
        for _, name, reward, options, _ in cases
    )
    service = Service(folder, f"max_rows = {BATCH}\nrun_code = false\n" + config)
    try:
        with requests.Session() as session:
            for label, name, reward, options, items in cases:
                parts = batches(items)
                url = f"{service.url}/v1/grade/{name}"
                with Grader(reward, workers=workers, **options) as grader:
                    in_process(grader, parts[:1])  # the first calls of both pay one-off costs
                    over_http(session, url, parts[:1])
                    for callers in (1, 2):  # one trainer posting a batch at a time; two rollout workers at once
                        local = lambda share: in_process(grader, share)  # noqa: E731
                        http = lambda share: over_http(requests.Session(), url, share)  # noqa: E731  (a connection per caller, as each rollout worker has)
                        rates = [(concurrently(local, callers, parts), concurrently(http, callers, parts)) for _ in range(rounds)]
                        best_local, best_http = max(r[0] for r in rates), max(r[1] for r in rates)
                        print(
                            f"{label}, {callers} caller{'s' if callers > 1 else ''} ({len(parts)} batches of {BATCH}, best of {rounds}): "
                            f"in-process {best_local:8.1f} rows/s, HTTP {best_http:8.1f} rows/s, ratio HTTP/in-process "
                            f"{best_http / best_local:4.2f}x (floor 0.7x, goal 0.9x); rounds: " + ", ".join(f"{h / l:.2f}" for l, h in rates)
                        )
    finally:
        service.stop()


# -- load test --------------------------------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.sent = self.answered = self.ok_requests = self.refused = self.wrong = self.lost = 0
        self.rows_ok = self.rows_failed = self.rows_failed_near_kill = 0
        self.other_codes: dict[int, int] = {}
        self.lost_before_term: list[str] = []
        self.refused_connections_after_term = 0
        self.answered_across_term = 0  # sent before SIGTERM, answered after it


async def client(number: int, session: aiohttp.ClientSession, url: str, tally: Tally, ids, stop: asyncio.Event, events: dict) -> None:
    rng = random.Random(number)
    while not stop.is_set():
        rows = [next(ids) for _ in range(rng.randint(1, 32))]
        sent_at = time.monotonic()
        tally.sent += 1
        try:
            async with session.post(url, json={"rows": [{"completion": "x", "ground_truth": row} for row in rows]}) as response:
                tally.answered += 1
                tally.answered_across_term += "term" in events and sent_at < events["term"]
                if response.status == 429:
                    tally.refused += 1
                    await asyncio.sleep(rng.uniform(0.05, 0.3))  # sooner than Retry-After: keep the queue full
                    continue
                if response.status != 200:
                    tally.other_codes[response.status] = tally.other_codes.get(response.status, 0) + 1
                    continue
                results = (await response.json())["results"]
        except (aiohttp.ClientConnectionError, asyncio.TimeoutError) as exc:
            term = events.get("term")
            if term is None or sent_at < term - 0.05:
                tally.lost += 1
                tally.lost_before_term.append(f"{type(exc).__name__}: {exc}")
            else:
                tally.refused_connections_after_term += 1  # sent after SIGTERM: the service had stopped taking requests
                await asyncio.sleep(0.05)
            continue
        tally.ok_requests += 1
        if len(results) != len(rows):
            tally.wrong += 1
            continue
        for row, result in zip(rows, results):
            if result["status"] == "ok":
                tally.rows_ok += 1
                if result["score"] != row / 1e6:
                    tally.wrong += 1
            else:
                tally.rows_failed += 1
                if abs(sent_at - events.get("kill", -1e9)) < 5:
                    tally.rows_failed_near_kill += 1


async def load(service: Service, clients: int, seconds: float) -> tuple[Tally, list[tuple[float, float, float]], bool]:
    tally, stop, events = Tally(), asyncio.Event(), {}
    counter = iter(range(1, 10**9))
    memory: list[tuple[float, float, float]] = []
    connector = aiohttp.TCPConnector(limit=clients, force_close=True)  # a connection per request: SIGTERM's boundary is clear
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=180)) as session:
        tasks = [asyncio.create_task(client(n, session, f"{service.url}/v1/grade/echo", tally, counter, stop, events)) for n in range(clients)]
        started = time.monotonic()
        killed = False
        while (elapsed := time.monotonic() - started) < seconds:
            await asyncio.sleep(1.0)
            memory.append((elapsed, service.rss_mb(), sum(service.rss_mb(pid) for pid in service.tree())))
            if not killed and elapsed >= seconds / 2:
                zygotes = service.zygotes()  # the echo reward's only: run_code is off
                if zygotes:
                    os.kill(zygotes[0], signal.SIGKILL)
                    events["kill"] = time.monotonic()
                    killed = True
        async with session.get(f"{service.url}/metrics") as response:
            restarts = [line for line in (await response.text()).splitlines() if line.startswith("rewardbox_sandbox_restarts{")]
        events["restarted"] = any(float(line.rsplit(" ", 1)[1]) >= 1 for line in restarts)
        events["term"] = time.monotonic()
        service.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(2.0)  # clients keep sending while the service shuts down
        stop.set()
        await asyncio.gather(*tasks)
    return tally, memory, killed and events["restarted"]


def load_test(folder: Path, clients: int, seconds: float, workers: int) -> None:
    echo = folder / "echo.py"
    echo.write_text(ECHO)
    service = Service(folder, f'queue_rows = 256\nrun_code = false\n[rewards.echo]\nreward = "{echo}"\nworkers = {workers}\ntimeout = 20\n')
    tally, memory, restarted = asyncio.run(load(service, clients, seconds))
    code = service.stop()
    print(f"load test: {clients} clients, {seconds:.0f} s, queue_rows 256, {workers} workers, a fresh process per call")
    print(
        f"  requests sent {tally.sent}: answered {tally.answered} (results {tally.ok_requests}, 429 {tally.refused}, other codes {tally.other_codes or 'none'}); "
        f"lost before SIGTERM {tally.lost}; in flight at SIGTERM and answered {tally.answered_across_term}; "
        f"connections refused after SIGTERM {tally.refused_connections_after_term}"
    )
    print(f"  rows graded {tally.rows_ok + tally.rows_failed}: failed {tally.rows_failed} ({tally.rows_failed_near_kill} within 5 s of the zygote kill); answers for the wrong request {tally.wrong}")
    print(f"  zygote killed at {seconds / 2:.0f} s and restarted (rewardbox_sandbox_restarts): {'yes' if restarted else 'NO'}; service exit code after SIGTERM {code}")
    if memory:
        settled = [m for m in memory if m[0] >= 10] or memory
        first, last = settled[0], settled[-1]
        print(
            f"  service memory (RSS MB, after 10 s / at the end): main process {first[1]:.0f} / {last[1]:.0f}, "
            f"with its sandboxes {first[2]:.0f} / {last[2]:.0f}; peak main {max(m[1] for m in memory):.0f}"
        )
    if tally.lost_before_term:
        print("  lost:", "; ".join(sorted(set(tally.lost_before_term))[:5]))
    ok = tally.lost == 0 and tally.wrong == 0 and not tally.other_codes and code == 0 and restarted
    print(f"  every request sent before SIGTERM answered (a result or a 429), none for the wrong request, a clean exit: {'yes' if ok else 'NO'}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rows, one round, a 10 s load test (a smoke run)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="sandboxed processes per reward (default: the cores)")
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients in the load test (default 64)")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="length of the load test (default 60)")
    parser.add_argument("--skip-load", action="store_true", help="throughput only")
    args = parser.parse_args()
    scale, rounds, seconds = (0.25, 1, 10.0) if args.quick else (1.0, 3, args.load_seconds)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    with tempfile.TemporaryDirectory(prefix="rewardbox-bench-serve-") as folder:
        throughput(Path(folder), rounds, scale, args.workers)
        if not args.skip_load:
            load_test(Path(folder), args.clients, seconds, args.workers)


if __name__ == "__main__":
    main()
