"""Editing a copied example's TOML config in CLI tests."""

from __future__ import annotations

import json
from pathlib import Path


def edit(config_path: Path, **keys: object) -> str:
    """Rewrite the config with ``keys`` set (replacing lines that set them); return its path."""
    lines = [line for line in config_path.read_text().splitlines() if line.split("=")[0].strip() not in keys]
    lines += [f"{key} = {json.dumps(value)}" for key, value in keys.items()]
    config_path.write_text("\n".join(lines) + "\n")
    return str(config_path)
