"""The accounts-payable use cases, built together from one set of dependencies (the composition root's handle)."""

from __future__ import annotations

from payments.ap_deps import APDeps
from payments.budget_service import BudgetService
from payments.budget_totals import BudgetTotals
from payments.credit_memo_service import CreditMemoService
from payments.invoice_approval import InvoiceApprovalService
from payments.invoice_cancel import InvoiceCancelService
from payments.invoice_service import InvoiceService
from payments.match_service import Matcher
from payments.po_service import PurchaseOrderService
from payments.receipt_service import ReceiptService
from payments.vendor_service import VendorService


class APServices:
    def __init__(self, deps: APDeps) -> None:
        self.deps = deps
        self.matcher = Matcher(deps)
        self.vendors = VendorService(deps)
        self.budgets = BudgetService(deps)
        self.budget_totals = BudgetTotals(deps)
        self.purchase_orders = PurchaseOrderService(deps)
        self.receipts = ReceiptService(deps, self.matcher)
        self.invoices = InvoiceService(deps, self.matcher)
        self.approvals = InvoiceApprovalService(deps, self.matcher)
        self.credit_memos = CreditMemoService(deps, self.matcher)
        self.cancellations = InvoiceCancelService(deps, self.matcher)
