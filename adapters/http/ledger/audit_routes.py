"""/v1/audit: the audit trail for auditors (and admins), filterable, and its verification."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import APIRouter, Query, Request

from adapters.http.auth import require
from adapters.http.pagination import decode_cursor, page
from ledger.journal import format_time
from payments.identity import Action, Principal

router = APIRouter(prefix="/v1/audit", tags=["audit"])


def _bound(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return format_time(moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc))


@router.get("")
def list_events(request: Request, actor: str | None = None, action: str | None = None,
                object_type: str | None = None, object_id: str | None = None,
                since: dt.datetime | None = Query(None, description="RFC 3339; events recorded at or after"),
                until: dt.datetime | None = Query(None, description="RFC 3339; events recorded before"),
                cursor: str | None = None, limit: int = Query(100, ge=1, le=1000),
                _p: Principal = require(Action.AUDIT_READ)) -> dict:
    after = int(decode_cursor(cursor).get("after", 0))
    events = request.app.state.audit.search(actor=actor, action=action, object_type=object_type,
                                            object_id=object_id, since=_bound(since), until=_bound(until),
                                            after_sequence=after, limit=limit + 1)
    result = page(events, limit, lambda e: {"after": e.sequence})
    result["items"] = [{"sequence": e.sequence, "id": e.event_id, "recorded_at": e.recorded_at,
                        "action": e.action, "actor": e.actor, "actor_roles": list(e.actor_roles),
                        "object_type": e.object_type, "object_id": e.object_id,
                        "before_digest": e.before_digest, "after_digest": e.after_digest,
                        "detail": dict(e.detail), "hash": e.hash, "key_id": e.key_id,
                        "request_id": e.request_id} for e in result["items"]]
    return result


@router.post("/verify")
def verify(request: Request, _p: Principal = require(Action.AUDIT_READ)) -> dict:
    """Re-derive every hash and check every signature of the audit journal; changes nothing."""
    return json.loads(request.app.state.audit.verify().to_json())
