"""``/``: a landing page with the way to sign in, or, signed in, what needs the viewer today."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from adapters.http.auth import public
from adapters.http.authn import SESSION_COOKIE
from adapters.http.web.home_queue import queue_for
from adapters.http.web.home_worklists import hold_ages, late_interest
from adapters.http.web.pages import render, web_router
from adapters.http.web.viewer import optional_viewer

router = web_router()


@router.get("/")
def home(request: Request, _: None = public()) -> Response:
    viewer = optional_viewer(request)
    if viewer is None:
        return render(request, "landing.html", ended=bool(request.cookies.get(SESSION_COOKIE)))
    state = request.app.state
    if viewer.is_vendor:
        return render(request, "home.html", queue=queue_for(state, viewer), hold_ages=[], late=None)
    return render(request, "home.html", queue=queue_for(state, viewer), hold_ages=hold_ages(state, viewer),
                  late=late_interest(state, viewer))
