"""The environment the zygote is exec'd with: an allow-list, nothing inherited.

Anything not named here (TINKER_API_KEY, OPENAI_API_KEY, HF_TOKEN, AWS_*, ...)
never reaches user code, neither in ``os.environ`` nor in ``/proc/self/environ``.
"""

from __future__ import annotations

import os

HASH_SEED = 0
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "RAYON_NUM_THREADS",
    "TOKENIZERS_PARALLELISM",
)


def sandbox_environment(temp_dir: str, caller_env: dict[str, str] | None = None, hash_seed: int = HASH_SEED) -> dict[str, str]:
    """Return the allow-listed environment for a zygote whose private directory is ``temp_dir``."""
    source = os.environ if caller_env is None else caller_env
    env = {name: source[name] for name in PASSED_THROUGH if name in source}
    env.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    env.update(
        HOME=temp_dir,
        TMPDIR=temp_dir,
        PYTHONHASHSEED=str(hash_seed),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONUNBUFFERED="1",
        HF_HUB_OFFLINE="1",
        NO_PROXY="*",
    )
    env.update({name: "1" for name in THREAD_VARIABLES})
    env["TOKENIZERS_PARALLELISM"] = "false"
    return env
