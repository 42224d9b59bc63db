"""The reporting wiring: open data (the checkbook) written to the publication folder.

Part of the composition root (``main.py`` re-exports every function here).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from main import Container


def publication_dir(container: Container, out: str | None = None) -> Path:
    """Where open data goes: ``--out``, else DISBURSE_PUBLISH_DIR (default ./var/public)."""
    return Path(out).expanduser() if out else container.settings.path("publish_dir")


def publish_checkbook(container: Container, out: str | None = None) -> Any:
    """The open checkbook job's body (and ``disburse publish checkbook``): every payment that left, to
    ``<publication dir>/checkbook/``; idempotent."""
    from adapters.db.reporting.checkbook_queries import SqlCheckbookSource
    from adapters.exports.checkbook_files import CheckbookFiles
    from payments.reporting.checkbook import publish_checkbook as publish

    return publish(SqlCheckbookSource(container.engine), CheckbookFiles(publication_dir(container, out) / "checkbook"))


def publish_ocds(container: Container, out: str | None = None) -> Any:
    """OCDS 1.1 releases of every approved purchase order, its versions and payments, as one release package in
    ``<publication dir>/ocds/``, and their compiled records as a record package beside it; idempotent. ``[open_data]`` names the ocid prefix, the buyer and the address."""
    from adapters.db.reporting.ocds_queries import SqlContractSource
    from adapters.exports.ocds_files import OcdsFiles
    from payments.reporting.ocds import OcdsPolicy, all_releases

    od = container.policy["open_data"]
    policy = OcdsPolicy(od["ocid_prefix"], od["buyer_id"], od["buyer_name"])
    files = OcdsFiles(publication_dir(container, out) / "ocds", uri=od["base_uri"].rstrip("/") + "/ocds/release-package.json",
                      publisher=od["buyer_name"])
    from dataclasses import replace

    from payments.reporting.ocds_records import records

    released = files.publish(all_releases(SqlContractSource(container.engine), policy))
    # The records: a second pass over the same facts, each process's releases compiled (record-package.json).
    recorded = files.publish_records(records(all_releases(SqlContractSource(container.engine), policy), files.uri))
    return replace(released, changed=released.changed or recorded.changed, files=released.files + recorded.files)


def form_1099(container: Container, year: int, out: str | None = None) -> Any:
    """``disburse reports 1099 --year Y [--out DIR]``: the year's 1099-NEC vendors (TINs masked); with ``out``, the
    IRIS CSV filing files (full TINs: each vendor's reveal is a signed audit event, committed before the file is
    written) and the pre-filing report."""
    from decimal import Decimal

    from adapters.db.reporting.form_1099_queries import SqlForm1099Source
    from adapters.exports.iris_csv import Payer, write_1099_files
    from adapters.keys.field_cipher import AesGcmFieldCipher
    from payments.reporting.form_1099 import form_1099_year

    policy = container.policy["form_1099"]
    thresholds = {int(year): int(Decimal(str(amount)) * 100) for year, amount in policy["thresholds"].items()}
    cipher = AesGcmFieldCipher.open(container.settings.path("key_dir")) if out else None
    run = form_1099_year(SqlForm1099Source(container.engine, cipher), year, thresholds, with_tin=out is not None,
                         tin_checks=tin_matching(container).latest())
    files: list = []
    if out:
        with container.uow() as uow:
            container.audit.record_many(uow, "cli", "tin_revealed_for_1099",
                                        [(v.vendor_id, {"tax_year": year, "tin_last4": v.tin_last4})
                                         for v in run.reportable if v.tin_last4], object_type="vendor")
            uow.commit()
        payer = Payer(str(policy["payer_tin"]), policy["payer_name"], policy["payer_address"], policy["payer_city"],
                      policy["payer_state"], str(policy["payer_zip"]))
        files = write_1099_files(run, payer, Path(out).expanduser(),
                                 max_per_file=int(policy["max_records_per_file"]) or None)
    return run, files


def manager_reports(container: Container) -> Any:
    """Spend against budget, AP aging, prompt-pay performance and vendor diversity over the database."""
    from adapters.db.reporting.manager_queries import SqlManagerReportSource
    from payments.reporting.manager_reports import ManagerReports

    from payments.ap.ap_policy import approval_policy

    from adapters.db.reporting.forecast_queries import SqlCashForecastSource
    from adapters.db.reporting.supplier_queries import SqlSupplierSource
    from adapters.db.disbursements.payment_sources import SqlPayableInvoices
    from payments.disbursements.run_policy import run_policy_from
    from payments.reporting.cash_forecast import CashForecaster
    from payments.reporting.supplier_reports import LocalRule

    approvals = approval_policy(container.policy)
    local = container.policy.get("local_vendors", {}) or {}
    rule = LocalRule(tuple(str(p) for p in local.get("postal_code_prefixes", [])),
                     frozenset(str(s).upper() for s in local.get("states", [])),
                     frozenset(str(c) for c in local.get("certifications", [])))
    run_policy = run_policy_from(container.policy)
    forecaster = CashForecaster(SqlPayableInvoices(container.engine),
                                SqlCashForecastSource(container.engine, [a.cash for a in run_policy.treasury.accounts]),
                                run_policy, rail=str(container.policy["payments"]["rail"]))
    reports = ManagerReports(SqlManagerReportSource(container.engine),
                             fiscal_year_start_month=int(container.policy["budget"]["fiscal_year_start_month"]),
                             split_thresholds_minor=approvals.thresholds_minor,
                             split_window_days=approvals.split_window_days,
                             suppliers=SqlSupplierSource(container.engine), local_rule=rule, forecaster=forecaster)
    reports.signals = signal_queue(container, reports)
    reports.tin_matching = tin_matching(container)
    reports.form_1099 = lambda year: form_1099(container, year)[0]  # the summary: TINs masked, nothing written
    reports.copy_b = lambda year, vendor_id: form_1099_copy_b(container, year, vendor_id)
    return reports


def form_1099_copy_b(container: Container, year: int, vendor_id: str) -> bytes | None:
    """A reported vendor's Form 1099-NEC Copy B as a PDF (its TIN truncated), or None when it is not reported."""
    from adapters.exports.form_1099_copy_b import copy_b_pdf
    from adapters.exports.iris_csv import Payer

    run, _ = form_1099(container, year)
    vendor = next((v for v in run.reportable if v.vendor_id == vendor_id), None)
    if vendor is None:
        return None
    policy = container.policy["form_1099"]
    payer = Payer(str(policy["payer_tin"]), policy["payer_name"], policy["payer_address"], policy["payer_city"],
                  policy["payer_state"], str(policy["payer_zip"]))
    return copy_b_pdf(vendor, payer, year)


