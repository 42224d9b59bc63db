"""What a command needs from the composition root: main.py hands itself in, so no command builds anything."""

from __future__ import annotations

from typing import Any, Protocol


class Wiring(Protocol):
    """The composition root's builders (main.py's functions of the same names)."""

    def build(self, *, read_only: bool = False) -> Any: ...

    def ap_services(self, container: Any) -> Any: ...

    def wire_payments(self, container: Any) -> Any: ...

    def wire_recon(self, container: Any) -> Any: ...

    def wire_sandbox(self, container: Any) -> Any: ...
