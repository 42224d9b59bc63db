"""Each assist signal's recall on the planted year (tests/signals_planted.py) and its false alarms on the same year
without the frauds: every labelled fraud is found by the signal it was planted for, and the clean year, look-alikes
included, raises nothing. Pure and quick (about 3,300 invoices, no database)."""

from __future__ import annotations

from collections import Counter

from payments.reporting.signals import SignalPolicy, all_signals, benford_chi_square
from tests.signals_planted import THRESHOLD_MINOR, clean_year, planted_year

POLICY = SignalPolicy(thresholds_minor=(THRESHOLD_MINOR,))


def test_every_planted_case_is_found_by_its_signal():
    facts, planted = planted_year()
    found = {(s.kind, s.subject_id) for s in all_signals(facts, POLICY)}
    per_signal = Counter(p.signal for p in planted)
    hits = Counter(p.signal for p in planted if (p.signal, p.subject) in found)
    recall = {kind: hits[kind] / n for kind, n in per_signal.items()}
    assert recall == dict.fromkeys(per_signal, 1.0)
    assert len(per_signal) == 10  # every signal the issue lists besides split purchases has a planted case


def test_the_clean_year_and_its_look_alikes_raise_nothing():
    assert all_signals(clean_year(), POLICY) == []


def test_each_signal_says_why_in_one_sentence_with_its_evidence():
    facts, _ = planted_year()
    by_kind = {s.kind: s for s in all_signals(facts, POLICY)}
    shell = next(s for s in all_signals(facts, POLICY) if s.kind == "shared_bank_account" and s.subject_id == "shell")
    assert shell.explanation == "Vendor shell's bank account ba_shell is also on file for v07."
    under = by_kind["just_under_threshold"]
    assert under.evidence["threshold_minor"] == 2_500_000 and "just under the approval threshold" in under.explanation
    benford = by_kind["benford"]
    assert benford.evidence["invoices"] == 120 and float(benford.evidence["chi_square"]) > 26.12
    assert benford.evidence["first_digits"][3] == 120  # every amount starts with a 4
    assert all(s.explanation.endswith(".") and s.explanation.count(". ") == 0 for s in by_kind.values())


def test_benford_is_judged_only_over_enough_invoices_and_a_conforming_vendor_passes():
    chi, counts = benford_chi_square([1_000 * d for d in (1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9)])
    assert counts == [3, 2, 1, 1, 1, 1, 1, 1, 1] and chi < 26.12
    facts, _ = planted_year()
    busy = [i.amount_minor for i in facts.invoices if i.vendor_id == "busy"]
    assert len(busy) == 150 and benford_chi_square(busy)[0] < 26.12


def test_the_key_changes_with_the_facts_so_a_dismissal_holds_only_for_the_same_facts():
    facts, _ = planted_year()
    first = {s.key: s for s in all_signals(facts, POLICY)}
    again = {s.key for s in all_signals(facts, POLICY)}
    assert set(first) == again  # the same facts give the same keys
    from dataclasses import replace

    from payments.reporting.signal_facts import BankAccountFact
    more = replace(facts, bank_accounts=facts.bank_accounts + (
        BankAccountFact("third", "ba_third", "fp_v07", facts.bank_accounts[0].created_on),))
    shell_keys = {s.key for s in all_signals(more, POLICY) if s.subject_id == "shell"}
    assert shell_keys and not shell_keys & set(first)  # a third vendor on the account: a new signal


def test_a_rejected_bank_change_is_no_change_for_the_payments_after_it():
    import datetime as dt

    from payments.reporting.signal_facts import BankAccountFact, ContactChangeFact, PaymentFact, SignalFacts, VendorFact

    on = dt.date(2026, 9, 1)
    facts = SignalFacts((VendorFact("v1", dt.date(2024, 1, 1)),),
                        (BankAccountFact("v1", "ba_1", "fp_1", dt.date(2024, 1, 1)),
                         BankAccountFact("v1", "ba_2", "fp_2", on, status="rejected")),
                        (ContactChangeFact("v1", "cc_1", on - dt.timedelta(days=3)),), (),
                        (PaymentFact("pay_1", "v1", on + dt.timedelta(days=5), 10_000),))
    assert all_signals(facts, POLICY) == []
    accepted = SignalFacts(facts.vendors, (facts.bank_accounts[0], BankAccountFact("v1", "ba_2", "fp_2", on)),
                           facts.contact_changes, (), facts.payments)
    assert {s.kind for s in all_signals(accepted, POLICY)} == {"paid_soon_after_bank_change",
                                                               "bank_change_after_contact_change"}
