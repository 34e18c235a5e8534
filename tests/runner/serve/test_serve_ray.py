"""``rewardbox serve`` with its graders on Ray: the service is a stateless front, the calls run on the cluster's actors."""

from __future__ import annotations

import pytest

pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'rewardbox[ray]')")
requests = pytest.importorskip("requests", reason="the test extra is not installed (requests)")

from test_serve import Server  # noqa: E402

CONFIG = """
run_code = false

[rewards.ray]
reward = "REWARD_PATH"
backend = "ray"
workers = 1
timeout = 20
"""


def test_a_ray_backed_service_grades_through_actors(tmp_path):
    served = Server(tmp_path, config=CONFIG)
    try:
        served.wait_ready(timeout=120)
        rows = [{"completion": f"it is {n}", "ground_truth": n % 3} for n in range(12)]
        answer = requests.post(f"{served.url}/v1/grade/ray", json={"rows": rows}, timeout=120).json()
        assert [r["score"] for r in answer["results"]] == [1.0 if n % 3 == n % 10 else 0.0 for n in range(12)]
        assert requests.post(f"{served.url}/get_reward", json={"query": ["Q it is 2"], "prompts": ["Q"], "labels": ["2"]}, timeout=60).json()["rewards"] == [1.0]
    finally:
        assert served.stop() == 0
