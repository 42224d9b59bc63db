"""HTTP fixtures: the real app over a real database, with a stand-in authenticator until a test needs tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from payments.identity import Principal, Role


class HeaderAuthenticator:
    """Test stand-in: 'Bearer <user>:<role>[,<role>]' or 'Bearer vendor:<user>:<vendor_id>'."""

    def authenticate(self, request):  # noqa: ANN001
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer test:"):
            return None
        parts = header.removeprefix("Bearer test:").split(":")
        if parts[0] == "vendor":
            return Principal.vendor_user(parts[1], parts[2])
        return Principal(parts[0], frozenset(Role(r) for r in parts[1].split(",")))


def as_role(role: str, user: str | None = None) -> dict:
    return {"Authorization": f"Bearer test:{user or 'usr_' + role}:{role}"}


@pytest.fixture
def api(container):  # noqa: ANN001, ANN201
    import main

    app = main.create_app(container)
    app.state.authenticator = HeaderAuthenticator()
    with TestClient(app) as client:
        yield client
