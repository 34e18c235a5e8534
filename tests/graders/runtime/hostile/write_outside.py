"""Tries to modify, delete and create files outside its temporary directory.

The completion is JSON: {"victim": existing file, "outside_dir": its folder,
"tmp_name": a file name to create in /tmp}; it also tries the folder holding its
own working directory (the sandbox's temp root, where other calls' folders live). Every attempt is caught and printed;
the score is the number of attempts that went through.
"""
import json
import os


def _write(path):
    with open(path, "w") as f:
        f.write("pwned")


def _append(path):
    with open(path, "a") as f:
        f.write("pwned")


def _steal_through_hardlink(victim):
    os.link(victim, "stolen")
    _write("stolen")


def compute_reward(completion, ground_truth):
    config = json.loads(completion)
    victim, outside = config["victim"], config["outside_dir"]
    attempts = {
        "overwrite": lambda: _write(victim),
        "append": lambda: _append(victim),
        "truncate": lambda: os.truncate(victim, 0),
        "delete": lambda: os.remove(victim),
        "rename": lambda: os.rename(victim, victim + ".moved"),
        "move into own dir": lambda: os.rename(victim, os.path.join(os.getcwd(), "moved")),
        "hardlink": lambda: _steal_through_hardlink(victim),
        "create beside": lambda: _write(os.path.join(outside, "created.txt")),
        "mkdir beside": lambda: os.mkdir(os.path.join(outside, "created_dir")),
        "symlink beside": lambda: os.symlink("/etc/passwd", os.path.join(outside, "link")),
        "create in /tmp": lambda: _write(os.path.join("/tmp", config["tmp_name"])),
        "rmdir outside": lambda: os.rmdir(outside),
        "create beside own temp dir": lambda: _write(os.path.join(os.path.dirname(os.getcwd()), "planted.txt")),
    }
    succeeded = 0
    for name, attempt in attempts.items():
        try:
            attempt()
        except Exception as exc:  # noqa: BLE001 - report every refusal
            print(f"{name}: {type(exc).__name__}: {exc}")
        else:
            print(f"{name}: went through")
            succeeded += 1
    return float(succeeded)