def tin_matching(container: Container) -> Any:
    """IRS TIN Matching results per vendor, recorded in the audit trail (payments/reporting/tin_matching.py)."""
    from payments.reporting.tin_matching import TinMatching

    return TinMatching(container.uow, container.audit)


def signal_queue(container: Container, reports: Any) -> Any:
    """The assist signals' review queue (split purchases and the rest), dismissals in the audit trail."""
    from adapters.db.reporting.signal_queries import SqlSignalFacts
    from payments.ap.ap_policy import approval_policy
    from payments.reporting.signal_queue import SignalQueue
    from payments.reporting.signals import SignalPolicy

    thresholds = approval_policy(container.policy).thresholds_minor
    currency = str(container.policy["payments"].get("currency", "USD"))
    policy = SignalPolicy(thresholds_minor=tuple(sorted({int(v) for k, v in thresholds.items() if k == currency})),
                          currency=currency)
    return SignalQueue(container.uow, container.audit, SqlSignalFacts(container.engine), policy,
                       reports.split_purchases)


def public_spending(container: Container) -> Any:
    """The public "where the money goes" pages' service: the open checkbook's rows for a fiscal year."""
    from adapters.db.reporting.checkbook_queries import SqlCheckbookSource
    from payments.reporting.public_spending import PublicSpending

    return PublicSpending(SqlCheckbookSource(container.engine),
                          fiscal_year_start_month=int(container.policy["budget"]["fiscal_year_start_month"]))


def reporting_jobs(container: Container) -> list:
    from adapters.scheduler import Job

    cron = container.policy["schedule"]["publish_checkbook"]
    return [Job("publish_checkbook", lambda: publish_checkbook(container).rows, cron=cron),
            Job("publish_ocds", lambda: publish_ocds(container).rows, cron=container.policy["schedule"]["publish_ocds"])]
