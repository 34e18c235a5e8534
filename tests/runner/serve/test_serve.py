"""``rewardbox serve`` driven the way each trainer's own client calls it, on 127.0.0.1 only.

OpenRLHF (requests, batched, before v0.9.1; aiohttp, one sample a request, after), slime (aiohttp,
one sample a request, 64 at once), verl's sandbox_fusion (requests to /run_code, one test a request)
and tinker-cookbook's SandboxFusionClient (aiohttp, files beside the code).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

aiohttp = pytest.importorskip("aiohttp", reason="the test extra is not installed (aiohttp)")
requests = pytest.importorskip("requests", reason="the test extra is not installed (requests)")

from sandbox_helpers import descendants, wait_for  # noqa: E402

REWARD = '''
import time

def compute_reward(completion, ground_truth):
    if completion.startswith("sleep"):
        time.sleep(float(completion.split()[1]))
    if completion == "crash":
        import os
        os._exit(9)
    return 1.0 if completion.strip().endswith(str(ground_truth)) else 0.0
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """``rewardbox serve`` in a process of its own, on a free loopback port."""

    def __init__(self, tmp_path: Path, *args: str, env: dict | None = None, config: str | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        reward = tmp_path / "reward.py"
        reward.write_text(REWARD)
        command = [sys.executable, "-m", "rewardbox.runner.cli", "serve"]
        if config is not None:
            path = tmp_path / "serve.toml"
            path.write_text(config.replace("REWARD_PATH", str(reward)))
            command.append(str(path))
        else:
            command += ["--reward", str(reward), "--name", "demo", "--workers", "2", "--timeout", "20"]
        self.log = open(tmp_path / "serve.log", "w")
        self.process = subprocess.Popen([*command, "--port", str(self.port), *args], stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
        self.headers = {"Authorization": f"Bearer {env['REWARDBOX_TOKEN']}"} if env and "REWARDBOX_TOKEN" in env else {}

    def wait_ready(self, timeout: float = 60.0) -> None:
        def ready() -> bool:
            try:
                return requests.get(f"{self.url}/ready", timeout=1).status_code == 200
            except requests.ConnectionError:
                return self.process.poll() is not None
        assert wait_for(ready, timeout=timeout), "the service did not become ready"
        assert self.process.poll() is None, (Path(self.log.name).read_text())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            self.log.close()


@pytest.fixture
def server(tmp_path):
    started = Server(tmp_path)
    started.wait_ready()
    yield started
    assert started.stop() == 0
    assert wait_for(lambda: not descendants(), timeout=10.0), "a zygote or call process outlived the service"


def test_the_native_batch_api_answers_in_order_with_statuses(server):
    rows = [{"completion": "it is 4", "ground_truth": 4}, {"completion": "it is 5", "ground_truth": 4}, {"completion": "crash", "ground_truth": 1}]
    answer = requests.post(f"{server.url}/v1/grade/demo", json={"rows": rows}, timeout=60).json()
    assert [(r["status"], r["score"]) for r in answer["results"]] == [("ok", 1.0), ("ok", 0.0), ("crashed", 0.0)]
    again = requests.post(f"{server.url}/v1/grade", json={"rows": rows[:2]}, timeout=60).json()  # the one reward is the default
    assert [r["score"] for r in again["results"]] == [1.0, 0.0]
    lines = requests.post(f"{server.url}/v1/grade/stream/demo", json={"rows": rows[:2] * 20}, timeout=60, stream=True).iter_lines()
    streamed = [json.loads(line) for line in lines if line]
    assert [line["index"] for line in streamed] == list(range(40)) and [line["score"] for line in streamed] == [1.0, 0.0] * 20


def test_openrlhf_clients_old_and_new(server):
    """v0.8: one batched POST with requests, `rewards` required; HEAD: one sample a POST with aiohttp."""
    data = {"query": ["<|im_start|>user\n2+2?<|im_end|>\nit is 4<|im_end|>", "P: 3+3? A: 5"], "prompts": ["<|im_start|>user\n2+2?<|im_end|>\n", "P: 3+3? A: "], "labels": ["4<|im_end|>", "6"]}
    response = requests.post(f"{server.url}/get_reward", json=data, headers={"Content-Type": "application/json"}, timeout=180)
    response.raise_for_status()
    answer = response.json()
    assert answer["rewards"] == [1.0, 0.0] and answer["scores"] == answer["rewards"] and answer["extra_logs"]["rewardbox_ok"] == [1.0, 1.0]

    async def head_client() -> list[float]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180)) as session:
            async def one(query: str, prompt: str, label: str) -> float:
                async with session.post(f"{server.url}/demo/get_reward", json={"query": [query], "prompts": [prompt], "labels": [label]}) as reply:
                    reply.raise_for_status()
                    return (await reply.json())["rewards"][0]
            return await asyncio.gather(*(one(q, p, l) for q, p, l in zip(data["query"], data["prompts"], data["labels"])))

    assert asyncio.run(head_client()) == [1.0, 0.0]


def test_slime_client_64_at_once(server):
    async def slime(n: int) -> list:
        connector = aiohttp.TCPConnector(limit=64)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
            async def remote_rm(payload: dict, reward_key: bool) -> object:
                url = f"{server.url}/slime" + ("?format=dict" if reward_key else "")
                async with session.post(url, json=payload) as reply:
                    reply.raise_for_status()
                    return await reply.json()
            payloads = [{"prompt": [{"role": "user", "content": f"{i}+0?"}], "response": f"answer {i}", "label": str(i if i % 2 else i + 1)} for i in range(n)]
            return await asyncio.gather(*(remote_rm(p, i == 0) for i, p in enumerate(payloads)))

    answers = asyncio.run(slime(64))
    assert answers[0] == {"score": 0.0, "ok": True, "status": "ok"}
    assert answers[1:] == [float(i % 2) for i in range(1, 64)]


def test_verl_sandbox_fusion_client(server):
    """verl posts every key, one test a request, with json.dumps'd data, and reads status/run_result."""
    def call_sandbox_api(code: str, stdin: str | None, language: str = "python") -> dict:
        payload = {"compile_timeout": 10, "run_timeout": 10, "code": code, "stdin": stdin, "memory_limit_MB": 1024, "language": language, "files": {}, "fetch_files": []}
        reply = requests.post(f"{server.url}/run_code", headers={"Content-Type": "application/json", "Accept": "application/json"}, data=json.dumps(payload), timeout=30)
        reply.raise_for_status()
        return reply.json()

    ok = call_sandbox_api("a, b = map(int, input().split())\nprint(a + b)\n\n", "1 2")
    assert ok["status"] == "Success" and ok["run_result"]["status"] == "Finished" and ok["run_result"]["stdout"].rstrip("\n") == "3"
    tle = call_sandbox_api("while True:\n    pass\n", None)
    assert tle["status"] == "Failed" and tle["run_result"]["status"] == "TimeLimitExceeded" and tle["run_result"]["return_code"] is None
    crash = call_sandbox_api("raise SystemExit(3)", None)
    assert crash["status"] == "Failed" and crash["run_result"]["return_code"] == 3 and isinstance(crash["run_result"]["stderr"], str)
    assert requests.get(f"{server.url}/v1/ping", timeout=5).json() == "pong"
    refused = requests.post(f"{server.url}/run_code", json={"code": "echo 1", "language": "php"}, timeout=5)
    assert refused.status_code == 400 and "php" in refused.json()["detail"]


