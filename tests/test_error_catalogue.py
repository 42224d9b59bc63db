"""Every refusal's stable code is declared once, by a named class (DESIGN.md: CodedError subclasses), and the
API's error catalogue lists it with the status the problem handler gives it.

A reader who meets ``stale_state`` in a response finds its class in the catalogue; a new refusal written as
``raise Conflict("...", code="new_thing")`` fails here, because such a code is declared nowhere a catalogue sees.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from adapters.http.error_catalogue import error_catalogue

ROOT = Path(__file__).resolve().parents[1]

# Codes that two classes give different statuses, kept as they were when the codes were gathered into classes
# (clients rely on them); a new entry here is a decision, not a default.
STATUS_DIFFERS = {
    # a payment URL that names no payment is 404; a manual match that names payments that do not exist is 422
    "payment_not_found": {404, 422},
    # a rule set asked for by name (GET) is 404; terms that name an unknown one are an invalid document (422)
    "unknown_prompt_pay_rule_set": {404, 422},
}


def _inline_codes(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                for kw in node.exc.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno} {kw.value.value}")
    return found


def test_no_refusal_in_the_domain_or_the_ledger_names_its_code_inline():
    assert _inline_codes("payments") + _inline_codes("ledger") == []


def test_the_catalogue_gives_each_code_one_status_and_never_a_500():
    statuses: dict[str, set[int]] = defaultdict(set)
    for entry in error_catalogue():
        statuses[entry.code].add(entry.status)
    assert all(500 not in s for s in statuses.values())
    differing = {code: s for code, s in statuses.items() if len(s) > 1}
    assert differing == STATUS_DIFFERS


def test_the_catalogue_names_the_codes_clients_meet_with_their_statuses():
    by_code = {(e.code, e.status) for e in error_catalogue()}
    for code, status in [("stale_state", 409), ("insufficient_funds", 422), ("reason_required", 422),
                         ("entry_already_reversed", 409), ("payment_run_not_found", 404),
                         ("checkpoint_does_not_cover_entry", 409), ("invoice_not_disputable", 409),
                         ("budget_override_required", 403), ("journal_not_initialized", 503)]:
        assert (code, status) in by_code, code
    declared = [e for e in error_catalogue() if e.code == "stale_state"]
    assert [e.declared_by for e in declared] == ["payments.errors.StaleState"]  # one class, not one per feature
