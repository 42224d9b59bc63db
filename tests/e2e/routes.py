"""The app's route table, flattened: what the route-rule, role and BOLA matrices are generated from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute

from adapters.http.auth import route_action

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PARAM = re.compile(r"{([^}:]+)(:[^}]+)?}")


@dataclass(frozen=True)
class RouteInfo:
    method: str
    path: str
    tags: tuple[str, ...]
    action: Any  # an Action, "public", or None when the route declared nothing
    route: Any

    @property
    def params(self) -> list[str]:
        return [m.group(1) for m in _PARAM.finditer(self.path)]

    @property
    def writes(self) -> bool:
        return self.method in WRITE_METHODS

    def url(self, **values: str) -> str:
        return _PARAM.sub(lambda m: values.get(m.group(1), f"zz_missing_{m.group(1)}"), self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _contexts(app) -> list:  # noqa: ANN001
    try:  # FastAPI 0.16x includes routers lazily: app.routes holds the included routers, not their routes
        from fastapi.routing import iter_route_contexts
    except ImportError:
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def _routes(app) -> list[RouteInfo]:  # noqa: ANN001
    out = []
    for ctx in _contexts(app):
        if not isinstance(getattr(ctx, "original_route", ctx), APIRoute):
            continue
        for method in sorted(ctx.methods - {"HEAD", "OPTIONS"}):
            out.append(RouteInfo(method, ctx.path, tuple(ctx.tags or ()), route_action(ctx), ctx))
    return out


def api_routes(app) -> list[RouteInfo]:  # noqa: ANN001
    """The JSON API's routes (problem-details answers); the pages are ``web_routes``."""
    return [r for r in _routes(app) if "web" not in r.tags]


def web_routes(app) -> list[RouteInfo]:  # noqa: ANN001
    """The server-rendered pages (adapters/http/web, tagged ``web``): HTML answers, held to tests/e2e/test_web_routes.py."""
    return [r for r in _routes(app) if "web" in r.tags]
