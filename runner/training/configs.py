"""Reading a run's TOML config file into the model its ``method`` names: ``TrainConfig`` (GRPO) or ``SFTConfig``.

Above both methods' configs (each defines only its model, ``grpo/config.py`` the keys they
share), so neither imports the other. A bad value raises ``ConfigError`` naming the file,
the line when the key is written there, and the key.
"""

from __future__ import annotations

import os
import re

from pydantic import ValidationError

from .grpo.config import DESCRIPTIONS, RunConfig, TrainConfig
from .grpo.errors import ConfigError
from .sft.config import SFTConfig

_REWARD_FILE = re.compile(r"^[^\n]+\.py(:[A-Za-z_]\w*)?$")  # a reward spec that names a file
_DATA_PATH = re.compile(r"^(?!hf:).")  # a data source that names a file or folder


def load_config(path: str, **overrides: object) -> RunConfig:
    """Read a TOML config: a ``TrainConfig`` or, with ``method = "sft"``, an ``SFTConfig``.

    ``reward``, ``prompts`` and ``data`` files are relative to the config file; ``overrides``
    (those not None) win over the file.
    """
    import tomllib  # Python 3.11+, as the tinker SDK is; imported here so `rewardbox --help` works on 3.10
    try:
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    method = data.get("method", "grpo")
    model = _model_for(path, text, method)
    given = {key: value for key, value in overrides.items() if value is not None}
    for key in given:
        if key not in model.model_fields:
            raise ConfigError(f"{path}: a method = {method!r} run has no {key!r} setting (given on the command line)")
    data.update(given)
    folder = os.path.dirname(os.path.abspath(path))
    for key, pattern in (("reward", _REWARD_FILE), ("prompts", _DATA_PATH), ("data", _DATA_PATH), ("renderer", _REWARD_FILE)):
        value = data.get(key)
        if isinstance(value, str) and not os.path.isabs(value) and pattern.match(value):
            data[key] = os.path.normpath(os.path.join(folder, value))
    if "renderer" in data:
        data["renderer"] = _module_beside(folder, data["renderer"])
    tokenizer = data.get("tokenizer")
    if isinstance(tokenizer, str) and not os.path.isabs(tokenizer) and os.path.isdir(os.path.join(folder, tokenizer)):
        data["tokenizer"] = os.path.normpath(os.path.join(folder, tokenizer))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError("\n".join(_describe(path, text, error, model) for error in exc.errors())) from None


def _module_beside(folder: str, spec: object) -> object:
    """A ``module:function`` renderer whose module is a file beside the config, as that file's path; else ``spec``."""
    if not isinstance(spec, str) or spec.count(":") != 1 or spec.endswith(".py") or ".py:" in spec:
        return spec
    module, function = spec.split(":")
    beside = os.path.join(folder, *module.split(".")) + ".py"
    return f"{os.path.normpath(beside)}:{function}" if module and os.path.isfile(beside) else spec


def _model_for(path: str, text: str, method: object) -> type[RunConfig]:
    if method == "grpo":
        return TrainConfig
    if method == "sft":
        return SFTConfig
    raise ConfigError(f"{_where(path, text, 'method')}: key 'method': expected 'grpo' or 'sft', got {method!r}")


def _where(path: str, text: str, key: str) -> str:
    """``path:line`` of the line that sets ``key``, or ``path`` when the file does not set it."""
    match = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=", text, re.MULTILINE)
    return f"{path}:{text.count(chr(10), 0, match.start()) + 1}" if match else path


def _describe(path: str, text: str, error: dict, model: type[RunConfig]) -> str:
    if not error["loc"]:  # a rule across keys; its message names them
        return f"{path}: {error['msg'].removeprefix('Value error, ')}"
    key = ".".join(str(part) for part in error["loc"])
    top = str(error["loc"][0])
    where = _where(path, text, top)
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key '{key}' (known keys: {', '.join(model.model_fields)})"
    if error["type"] == "missing":
        return f"{where}: key '{key}' is required: {DESCRIPTIONS.get(top, '')}"
    return f"{where}: key '{key}': {error['msg']}"
