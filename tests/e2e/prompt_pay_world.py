"""An agency bound by a prompt-payment act, over HTTP: the real app and database, its policy file naming the rule set,
the real payment sources for invoices (approved invoices, vendors, purchase orders, disputes) and the configured
rail, with stand-in bank accounts (one active checking account per vendor) and header authentication.

The City's story is the one every prompt-pay test tells: 10 chairs at $120.00 received on Thursday 1 October 2026,
the vendor's invoice received on Tuesday 6 October; today is Monday 2 November 2026 (the ``clock`` fixture).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_settings
from tests.e2e.conftest import HeaderAuthenticator, as_role
from tests.payment_fakes import FakeAccounts

CHAIRS_RECEIVED, INVOICE_RECEIVED = dt.date(2026, 10, 1), dt.date(2026, 10, 6)
CLERK, APPROVER, TREASURER = as_role("ap_clerk", "usr_cat"), as_role("ap_approver", "usr_abe"), as_role("treasurer")
VENDOR_ADMIN, AUDITOR = as_role("vendor_admin", "usr_val"), as_role("auditor")


@dataclass
class Agency:
    container: Any
    api: TestClient

    @property
    def ap(self) -> Any:
        from tests.integration.ap_story import ap

        return ap(self.container)

    def vendor(self, name: str = "Acme Furniture", tin: str = "12-3456789") -> str:
        from tests.integration.ap_story import budget, vendor

        s = self.ap
        vendor_id = vendor(s, name, tin)
        budget(s)
        return vendor_id

    def po(self, vendor_id: str, *, category: str = "furniture", chairs: int = 10, number: str = "PO-2027-0001",
           received_on: dt.date = CHAIRS_RECEIVED) -> str:
        """An approved order for ``chairs`` chairs, all received (and accepted) on ``received_on``."""
        from payments.ap.documents import LineKind
        from payments.ap.po_lines import NewPOLine
        from tests.integration.ap_story import D, FURNITURE, approved_po, receive

        s = self.ap
        line = NewPOLine(1, "chair", D(chairs), "each", D(12_000), FURNITURE, LineKind.GOODS, None, category)
        po = approved_po(s, vendor_id, line, number=number)
        receive(s, po, (1, chairs, chairs), on=received_on)
        return po

    def invoice(self, vendor_id: str, po_id: str, *, chairs: int = 10, number: str = "INV-1001",
                received_on: dt.date = INVOICE_RECEIVED, total: str | None = "default") -> dict:
        """The vendor's invoice entered by a clerk over HTTP (``total=None``: an improper invoice with no total)."""
        body = {"vendor_id": vendor_id, "invoice_number": number, "invoice_date": "2026-10-05",
                "received_on": received_on.isoformat(), "terms": "net 30",
                "total": f"{chairs * 120}.00" if total == "default" else total,
                "remit_to": "Acme Furniture, 1 Main St", "defect_contact": "Pat Lee, 555-0100",
                "lines": [{"line_no": 1, "po_id": po_id, "po_line_no": 1, "quantity": str(chairs),
                           "unit_price": "120.00"}]}
        r = self.api.post("/v1/invoices", json=body, headers=CLERK)
        assert r.status_code == 201, r.text
        return r.json()

    def approve(self, invoice_id: str) -> dict:
        r = self.api.post(f"/v1/invoices/{invoice_id}:approve", headers=APPROVER)
        assert r.status_code == 200, (r.text, self.api.get(f"/v1/invoices/{invoice_id}", headers=AUDITOR).json()["holds"])
        return r.json()

    def pay(self, run_date: dt.date | None = None, *, rail: str | None = None) -> dict:
        """A clerk creates today's run (or ``run_date``'s, on ``rail``), a treasurer releases and submits it; the run
        read back."""
        body = ({} if run_date is None else {"run_date": run_date.isoformat()}) | ({"rail": rail} if rail else {})
        created = self.api.post("/v1/payment-runs", json=body, headers=CLERK)
        assert created.status_code == 201, created.text
        run = created.json()
        assert self.api.post(f"/v1/payment-runs/{run['id']}:release", headers=TREASURER).status_code == 200
        submitted = self.api.post(f"/v1/payment-runs/{run['id']}:submit", headers=TREASURER)
        assert submitted.status_code == 200 and submitted.json()["result"] == "accepted", submitted.text
        return self.api.get(f"/v1/payment-runs/{run['id']}", headers=AUDITOR).json()

    def outbox(self, rail: str, pattern: str) -> list[Any]:
        """The files the rail wrote (``*.ach``, ``*.xml``)."""
        return sorted((self.container.settings.path("outbox_dir") / rail).glob(pattern))

    def interest_posted(self) -> list[Any]:
        """The journal's ``interest_owed`` entries."""
        with self.container.uow(read_only=True) as uow:
            return list(uow.ledger_queries.list_entries(code="interest_owed"))


@pytest.fixture
def agency(db_url, tmp_path, clock):  # noqa: ANN001, ANN201
    """``agency(policy_text)``: a wired Disburse whose policy file is ``policy_text`` (merged over the default)."""
    import main
    from payments.example.example_agency import example_accounts

    made: list[tuple[Any, TestClient]] = []

    def build(policy: str) -> Agency:
        path = tmp_path / f"policy{len(made)}.toml"
        path.write_text(policy)
        c = main.build(make_settings(db_url, tmp_path, policy_file=str(path)), clock=clock, migrate=not made)
        if not made:
            main.initialize(c, example=False)
            c.ledger.add_accounts(example_accounts())
        main.wire_payments(c, accounts=FakeAccounts())
        app = main.create_app(c)
        app.state.authenticator = HeaderAuthenticator()
        client = TestClient(app)
        client.__enter__()
        made.append((c, client))
        return Agency(c, client)

    yield build
    for c, client in made:
        client.__exit__(None, None, None)
        c.engine.dispose()


TEXAS = ('[prompt_pay]\nrule_set = "texas"\n'
         # the Comptroller's FY2027 rate is prime + 1%; 6.75% prime here is a figure for the tests
         'rule_set_rates = { texas = [["2026-09-01", "6.75", "2027-08-31"]] }\n')
FLORIDA = '[prompt_pay]\nrule_set = "florida_local"\n'
WASHINGTON = '[prompt_pay]\nrule_set = "washington"\n'
