"""The service's config: the rewards it serves, each with its grader options, and the limits that keep it safe.

A TOML file (``rewardbox serve CONFIG.toml``) or flags for one reward (``rewardbox serve --reward FILE``)::

    host = "127.0.0.1"            # any other address needs a token
    port = 8000
    token_env = "REWARDBOX_TOKEN"  # the bearer token is read from this variable, never written in the file
    default = "math"               # the reward OpenRLHF's /get_reward and slime's /slime answer with

    [rewards.math]
    reward = "library:math"
    workers = 2
    timeout = 10

    [rewards.format]
    reward = "rewards/format.py:format_reward"   # a TRL function, taken as written
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_TOKEN_ENV = "REWARDBOX_TOKEN"
DESCRIPTIONS = {
    "host": "address to bind: 127.0.0.1 by default; any other address requires a bearer token",
    "port": "TCP port",
    "token_env": "the environment variable holding the bearer token clients send (Authorization: Bearer ...)",
    "default": "the reward that /get_reward (OpenRLHF) and /slime answer with when the path names none",
    "max_request_mb": "largest request body accepted; a larger one is refused with 413",
    "max_rows": "most rows one request may carry; more is refused with 413",
    "request_timeout": "seconds a request may take before it is answered with 504 (its calls still finish)",
    "queue_rows": "rows a reward may hold queued or in flight; a request beyond it is refused with 429 and Retry-After",
    "run_code": "answer SandboxFusion's /run_code with the sandboxed code runner (library:run)",
    "run_code_workers": "sandboxed processes for /run_code",
}


class RewardConfig(BaseModel):
    """One served reward and its grader's options (as ``Grader`` takes them)."""

    model_config = ConfigDict(extra="forbid")

    reward: str
    params: dict = Field(default_factory=dict)
    workers: int | None = Field(None, ge=1)
    timeout: float = Field(10.0, gt=0)
    memory_mb: int = Field(2048, ge=64)
    mode: Literal["fresh", "warm"] | None = None
    calls_per_process: int | None = Field(None, ge=1)
    convention: str | None = None
    failure_score: float = 0.0
    isolation: Literal["strict", "standard", "minimal"] = "standard"
    backend: Literal["local", "ray"] = "local"
    address: str | None = None

    def grader_options(self) -> dict:
        return self.model_dump(exclude={"reward"}, exclude_none=True)


class ServeConfig(BaseModel):
    """The service: where it listens, who may call it, the rewards, and its limits."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description=DESCRIPTIONS["host"])
    port: int = Field(8000, ge=0, le=65535, description=DESCRIPTIONS["port"])
    token_env: str = Field(DEFAULT_TOKEN_ENV, description=DESCRIPTIONS["token_env"])
    default: str | None = Field(None, description=DESCRIPTIONS["default"])
    rewards: dict[str, RewardConfig] = Field(default_factory=dict)
    max_request_mb: float = Field(16.0, gt=0, description=DESCRIPTIONS["max_request_mb"])
    max_rows: int = Field(4096, ge=1, description=DESCRIPTIONS["max_rows"])
    request_timeout: float = Field(120.0, gt=0, description=DESCRIPTIONS["request_timeout"])
    queue_rows: int = Field(8192, ge=1, description=DESCRIPTIONS["queue_rows"])
    run_code: bool = Field(True, description=DESCRIPTIONS["run_code"])
    run_code_workers: int | None = Field(None, ge=1, description=DESCRIPTIONS["run_code_workers"])

    @field_validator("rewards")
    @classmethod
    def _names(cls, rewards: dict[str, RewardConfig]) -> dict[str, RewardConfig]:
        for name in rewards:
            if not name.replace("_", "").replace("-", "").isalnum():
                raise ValueError(f"reward name {name!r}: use letters, digits, '_' and '-' (it is a URL path part)")
        return rewards

    @property
    def default_reward(self) -> str | None:
        if self.default is not None:
            return self.default
        return next(iter(self.rewards)) if len(self.rewards) == 1 else None

    @property
    def loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host == "localhost"


class ServeConfigError(ValueError):
    """A config that cannot serve: the message names the file and the key."""


def load_serve_config(path: str) -> ServeConfig:
    """Read a serve config; relative reward paths resolve beside the file."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ServeConfigError(f"{path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ServeConfigError(f"{path}: {exc}") from None
    folder = Path(path).resolve().parent
    for entry in (data.get("rewards") or {}).values():
        if isinstance(entry, dict) and isinstance(entry.get("reward"), str):
            entry["reward"] = _beside(entry["reward"], folder)
    try:
        config = ServeConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, error['loc']))}: {error['msg']}" for error in exc.errors())
        raise ServeConfigError(f"{path}: {problems}") from None
    return check(config, path)


def check(config: ServeConfig, where: str) -> ServeConfig:
    if not config.rewards and not config.run_code:
        raise ServeConfigError(f"{where}: no reward to serve and run_code is off")
    if config.default is not None and config.default not in config.rewards:
        raise ServeConfigError(f"{where}: default = {config.default!r} names no reward ({', '.join(config.rewards) or 'none'})")
    return config


def _beside(spec: str, folder: Path) -> str:
    """``spec`` with a relative ``.py`` path made absolute against the config's folder."""
    if spec.startswith("library:") or "\n" in spec:
        return spec
    path, colon, function = spec.partition(":") if spec.count(":") == 1 and not spec.startswith("/") else (spec, "", "")
    if path.endswith(".py") and not Path(path).is_absolute():
        return str(folder / path) + (colon + function if colon else "")
    return spec
