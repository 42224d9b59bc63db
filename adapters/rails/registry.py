"""Every rail Disburse knows: the built-ins in one dict, plus whatever packages declare in ``disburse.rails``.

A bank's adapter ships as its own package with, in its ``pyproject.toml``::

    [project.entry-points."disburse.rails"]
    mybank = "mybank_rail:build"

``build(context: RailContext) -> DisbursementRail``. A built-in name wins over an entry point of the same name,
so installing a package can never silently replace the NACHA rail.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from payments.disbursements.payment_ports import DisbursementRail
from payments.disbursements.rails import UnknownRail

ENTRY_POINT_GROUP = "disburse.rails"

# name -> "module:factory"; imported only when asked for, so an unused rail costs nothing.
BUILTIN_RAILS: dict[str, str] = {
    "nacha": "adapters.rails.nacha.rail:build",
    "iso20022": "adapters.rails.iso20022.rail:build",
    "sandbox": "adapters.rails.sandbox:build",
}

log = logging.getLogger("disburse.rails")


@dataclass(frozen=True)
class RailContext:
    """What a rail factory gets: the policy (its own table under the rail's name), where to write, a clock."""

    policy: Mapping[str, Any]
    outbox_dir: Path
    clock: Any
    calendar: Any = None
    # Test hook: called with a named point ("after_writing_file") so a crash test can kill the process there.
    crash: Callable[[str], None] = field(default=lambda _name: None)

    def section(self, name: str) -> Mapping[str, Any]:
        return self.policy.get(name, {}) if isinstance(self.policy, Mapping) else {}


Factory = Callable[[RailContext], DisbursementRail]


def _load(target: str) -> Factory:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def discovered() -> dict[str, Any]:
    """Entry points in the ``disburse.rails`` group, by name (not loaded)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def names() -> list[str]:
    return sorted(set(BUILTIN_RAILS) | set(discovered()))


def factory(name: str) -> Factory:
    if name in BUILTIN_RAILS:
        return _load(BUILTIN_RAILS[name])
    found = discovered().get(name)
    if found is None:
        raise UnknownRail(name, names())
    return found.load()


class RailRegistry:
    """Builds each rail once, on first use, with the shared context."""

    def __init__(self, context: RailContext, overrides: Mapping[str, DisbursementRail] | None = None) -> None:
        self._context = context
        self._rails: dict[str, DisbursementRail] = dict(overrides or {})

    def get(self, name: str) -> DisbursementRail:
        if name not in self._rails:
            rail = factory(name)(self._context)
            log.info("rail %s ready (%s)", name, type(rail).__name__)
            self._rails[name] = rail
        return self._rails[name]

    __call__ = get

    def register(self, name: str, rail: DisbursementRail) -> None:
        self._rails[name] = rail

    def names(self) -> list[str]:
        return sorted(set(names()) | set(self._rails))

    def sent_file(self, rail: str, reference: str) -> bytes | None:
        """``payments.disbursements.sent_files.SentFiles``: the file ``rail`` delivered as ``reference``, read back
        from its transport (the directory drop, the sandbox bank); None for a rail without one."""
        read = getattr(getattr(self.get(rail), "transport", None), "read", None)
        return read(reference) if callable(read) else None
