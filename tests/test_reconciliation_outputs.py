# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What a reconciliation shows: its views, the store's last one, the PDF
for the month's file and the XLSX export."""

import base64
import io
import zipfile

from odoo.tests import tagged

from .common import BigCommerceAccountingCase
from .test_reconciliation import ReconciliationMixin


@tagged("post_install", "-at_install")
class TestReconciliationOutputs(ReconciliationMixin, BigCommerceAccountingCase):
    year = 2017

    def test_views_load(self):
        views = self.env["bigcommerce.reconciliation"].get_views(
            [
                (False, "list"),
                (False, "form"),
                (False, "graph"),
                (False, "pivot"),
                (False, "search"),
            ]
        )
        self.assertEqual(
            set(views["views"]), {"list", "form", "graph", "pivot", "search"}
        )
        store_form = self.env["bigcommerce.backend"].get_views([(False, "form")])
        self.assertIn(
            "action_view_reconciliations", store_form["views"]["form"]["arch"]
        )

    def test_the_store_shows_its_last_reconciliation(self):
        self.year = 2016
        self.import_order(self.add_order(date_created=self.april(3)))
        reconciliation = self.reconcile()
        self.assertTrue(reconciliation.is_clean)
        self.assertEqual(self.backend.reconciliation_count, 1)
        self.assertEqual(self.backend.last_reconciliation_id, reconciliation)
        self.assertEqual(
            self.backend.last_reconciliation_summary, reconciliation.summary
        )
        self.assertTrue(
            self.backend.last_reconciliation_summary.endswith(
                "ledger equal to the store"
            )
        )
        action = self.backend.action_view_reconciliations()
        self.assertEqual(action["domain"], [("backend_id", "=", self.backend.id)])

    def test_pdf_and_xlsx_show_the_figures_and_the_differences(self):
        self.import_order(self.add_order(date_created=self.april(3)))
        never = self.add_order(date_created=self.april(4))
        reconciliation = self.reconcile()
        line = self.line(reconciliation, "missing_invoice", never["id"])

        action = reconciliation.action_print()
        # A company without a document layout is asked for one first.
        action = action.get("context", {}).get("report_action") or action
        self.assertEqual(action["report_type"], "qweb-pdf")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "bigcommerce_connector.report_bigcommerce_reconciliation",
            reconciliation.ids,
        )
        html = html.decode()
        self.assertIn(reconciliation.summary, html)
        self.assertIn("Never imported", html)
        self.assertIn("Sales total", html)

        action = reconciliation.action_export_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "bigcommerce.reconciliation"),
                ("res_id", "=", reconciliation.id),
            ]
        )
        self.assertIn(f"/web/content/{attachment.id}", action["url"])
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(attachment.datas))) as book:
            strings = book.read("xl/sharedStrings.xml").decode()
            sheets = [
                name for name in book.namelist() if name.startswith("xl/worksheets/")
            ]
        self.assertEqual(len(sheets), 3)
        self.assertIn("Never imported", strings)
        self.assertIn(line.move_id.name or "Order without invoice", strings)
        self.assertIn("Sales total", strings)
