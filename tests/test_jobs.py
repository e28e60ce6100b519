# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The registry of record kinds and the one queueing helper: every kind is
fed, queued, reprocessed and caught up as its declaration says."""

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce.const import HANDLED_SCOPES
from ..bigcommerce.mapping import MappingError
from ..bigcommerce.webhook import webhook_subject
from ..components import kinds
from ..components.importer import BigCommerceImporter
from ..components.jobs import JOB_MAX_RETRIES
from .common import BigCommerceCase

# A delivery of each family of scopes, as BigCommerce sends it.
SAMPLE_DATA = {
    "store/order/refund/created": {"id": 250, "refund": {"refund_id": 3}},
    "store/customer/address/": {"id": 9, "address": {"customer_id": 250}},
    "store/shipment/": {"id": 9, "orderId": 250},
}


def sample_data(scope):
    for prefix, data in SAMPLE_DATA.items():
        if scope.startswith(prefix):
            return data
    return {"id": 250}


class TestRecordKinds(BigCommerceCase):
    def test_every_handled_scope_feeds_the_one_kind_that_declares_it(self):
        declared = [scope for kind in kinds.KINDS.values() for scope in kind.scopes]
        self.assertEqual(len(declared), len(set(declared)), "a scope feeds two kinds")
        self.assertEqual(set(declared), set(HANDLED_SCOPES))
        for scope in sorted(HANDLED_SCOPES):
            with self.subTest(scope=scope):
                subject, _args = webhook_subject(scope, sample_data(scope))
                self.assertIn(scope, kinds.kind_of_subject(subject).scopes)

    def test_every_job_goes_through_the_helper(self):
        """The import of one record, and each catch-up: the store's identity
        key, its retry budget, and the job function of its data."""
        store = self.backend.id
        expected = {
            "order": (f"bigcommerce-order-{store}-7", "_import_order"),
            "refund": (f"bigcommerce-refund-{store}-7", "_import_refund"),
            "customer": (f"bigcommerce-customer-{store}-7", "_import_customer"),
            "shipment": (f"bigcommerce-shipments-{store}-7", "_import_shipments"),
        }
        self.assertEqual(set(expected), set(kinds.KINDS))
        for name, (key, method) in expected.items():
            with self.subTest(kind=name), trap_jobs() as trap:
                kinds.delay_import(self.backend, name, "7")
                (job,) = trap.enqueued_jobs
                self.assertEqual(
                    (job.identity_key, job.method_name, job.args[0]), (key, method, 7)
                )
                self.assertEqual(job.max_retries, JOB_MAX_RETRIES)
                self.assertEqual(job.recordset, self.backend)
                self.assertEqual(job.channel, "root.bigcommerce")
        batches = {
            "order": (f"bigcommerce-catch-up-{store}", "_catch_up_orders"),
            "refund": (f"bigcommerce-catch-up-refunds-{store}", "_catch_up_refunds"),
            "customer": (
                f"bigcommerce-customer-catch-up-{store}",
                "_catch_up_customers",
            ),
        }
        self.assertEqual(set(batches), {kind.name for kind in kinds.batch_kinds()})
        for name, (key, method) in batches.items():
            with self.subTest(batch=name), trap_jobs() as trap:
                kinds.delay_batch(self.backend, name)
                (job,) = trap.enqueued_jobs
                self.assertEqual((job.identity_key, job.method_name), (key, method))
                self.assertEqual(job.max_retries, JOB_MAX_RETRIES)
                self.assertEqual(job.channel, "root.bigcommerce")

    def test_every_job_function_names_a_method_of_its_model(self):
        functions = self.env["queue.job.function"].search(
            [("channel_id.complete_name", "=like", "root.bigcommerce%")]
        )
        self.assertTrue(functions)
        for function in functions:
            with self.subTest(function=function.name):
                self.assertTrue(
                    callable(
                        getattr(self.env[function.model_id.model], function.method)
                    )
                )
        declared = {(f.model_id.model, f.method) for f in functions}
        for kind in kinds.KINDS.values():
            self.assertIn(
                ("bigcommerce.backend", kind.job or "_import_record"), declared
            )
            if kind.batch:
                self.assertIn(("bigcommerce.backend", kind.batch.job), declared)

    def test_each_failure_is_queued_again_as_its_kind_says(self):
        Failure = self.env["bigcommerce.failure"]
        expected = {
            ("order", "11"): ("_import_order", (11,), {"origin": "reprocess"}),
            ("cancelled_invoice", "12"): ("_import_order", (12,), {"origin": None}),
            ("refund", "13"): ("_import_refund", (13,), {}),
            ("customer", "14"): ("_import_customer", (14,), {}),
            ("shipment", "15"): ("_import_shipments", (15,), {"lines": None}),
            ("catch_up", "orders"): ("_catch_up_orders", (), {}),
            ("catch_up", "refunds"): ("_catch_up_refunds", (), {}),
            ("catch_up", "customers"): ("_catch_up_customers", (), {}),
        }
        selection = set(Failure._fields["record_type"].get_values(self.env))
        self.assertEqual(
            selection,
            {record_type for record_type, _id in expected} | {"order_listing"},
        )
        for (record_type, bigcommerce_id), job_call in expected.items():
            failure = Failure._record(
                self.backend, record_type, bigcommerce_id, "To fix"
            )
            with self.subTest(failure=failure.name), trap_jobs() as trap:
                failure.action_reprocess()
                (job,) = trap.enqueued_jobs
                self.assertEqual((job.method_name, job.args, job.kwargs), job_call)
                self.assertEqual(job.max_retries, JOB_MAX_RETRIES)
                self.assertEqual(failure.state, "queued")

    def test_the_wizards_catch_up_is_not_swallowed_by_a_pending_one(self):
        kinds.delay_batch(self.backend, "order")
        kinds.delay_batch(self.backend, "order")  # a duplicate: dropped
        self.env["bigcommerce.import.wizard"].create(
            {"backend_id": self.backend.id, "mode": "catch_up"}
        ).action_import()
        run = self.backend.last_import_run_id
        jobs = self.env["queue.job"].search(
            [
                ("model_name", "=", "bigcommerce.backend"),
                ("method_name", "=", "_catch_up_orders"),
                ("identity_key", "=like", f"bigcommerce-catch-up-{self.backend.id}%"),
            ],
            order="id",
        )
        self.assertEqual(
            [
                (job.identity_key, job.kwargs, job.max_retries)
                for job in jobs
                if job.records == self.backend
            ],
            [
                (f"bigcommerce-catch-up-{self.backend.id}", {}, JOB_MAX_RETRIES),
                (
                    f"bigcommerce-catch-up-{self.backend.id}-run{run.id}",
                    {"run_id": run.id},
                    JOB_MAX_RETRIES,
                ),
            ],
        )


class StoreNameImporter(BigCommerceImporter):
    """A kind declared only by a registry entry (:class:`TestNewKind`): it
    reads the store's information and says its name in the store's
    chatter; it refuses the ids in :attr:`refused`."""

    kind = "store_name"
    refused = set()

    def _fetch(self):
        self.fetched = self._call(self.client.get_store_information)

    def _map(self):
        return {"name": self.fetched["name"]}

    def _validate(self, mapped):
        if self.bigcommerce_id in self.refused:
            raise MappingError(f"Store name #{self.bigcommerce_id} is refused.")

    def _create_or_update(self, mapped):
        self.backend.message_post(body=f"Store name read: {mapped['name']}")
        return self.backend

    def _bind(self, record, mapped):
        return None


class TestNewKind(BigCommerceCase):
    """A new kind is one registry entry beside its importer: it is queued
    with the store's key and retry budget, run by the generic job, and its
    failures are labelled and reprocessed, with no other file touched."""

    def setUp(self):
        super().setUp()
        kind = kinds.RecordKind(
            name="store_name",
            binding_model=None,
            importer_path=f"{__name__}.StoreNameImporter",
            failure_types={"store_name": ("Store name", {})},
        )
        self.addCleanup(kinds.KINDS.pop, kind.name, None)
        kinds.register(kind)
        self.addCleanup(StoreNameImporter.refused.clear)

    def test_a_registered_kind_is_queued_and_run_by_the_generic_job(self):
        kinds.delay_import(self.backend, "store_name", "7")
        (job,) = self.connector_jobs("_import_record")
        self.assertEqual(
            (job.identity_key, job.args, job.max_retries, job.channel),
            (
                f"bigcommerce-store_name-{self.backend.id}-7",
                ["store_name", 7],
                JOB_MAX_RETRIES,
                "root.bigcommerce",
            ),
        )
        kinds.delay_import(self.backend, "store_name", 7)  # pending: dropped
        self.assertEqual(len(self.connector_jobs("_import_record")), 1)
        (ran,) = self.run_jobs("_import_record")
        self.assertEqual(ran.state, "done")
        self.assertEqual(ran.result, "store_name #7: imported.")
        store_name = self.simulator.state.name
        self.assertIn(
            f"Store name read: {store_name}",
            self.backend.message_ids.mapped("body")[0],
        )

    def test_a_registered_kinds_failure_is_labelled_and_reprocessed(self):
        StoreNameImporter.refused.add(8)
        kinds.delay_import(self.backend, "store_name", 8)
        self.run_jobs("_import_record")
        failure = self.env["bigcommerce.failure"].search(
            [("backend_id", "=", self.backend.id), ("record_type", "=", "store_name")]
        )
        self.assertEqual(
            (failure.name, failure.state, failure.reason),
            ("Store name #8", "open", "Store name #8 is refused."),
        )
        StoreNameImporter.refused.clear()
        failure.action_reprocess()
        (job,) = self.connector_jobs("_import_record", states=("pending",))
        self.assertEqual(job.args, ["store_name", 8])
        self.run_jobs("_import_record")
        self.assertEqual(failure.state, "resolved")
