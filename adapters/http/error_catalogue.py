"""The API's error catalogue: every stable code the domain and the ledger can refuse with, its HTTP status and the
class that declares it, read from the classes themselves (each code is declared once, as a ``CodedError``
subclass in its feature's errors module), so the list cannot drift from the code."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass

import ledger
import payments
from adapters.http.problems import status_for
from ledger.errors import CodedError


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    code: str
    status: int
    declared_by: str  # module.Class
    meaning: str  # the class's docstring, first line


def _subclasses(cls: type[CodedError]) -> Iterator[type[CodedError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_catalogue() -> list[CatalogueEntry]:
    """One entry per declaring class of ``ledger`` and ``payments``, by code. The status is the one the problem
    handler gives (``status_for``); it depends on the class and the code alone, so an instance built without its
    constructor answers the same."""
    for package in (ledger, payments):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    out = []
    for cls in set(_subclasses(CodedError)):
        if not cls.__module__.startswith(("ledger.", "payments.")):
            continue
        doc = (cls.__doc__ or "").strip().splitlines()
        out.append(CatalogueEntry(cls.code, status_for(cls.__new__(cls)), f"{cls.__module__}.{cls.__qualname__}",
                                  doc[0] if doc else ""))
    return sorted(out, key=lambda e: (e.code, e.declared_by))
