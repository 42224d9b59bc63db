"""Supplier performance and the local-vendor rule on worked examples, without a database (pure functions)."""

from __future__ import annotations

import datetime as dt

from payments.reporting.manager_reports import Certification
from payments.reporting.supplier_reports import (LocalRule, SupplierEvent, SupplierInvoice, supplier_performance)

D = dt.date(2026, 11, 2)


class Source:
    def supplier_invoices(self, since, until):  # noqa: ANN001, ANN201
        return [SupplierInvoice("i1", "v1", D, 10_000, frozenset({"duplicate_suspected"})),
                SupplierInvoice("i2", "v1", D, 30_000, frozenset({"price", "qty_received"})),
                SupplierInvoice("i3", "v1", D, 60_000),
                SupplierInvoice("i4", "v2", D, 5_000)]

    def supplier_events(self, since, until):  # noqa: ANN001, ANN201
        return [SupplierEvent("credit", "v1", D, 2_500, "cm1"), SupplierEvent("payment", "v1", D, 90_000, "p1"),
                SupplierEvent("payment", "v1", D, 5_000, "p2"), SupplierEvent("return", "v1", D, 5_000, "p2"),
                SupplierEvent("noc", "v2", D, 0, "n1")]


def test_one_vendor_with_a_duplicate_a_price_variance_a_credit_and_a_return():
    report = supplier_performance(Source(), D, D)
    v1, v2 = report["by_vendor"]
    assert (v1["invoices"], v1["held"], v1["hold_rate"]) == (3, 2, "0.6667")
    assert v1["holds_by_kind"] == {"duplicate_suspected": 1, "price": 1, "qty_received": 1}
    assert (v1["duplicates_caught"], v1["duplicate_rate"], v1["price_variances"]) == (1, "0.3333", 1)
    assert (v1["credit_memos"], v1["credited_minor"], v1["credit_rate"]) == (1, 2_500, "0.0250")  # of $1,000 billed
    assert (v1["payments"], v1["returned"], v1["return_rate"]) == (2, 1, "0.5000")
    assert (v2["nocs"], v2["hold_rate"], v2["return_rate"]) == (1, "0.0000", None)  # no payment: no rate
    assert (report["total"]["invoices"], report["total"]["held"]) == (4, 2)


def test_local_by_postal_code_state_or_a_certification_valid_that_day():
    rule = LocalRule(("148",), frozenset({"NY"}), frozenset({"LBE"}))
    assert rule.why_local(({"postal_code": "14850"},), (), D) == "address postal code 14850"
    assert rule.why_local(({"state": "ny"},), (), D) == "address in NY"
    lbe = Certification("LBE", dt.date(2026, 1, 1), dt.date(2026, 10, 31))
    assert rule.why_local(({"postal_code": "10001", "state": "NJ"},), (lbe,), D) is None  # lapsed before the day
    assert rule.why_local((), (lbe,), dt.date(2026, 10, 31)) == "LBE certification valid on the payment date"
    assert LocalRule().why_local(({"postal_code": "14850", "state": "NY"},), (lbe,), D) is None