def test_tinker_cookbook_sandboxfusion_client_with_files(server):
    """tinker-cookbook sends code, language, run_timeout and base64 files; the code imports a file beside it."""
    files = {"testing_util.py": base64.b64encode(b"def check(x):\n    return x == 6\n").decode(), "test_cases.txt": base64.b64encode(b"6").decode()}
    code = "import sys\nfrom testing_util import check\nvalue = int(open('test_cases.txt').read())\nsys.exit(0 if check(value) else -1)\n"

    async def client() -> tuple[bool, dict]:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4, limit_per_host=4), timeout=aiohttp.ClientTimeout(total=6000)) as session:
            async with session.post(f"{server.url}/run_code", json={"code": code, "language": "python", "run_timeout": 26, "files": files}) as reply:
                if reply.status != 200:
                    return False, {"error": f"HTTP {reply.status}"}
                data = await reply.json()
                return data["status"] == "Success", data

    success, data = asyncio.run(client())
    assert success, data


def test_limits_and_malformed_requests_are_4xx_with_the_reason(server):
    cases = [
        (b"not json", 400, "not JSON"),
        (json.dumps({"rows": "no"}).encode(), 422, "'rows'"),
        (json.dumps({"rows": [{"completion": "x"}] * 5000}).encode(), 413, "max_rows"),
        (b"{" + b" " * (17 << 20) + b"}", 413, "max_request_mb"),
    ]
    for body, code, detail in cases:
        reply = requests.post(f"{server.url}/v1/grade", data=body, timeout=60)
        assert (reply.status_code, detail in reply.json()["detail"]) == (code, True), reply.text[:200]
    missing = requests.post(f"{server.url}/v1/grade/nope", json={"rows": []}, timeout=10)
    assert missing.status_code == 404 and "demo" in missing.json()["detail"]
    row_error = requests.post(f"{server.url}/v1/grade", json={"rows": [{"completion": 3}]}, timeout=10).json()["results"][0]
    assert row_error["status"] == "invalid_input"
    assert requests.get(f"{server.url}/health", timeout=5).json() == {"status": "ok"}


