"""Runs a shell command that creates the marker file named by the completion (no exception handling)."""
import subprocess


def compute_reward(completion, ground_truth):
    subprocess.run(["/bin/sh", "-c", f"touch {completion}"], check=True, timeout=5)
    return 1.0
