"""Issue 12, item 6: the two-approver threshold cannot be avoided by splitting (SQLite and PostgreSQL).

The attack, as it was run: two invoices of about $20,000 each, same vendor, order and date, each approved by one
approver, where one invoice for the whole would have needed two. Now an invoice whose vendor's invoices within the
policy window ([approvals] split_window_days, 30) together cross the threshold ($25,000 by default) gets a named
``split_suspected`` hold and needs the second approver; the hold is released when that approver approves.
"""

from __future__ import annotations

from tests.e2e.ap_controls_world import APPROVER, APPROVER_2, AUDITOR, approve, bill, ok, refused, world  # noqa: F401


def test_the_second_half_of_a_split_needs_a_second_approver(api, world):
    first = ok(bill(api, world, "167", number="INV-7001"), 201)  # $20,040
    assert ok(approve(api, first["id"], APPROVER))["status"] == "approved"  # alone it is below the threshold

    second = ok(bill(api, world, "166", number="INV-7002"), 201)  # $19,920, same vendor, order and date
    one = ok(approve(api, second["id"], APPROVER))
    assert (one["status"], one["fully_approved"], one["approvals_required"]) == ("matched", False, 2)
    [hold] = [h for h in one["holds"] if h["hold"] == "split_suspected"]
    assert (hold["actual"], hold["expected"]) == ("3996000", "2500000")  # together, and the threshold
    assert f"With {first['id']}," in hold["explanation"] and "second approver" in hold["explanation"]
    refused(approve(api, second["id"], APPROVER), 403, "same_approver_twice")

    two = ok(approve(api, second["id"], APPROVER_2))
    assert (two["status"], two["fully_approved"]) == ("approved", True)
    released = ok(api.get(f"/v1/invoices/{second['id']}/holds?status=released", headers=AUDITOR))["items"]
    assert [(h["hold"], h["release_kind"], h["released_by"]) for h in released] == [
        ("split_suspected", "auto", "usr_cy")]


def test_both_parts_entered_first_each_need_two_and_a_distant_invoice_does_not(api, world):
    a = ok(bill(api, world, "120", number="INV-8001"), 201)  # $14,400
    b = ok(bill(api, world, "120", number="INV-8002", invoice_date="2026-10-25"), 201)  # 20 days later
    far = ok(bill(api, world, "120", number="INV-8003", invoice_date="2026-08-20"), 201)  # 46 days before a
    for invoice in (a, b):
        assert ok(approve(api, invoice["id"], APPROVER))["fully_approved"] is False
    assert ok(approve(api, far["id"], APPROVER))["status"] == "approved"  # 46 days off: alone in its window
    for invoice in (a, b):
        assert ok(approve(api, invoice["id"], APPROVER_2))["status"] == "approved"


def test_an_invoice_above_the_threshold_is_not_called_a_split_and_still_needs_two(api, world):
    big = ok(bill(api, world, "250", number="INV-9001"), 201)  # $30,000
    small = ok(bill(api, world, "10", number="INV-9002"), 201)  # $1,200: only parts at or below count
    one = ok(approve(api, big["id"], APPROVER))
    assert one["fully_approved"] is False and not [h for h in one["holds"] if h["hold"] == "split_suspected"]
    assert ok(approve(api, small["id"], APPROVER))["status"] == "approved"