def test_a_token_is_required_when_set_and_for_any_other_address(tmp_path):
    refused = subprocess.run([sys.executable, "-m", "rewardbox.runner.cli", "serve", "--reward", "library:math", "--host", "0.0.0.0", "--port", "0"],
                             capture_output=True, text=True, timeout=60, env={k: v for k, v in os.environ.items() if k != "REWARDBOX_TOKEN"})
    assert refused.returncode == 2 and "REWARDBOX_TOKEN" in refused.stderr
    guarded = Server(tmp_path, env={"REWARDBOX_TOKEN": "s3cret"})
    try:
        guarded.wait_ready()
        rows = {"rows": [{"completion": "4", "ground_truth": 4}]}
        assert requests.post(f"{guarded.url}/v1/grade", json=rows, timeout=30).status_code == 401
        assert requests.post(f"{guarded.url}/v1/grade", json=rows, headers={"Authorization": "Bearer wrong"}, timeout=30).status_code == 401
        assert requests.post(f"{guarded.url}/v1/grade", json=rows, headers=guarded.headers, timeout=30).json()["results"][0]["score"] == 1.0
        assert requests.get(f"{guarded.url}/metrics", timeout=5).status_code == 401
    finally:
        assert guarded.stop() == 0


def test_a_full_queue_refuses_with_429_and_retry_after(tmp_path):
    config = '[rewards.slow]\nreward = "REWARD_PATH"\nworkers = 1\ntimeout = 20\n'
    busy = Server(tmp_path, config="queue_rows = 4\n" + config)
    try:
        busy.wait_ready()
        first = requests.Session()
        import threading

        held = threading.Thread(target=lambda: first.post(f"{busy.url}/v1/grade/slow", json={"rows": [{"completion": "sleep 2", "ground_truth": 1}] * 4}, timeout=60))
        held.start()
        assert wait_for(lambda: 'rewardbox_queued_rows{reward="slow"} 4.0' in requests.get(f"{busy.url}/metrics", timeout=5).text, timeout=10)
        refused = requests.post(f"{busy.url}/v1/grade/slow", json={"rows": [{"completion": "4", "ground_truth": 4}]}, timeout=10)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        held.join(60)
        assert requests.post(f"{busy.url}/v1/grade/slow", json={"rows": [{"completion": "4", "ground_truth": 4}]}, timeout=30).status_code == 200
    finally:
        assert busy.stop() == 0
    assert "reward 'slow' refused 1 rows" in (tmp_path / "serve.log").read_text()  # the operator hears of it, not only the client


def test_sigterm_answers_every_accepted_request(tmp_path):
    graceful = Server(tmp_path)
    graceful.wait_ready()
    answers: list = []

    def client(i: int) -> None:
        try:
            reply = requests.post(f"{graceful.url}/v1/grade/demo", json={"rows": [{"completion": "sleep 1", "ground_truth": 1}, {"completion": f"x {i}", "ground_truth": i}]}, timeout=60)
            answers.append((reply.status_code, [r["score"] for r in reply.json()["results"]]))
        except requests.ConnectionError as exc:
            answers.append(("refused", str(exc)))

    import threading

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # all four are in the service
    assert graceful.stop() == 0
    for thread in threads:
        thread.join(60)
    assert answers == [(200, [1.0, 1.0])] * 4  # every request the service held was answered before it stopped


def test_a_reward_failing_most_rows_is_logged_by_the_service(server, tmp_path):
    rows = [{"completion": "crash", "ground_truth": 1}] * 70 + [{"completion": "it is 4", "ground_truth": 4}] * 10
    answer = requests.post(f"{server.url}/v1/grade/demo", json={"rows": rows}, timeout=120).json()
    assert [r["status"] for r in answer["results"]].count("crashed") == 70
    assert wait_for(lambda: "reward 'demo': 70 of the last 80 rows failed" in (tmp_path / "serve.log").read_text(), timeout=10)


def test_a_killed_zygote_costs_only_its_calls(server):
    import threading

    def zygotes() -> list[int]:
        found = []
        for pid in descendants(server.process.pid):
            try:
                if b"zygote import main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                pass
        return found

    answers: list = []
    rows = [{"completion": "sleep 3", "ground_truth": 3}] * 2
    thread = threading.Thread(target=lambda: answers.append(requests.post(f"{server.url}/v1/grade/demo", json={"rows": rows}, timeout=60).json()))
    thread.start()
    assert wait_for(lambda: zygotes(), timeout=10), "no zygote under the service"
    time.sleep(1.0)  # both calls are running
    busy = [pid for pid in zygotes() if descendants(pid)]  # the demo reward's zygote (/run_code has one too, idle)
    assert len(busy) == 1, busy
    os.kill(busy[0], signal.SIGKILL)
    thread.join(60)
    statuses = [r["status"] for r in answers[0]["results"]]
    assert set(statuses) <= {"crashed", "ok"}, statuses  # what ran in it is lost with the reason, or runs again in the new one
    after = requests.post(f"{server.url}/v1/grade/demo", json={"rows": [{"completion": "it is 4", "ground_truth": 4}]}, timeout=60).json()
    assert [(r["status"], r["score"]) for r in after["results"]] == [("ok", 1.0)]
    metrics = requests.get(f"{server.url}/metrics", timeout=5).text
    assert 'rewardbox_sandbox_restarts{reward="demo"} 1.0' in metrics, [line for line in metrics.splitlines() if "restarts" in line]
