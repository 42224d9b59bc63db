"""Holds over time: automatic release on re-match, and manual release with a reason.

A hold is identified by ``Finding.key`` (hold, rule, subject). Re-matching after a later receipt, a credit
memo or a corrected invoice gives a new set of keys; ``diff_holds`` says which holds that released, raised
or kept, so nobody has to release a hold the facts have already cleared.

A person may release a hold they accept (a price rise agreed by phone, a duplicate that is really a second
bill) only with a reason. The release covers the finding *as it was* (its fingerprint: the same numbers);
if a later re-match finds the same hold with different numbers (more overbilled, a higher price), the
release no longer covers it and the hold is active again, because nobody accepted that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from payments.ap.documents import InvoiceStatus
from payments.errors import InvalidInput
from payments.ap.matching.match_findings import Finding, MatchResult

HoldKey = tuple[str, str, str]


class ReleaseReasonRequired(InvalidInput):
    """A manual release (or duplicate override) was attempted without saying why."""

    code = "release_reason_required"

    def __init__(self, hold_key: HoldKey) -> None:
        super().__init__(f"Releasing the {hold_key[0]} hold by hand needs a reason.", hold=hold_key[0])


@dataclass(frozen=True, slots=True)
class HoldDiff:
    """What a re-match changed."""

    released: frozenset[HoldKey]
    raised: frozenset[HoldKey]
    kept: frozenset[HoldKey]

    @property
    def changed(self) -> bool:
        return bool(self.released or self.raised)


def diff_holds(old: Iterable[HoldKey], new: Iterable[HoldKey]) -> HoldDiff:
    """Holds released (in old, not new), raised (new only) and kept (both)."""
    before, after = frozenset(old), frozenset(new)
    return HoldDiff(released=before - after, raised=after - before, kept=before & after)


@dataclass(frozen=True, slots=True)
class ManualRelease:
    """A person's decision to release one hold instance, and why."""

    hold_key: HoldKey
    finding_fingerprint: str
    reason: str
    released_by: str
    released_at: datetime


def release_manually(finding: Finding, *, reason: str, released_by: str, released_at: datetime) -> ManualRelease:
    """Record a manual release of ``finding``'s hold; raise ``release_reason_required`` without a reason."""
    if not reason or not reason.strip():
        raise ReleaseReasonRequired(finding.key)
    return ManualRelease(finding.key, finding.fingerprint(), reason.strip(), released_by, released_at)


def active_hold_keys(result: MatchResult, releases: Iterable[ManualRelease] = ()) -> frozenset[HoldKey]:
    """The holds of ``result`` not covered by a manual release of the very same finding."""
    covered = {(r.hold_key, r.finding_fingerprint) for r in releases}
    if not covered:
        return result.hold_keys
    return frozenset(f.key for f in result.findings if (f.key, f.fingerprint()) not in covered)


def status_after_match(result: MatchResult, releases: Iterable[ManualRelease] = ()) -> InvoiceStatus:
    """HELD while any hold is active, else MATCHED (which makes the invoice count as billed)."""
    return InvoiceStatus.HELD if active_hold_keys(result, releases) else InvoiceStatus.MATCHED
