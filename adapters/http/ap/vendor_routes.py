"""/v1/vendors (TIN shown as its last 4 only) and /v1/budgets (appropriations and funds available)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from adapters.http.ap.ap_io import Amount, Code, Currency, after, created, listing, major, minor, services, stamp
from adapters.http.json_numbers import ExactNumberRoute
from adapters.http.auth import require
from adapters.http.fields import Identifier40, Name200, Text500
from adapters.http.idempotency import run_idempotent
from payments.ap.ap_records import BudgetRecord, VendorRecord
from payments.ap.budget_service import SetBudget
from payments.ap.documents import AccountCoding, DiversityCertification, VendorStatus
from payments.identity import Action, Principal
from payments.ap.vendor_service import VendorDetails

router = APIRouter(prefix="/v1", tags=["vendors and budgets"], route_class=ExactNumberRoute)


class CertificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=40)
    certifier: str = Field(min_length=1, max_length=200)
    valid_from: dt.date
    valid_to: dt.date


class VendorFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    legal_name: Name200
    number: Identifier40 | None = Field(default=None, description="the agency's own vendor number")
    tin: str | None = Field(default=None, max_length=11, description="EIN or SSN; stored encrypted, shown as last 4")
    addresses: list[dict[Identifier40, Text500]] = Field(default_factory=list, max_length=20)
    contacts: list[dict[Identifier40, Text500]] = Field(default_factory=list, max_length=20)
    terms: str = Field(default="", max_length=40, description='e.g. "2/10 net 30"')
    is_1099: bool = False
    is_individual: bool = Field(default=False, description="a natural person: open data shows 'Redacted payee'")
    certifications: list[CertificationIn] = Field(default_factory=list, max_length=20)

    def details(self) -> VendorDetails:
        return VendorDetails(self.legal_name, self.number, self.tin, tuple(self.addresses), tuple(self.contacts),
                             self.terms, self.is_1099,
                             tuple(DiversityCertification(c.kind, c.certifier, c.valid_from, c.valid_to)
                                   for c in self.certifications), self.is_individual)


class VendorIn(VendorFields):
    id: str | None = Field(default=None, description="ven_<ULID>: makes the create idempotent by id")


class VendorUpdateIn(VendorFields):
    expected_version: int = Field(ge=1, le=2**31 - 1)


def vendor_out(r: VendorRecord, today: dt.date | None = None) -> dict:
    v = r.vendor
    today = today or dt.date.today()
    return {"id": v.id, "number": r.number, "legal_name": v.legal_name, "status": v.status.value,
            "tin_last4": r.tin_last4, "tin": f"*****{r.tin_last4}" if r.tin_last4 else None, "terms": v.terms,
            "is_1099": v.is_1099, "is_individual": v.is_individual, "addresses": list(r.addresses), "contacts": list(r.contacts),
            "certifications": [{"kind": c.kind, "certifier": c.certifier, "valid_from": c.valid_from.isoformat(),
                                "valid_to": c.valid_to.isoformat(), "valid_today": c.is_valid_on(today)}
                               for c in v.certifications],
            "version": r.version, "created": stamp(r.created), "updated": stamp(r.updated)}


@router.post("/vendors", status_code=201)
def create_vendor(request: Request, body: VendorIn, principal: Principal = require(Action.VENDOR_CREATE)):
    return run_idempotent(request, principal, body.model_dump(mode="json"), lambda: created(
        services(request).vendors.create(principal, body.details(), id=body.id), vendor_out))


@router.get("/vendors")
def list_vendors(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
                 status: str | None = None, _p: Principal = require(Action.VENDOR_READ)) -> dict:
    rows = services(request).vendors.list(after=after(cursor), limit=limit + 1, status=status)
    return listing(rows, limit, lambda r: r.vendor.id, vendor_out)


@router.get("/vendors/{vendor_id}")
def get_vendor(request: Request, vendor_id: str, _p: Principal = require(Action.VENDOR_READ)) -> dict:
    return vendor_out(services(request).vendors.get(vendor_id), services(request).deps.today())


@router.put("/vendors/{vendor_id}")
def update_vendor(request: Request, vendor_id: str, body: VendorUpdateIn,
                  principal: Principal = require(Action.VENDOR_UPDATE)):
    return run_idempotent(request, principal, body.model_dump(mode="json"), lambda: (200, vendor_out(
        services(request).vendors.update(principal, vendor_id, body.details(),
                                         expected_version=body.expected_version))))


@router.post("/vendors/{vendor_id}:activate")
def activate_vendor(request: Request, vendor_id: str, principal: Principal = require(Action.VENDOR_UPDATE)) -> dict:
    return vendor_out(services(request).vendors.set_status(principal, vendor_id, VendorStatus.ACTIVE))


@router.post("/vendors/{vendor_id}:deactivate")
def deactivate_vendor(request: Request, vendor_id: str, principal: Principal = require(Action.VENDOR_UPDATE)) -> dict:
    return vendor_out(services(request).vendors.set_status(principal, vendor_id, VendorStatus.INACTIVE))


# -- budgets -----------------------------------------------------------------------------------------------

class BudgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fiscal_year: int = Field(ge=1901, le=2999)
    fund: Code
    department: Code
    object_code: Code
    amount: Amount = Field(description="the appropriation in major units, e.g. '300000.00'")
    currency: Currency = "USD"


def budget_out(b: BudgetRecord) -> dict:
    return {"id": b.id, "fiscal_year": b.fiscal_year, "fund": b.fund, "department": b.department,
            "object_code": b.object_code, "currency": b.currency, "amount": major(b.amount_minor, b.currency),
            "amount_minor": b.amount_minor, "encumbered_minor": b.encumbered_minor, "expended_minor": b.expended_minor,
            "available_minor": b.available_minor, "entry_id": b.entry_id, "version": b.version, "set": stamp(b.set)}


@router.post("/budgets", status_code=201)
def set_budget(request: Request, body: BudgetIn, principal: Principal = require(Action.BUDGET_MANAGE)):
    def handler() -> tuple[int, dict]:
        cmd = SetBudget(body.fiscal_year, AccountCoding(body.fund, body.department, body.object_code),
                        minor(body.amount, body.currency), body.currency)
        record = services(request).budgets.set(principal, cmd)
        return (201 if record.version == 1 else 200), budget_out(record)
    return run_idempotent(request, principal, body.model_dump(mode="json"), handler)


@router.get("/budgets")
def list_budgets(request: Request, cursor: str | None = None, limit: int = Query(50, ge=1, le=500),
                 fiscal_year: int | None = Query(None, ge=1901, le=2999), fund: str | None = Query(None, max_length=20),
                 _p: Principal = require(Action.LEDGER_READ)) -> dict:
    rows = services(request).budgets.list(after=after(cursor), limit=limit + 1, fiscal_year=fiscal_year, fund=fund)
    return listing(rows, limit, lambda r: r.id, budget_out)


@router.get("/budgets/availability")
def availability(request: Request, fund: str, department: str, object_code: str, currency: str = "USD",
                 fiscal_year: int | None = Query(None, ge=1901, le=2999),
                 _p: Principal = require(Action.LEDGER_READ)) -> dict:
    a = services(request).budgets.availability(AccountCoding(fund, department, object_code), currency, fiscal_year)
    return {"fund": fund, "department": department, "object_code": object_code, "currency": currency,
            "fiscal_year": a.fiscal_year,
            **{f"{k}_minor": v for k, v in (("appropriated", a.appropriated_minor), ("encumbered", a.encumbered_minor),
                                             ("expended", a.expended_minor), ("available", a.available_minor))},
            "available": major(a.available_minor, currency)}
