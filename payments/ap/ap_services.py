"""The accounts-payable use cases, built together from one set of dependencies (the composition root's handle)."""

from __future__ import annotations

from payments.ap.ap_deps import APDeps
from payments.ap.budget_service import BudgetService
from payments.ap.budget_totals import BudgetTotals
from payments.ap.credit_memo_service import CreditMemoService
from payments.ap.invoice_approval import InvoiceApprovalService
from payments.ap.invoice_cancel import InvoiceCancelService
from payments.ap.invoice_disputes import InvoiceDisputeService
from payments.ap.invoice_service import InvoiceService
from payments.ap.matching.match_service import Matcher
from payments.ap.po_service import PurchaseOrderService
from payments.ap.prompt_pay_terms import PromptPayTermsService
from payments.ap.receipt_service import ReceiptService
from payments.ap.vendor_credit_service import VendorCreditService
from payments.ap.vendor_service import VendorService


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
        self.vendor_credits = VendorCreditService(deps)
        self.cancellations = InvoiceCancelService(deps, self.matcher)
        self.disputes = InvoiceDisputeService(deps)  # disputes and clock stops (issue 18)
        self.prompt_pay_terms = PromptPayTermsService(deps, self.matcher)
