"""A vendor downloads the proof that its payment is in the agency's signed journal (docs/ledger-format.md §10)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request, Response

from adapters.http.auth import require
from adapters.http.portal.portal import portal_router
from payments.identity import Action, Principal
from payments.ledger_proofs import LedgerProofs
from payments.portal.portal_proofs import HOW_TO_CHECK, PaymentProofs

router = portal_router()


@router.get("/payments/{payment_id}/proof", summary="Proof that your payment is in the signed journal",
            description=HOW_TO_CHECK)
def my_payment_proof(request: Request, payment_id: str, download: bool = False,
                     p: Principal = require(Action.PORTAL_READ)) -> Any:
    """With ``download=true`` the bundle itself, as a file; else whether there is one yet, and why not."""
    proof = PaymentProofs(request.app.state.portal, LedgerProofs(request.app.state.uow)).for_payment(p, payment_id)
    if download and proof.bundle is not None:
        return Response(json.dumps(proof.bundle, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                        media_type="application/json",
                        headers={"Content-Disposition": f'attachment; filename="proof-{payment_id}.json"'})
    return {"payment_id": proof.payment_id, "available": proof.available, "why": proof.why,
            "how_to_check": HOW_TO_CHECK, "bundle": proof.bundle}
