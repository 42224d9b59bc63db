"""The policy: defaults shipped with Disburse, overridden table by table by an optional TOML file."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import Any

DEFAULT_POLICY = Path(__file__).with_name("default_policy.toml")
PROFILES = Path(__file__).with_name("profiles")


class PolicyError(Exception):
    code = "invalid_policy"


def profiles() -> list[str]:
    """The policy profiles shipped with Disburse (``config/profiles/<name>.toml``)."""
    return sorted(p.stem for p in PROFILES.glob("*.toml"))


def load_policy(path: str | Path | None = None, *, profile: str | None = None) -> dict[str, Any]:
    """The merged policy: the defaults, then the named profile's tables, then the policy file's.

    The defaults live in ``default_policy.toml`` and nowhere else. A file that is not valid TOML is refused with
    its line and column; an unknown profile with the names of those that exist.
    """
    policy = tomllib.loads(DEFAULT_POLICY.read_text())
    layers: list[tuple[str, dict[str, Any]]] = []
    if profile:
        if profile not in profiles():
            raise PolicyError(f"no policy profile {profile!r}; the profiles are: {', '.join(profiles())}")
        layers.append((profile, tomllib.loads((PROFILES / f"{profile}.toml").read_text())))
    if path:
        try:
            raw = Path(path).read_bytes()
            layers.append((f"file.{hashlib.sha256(raw).hexdigest()[:8]}", tomllib.loads(raw.decode())))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise PolicyError(f"policy file {path}: {exc}") from None
        except OSError as exc:
            raise PolicyError(f"policy file {path}: {exc.strerror}") from None
    version = str(policy["version"])
    for name, override in layers:
        # Every decision records the policy's label: a layer that changes rules without naming itself must not
        # pass them off as the defaults, so it gets the base label plus its own name (or its file's digest).
        version = str(override["version"]) if "version" in override else f"{version}+{name}" if override else version
        _merge(policy, override)
    policy["version"] = version
    return policy


def _merge(base: dict[str, Any], override: dict[str, Any]) -> None:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value
