"""The policy: defaults shipped with Disburse, overridden table by table by an optional TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

DEFAULT_POLICY = Path(__file__).with_name("default_policy.toml")


class PolicyError(Exception):
    code = "invalid_policy"


def load_policy(path: str | Path | None = None) -> dict[str, Any]:
    """The merged policy; a file that is not valid TOML is refused with its line and column."""
    policy = tomllib.loads(DEFAULT_POLICY.read_text())
    if path:
        try:
            override = tomllib.loads(Path(path).read_text())
        except tomllib.TOMLDecodeError as exc:
            raise PolicyError(f"policy file {path}: {exc}") from None
        except OSError as exc:
            raise PolicyError(f"policy file {path}: {exc.strerror}") from None
        _merge(policy, override)
    return policy


def _merge(base: dict[str, Any], override: dict[str, Any]) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
