"""Money and quantities sent as JSON numbers, read exactly: never through a float.

A client may send ``"amount": 1250.5`` rather than ``"amount": "1250.50"``. Routes built with
``ExactNumberRoute`` parse their JSON body with ``parse_float=Decimal``, so the number arrives as the decimal its
text spells (``1250.5``, not the binary float nearest to it), and ``exact_decimal_text`` turns it into the same
decimal string a client could have sent. From there the field's own rules apply: its pattern, and for an amount
the currency's decimals (``12.345`` USD is refused with ``amount_precision_exceeded``, naming the field). A float
(from any other parser) is refused rather than guessed at.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def exact_decimal_text(value: Any) -> Any:
    """A JSON number read as a Decimal (or an int) as its plain decimal text; anything else unchanged."""
    if isinstance(value, bool):
        return value  # true/false are not numbers here; the field's type refuses them
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("the number is not finite")
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        raise ValueError("send the number as a string (\"1250.50\"): a binary float cannot carry it exactly")
    return value


class ExactNumberRoute(APIRoute):
    """An API route whose JSON body keeps its numbers' exact decimal text (``parse_float=Decimal``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            body = await request.body()
            if body and "json" in request.headers.get("content-type", ""):
                try:
                    # FastAPI's handler reads ``request.json()``, which Starlette caches here.
                    request._json = json.loads(body, parse_float=Decimal)
                except ValueError:
                    pass  # not JSON: FastAPI's own parse reports where (json_invalid)
            return await handler(request)

        return exact
