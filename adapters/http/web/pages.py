"""Rendering a page: the Jinja2 environment (autoescaped, gettext), ``render``, and ``WebRoute``, the route class
of every page router, which turns the API's errors into pages and puts the security headers on every answer.

A page module does::

    router = web_router()

    @router.get("/invoices/{invoice_id}")
    def invoice(request: Request, invoice_id: str, viewer: Viewer = page(Action.INVOICE_READ)) -> Response:
        view = request.app.state.ap.invoices.view(invoice_id)       # the same service the API calls
        return render(request, "invoice.html", invoice=view)

docs/web.md has the rest (forms, CSRF, redirects after POST, translations, tests).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, RedirectResponse, Response

from adapters.http.authn import SESSION_COOKIE
from adapters.http.problems import status_for
from adapters.http.web.formatting import FILTERS
from adapters.http.web.i18n import LANGUAGES, language_of, translations
from adapters.http.web.nav import nav_for
from adapters.http.web.security import apply_page_headers
from adapters.http.web.viewer import describe
from ledger.errors import LedgerError
from payments.errors import DomainError
from payments.identity import Action

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


@pass_context
def _gettext(ctx: Any, message: str) -> str:
    return ctx["translations"].gettext(message)


@pass_context
def _ngettext(ctx: Any, singular: str, plural: str, n: int) -> str:
    return ctx["translations"].ngettext(singular, plural, n)


@pass_context
def _pgettext(ctx: Any, context: str, message: str) -> str:
    return ctx["translations"].pgettext(context, message)


@lru_cache(maxsize=None)
def static_url(name: str) -> str:
    """``/static/web.css?v=<hash>``: a new file gets a new URL, so a long browser cache is never stale."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{quote(name)}?v={digest}"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.policies["ext.i18n.trimmed"] = True
    # The translation chosen per request sits in the page's context, so one environment serves every language.
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True, pgettext=_pgettext)  # type: ignore[attr-defined]
    env.filters.update(FILTERS)
    env.globals["static_url"] = static_url
    env.globals["Action"] = Action  # buttons ask viewer.may(Action.X); the server checks again
    return env


ENV = _environment()


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """The template filled in for this request's viewer and language. Call it from a sync route (a thread)."""
    state = request.app.state
    viewer = getattr(request.state, "viewer", None)
    if viewer is None and getattr(request.state, "principal", None) is not None:
        viewer = describe(request, request.state.principal)
    language = language_of(request)
    seconds_left = None
    if viewer is not None and viewer.expires_at is not None:
        seconds_left = max(0, int((viewer.expires_at - state.clock.now()).total_seconds()))
    page = {
        "request": request, "viewer": viewer, "lang": language, "languages": list(LANGUAGES.values()),
        "locale": language.locale, "timezone": state.settings.timezone, "translations": translations(language.code),
        "nav": nav_for(viewer, request.url.path), "here": _here(request), "session_seconds_left": seconds_left,
    }
    page.update(context)
    return HTMLResponse(ENV.get_template(template).render(page), status_code=status)


def _here(request: Request) -> str:
    """This page's path and query: where the language switch and sign-in come back to."""
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def redirect(url: str) -> RedirectResponse:
    """After a successful POST: 303 See Other, so that reloading the next page never posts again."""
    return RedirectResponse(url, status_code=303)


def sign_in_redirect(request: Request) -> RedirectResponse:
    query = {"next": _here(request) if request.method == "GET" else request.url.path}
    if request.cookies.get(SESSION_COOKIE):
        query["ended"] = "1"  # a cookie that no longer signs in: the session ended (or was signed out elsewhere)
    return redirect("/sign-in?" + urlencode(query))


ERROR_TEMPLATE = "error.html"


def error_page(request: Request, status: int, code: str, message: str | None = None) -> HTMLResponse:
    return render(request, ERROR_TEMPLATE, status=status, status_code=status, code=code, message=message)


class WebRoute(APIRoute):
    """The route class of page routers: the API's exceptions become pages, and every answer gets the headers."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await inner(request)
            except HTTPException as exc:
                if exc.status_code == 401:
                    response = sign_in_redirect(request)
                else:
                    response = await run_in_threadpool(error_page, request, exc.status_code,
                                                       {403: "forbidden", 404: "not_found"}.get(exc.status_code,
                                                                                               "http_error"))
            except (DomainError, LedgerError) as exc:
                response = await run_in_threadpool(error_page, request, status_for(exc), exc.code,
                                                   exc.message)
            except RequestValidationError:
                response = await run_in_threadpool(error_page, request, 422, "invalid_request")
            return apply_page_headers(response)

        return handler


def web_router(**kwargs: Any) -> APIRouter:
    """A router for pages: ``WebRoute``, left out of the OpenAPI document, tagged ``web``."""
    return APIRouter(route_class=WebRoute, include_in_schema=False, tags=["web"], **kwargs)
