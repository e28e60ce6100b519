# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Shared set-up of the Odoo tier: a local BigCommerce simulator per class,
and committed fixtures for the tests whose workers are other transactions."""

import faulthandler
import re
import threading
import traceback
from contextlib import ExitStack, closing, contextmanager
from unittest import mock

from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, Command, api
from odoo.orm.environments import Transaction
from odoo.orm.registry import DummyRLock, Registry
from odoo.service.model import (
    PG_CONCURRENCY_ERRORS_TO_RETRY,
    PG_CONCURRENCY_EXCEPTIONS_TO_RETRY,
)
from odoo.sql_db import db_connect
from odoo.tests import TransactionCase
from odoo.tools import config, mute_logger

from odoo.addons.account.tests.common import (
    AccountTestInvoicingCommon,
    AccountTestInvoicingHttpCommon,
)
from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import JobMixin

from ..components.binder import XMLID_MODULE
from ..models.bigcommerce_backend import API_HOSTS_OPTION
from .simulator import BigCommerceSimulator

STORE_HASH = "teststore1"
ACCESS_TOKEN = "tok-5f2b9c0e7a"
CLIENT_SECRET = "sec-8d1e4a6b3c"
QUOTA = 150
# How long a test waits for its own threads, barriers and subprocesses:
# generous, since a loaded machine may be many times slower than a
# developer's, and reached only when something is stuck.
THREAD_TIMEOUT = 600
# How many rounds ``run_jobs`` runs before it says the jobs never end.
MAX_JOB_ROUNDS = 100
# What ``import_order`` may expect of an import (see ``order_outcome``).
ORDER_OUTCOMES = ("invoiced", "held", "skipped", "failed")


def start_simulator(test_class, **options):
    """Start a simulator for ``test_class`` (as its ``simulator``, stopped
    when the class ends) and allow stores to talk to it; ``options``
    override the defaults below."""
    test_class.simulator = BigCommerceSimulator(
        **{
            "store_hash": STORE_HASH,
            "access_token": ACCESS_TOKEN,
            "client_secret": CLIENT_SECRET,
            "name": "Simulated Store",
            "currency": "USD",
            "quota": QUOTA,
            **options,
        }
    )
    test_class.simulator.start()
    test_class.addClassCleanup(test_class.simulator.stop)
    # Stores may only talk to hosts the server's configuration allows:
    # allow the simulator, as the demo's odoo.conf does.
    test_class.classPatch(
        config,
        "options",
        dict(config.options, **{API_HOSTS_OPTION: test_class.simulator.base_url}),
    )


# The connector's job entry points, as the tests call them directly (in
# the test's transaction, without the queue): where they live is said here
# only.
def import_order_job(backend, order_id, **options):
    """Import one order, as its job does; returns the job's sentence."""
    return backend._import_order(order_id, **options)


def import_refund_job(backend, refund_id, order_id=None):
    """Import one refund, as its job does; returns the job's sentence."""
    return backend._import_refund(refund_id, order_id)


def import_customer_job(backend, customer_id):
    """Import one customer, as its job does; returns the job's sentence."""
    return backend._import_customer(customer_id)


def import_shipments_job(backend, order_id):
    """Import one order's shipments, as their job does."""
    return backend._import_shipments(order_id)


class StoredJobsMixin(JobMixin):
    """Runs the connector's stored jobs (``queue.job`` records) in the test's
    transaction, as queue_job's runner runs them. To test what is queued
    without storing it, use queue_job's ``trap_jobs`` (``self.trap_jobs()``)
    and its ``perform_enqueued_jobs``."""

    def connector_jobs(self, *methods, states=None):
        """The connector's stored jobs (of its models), oldest first: of the
        job methods ``methods`` (all, if none is named), in ``states`` (any,
        if None)."""
        domain = [("model_name", "=like", "bigcommerce.%")]
        if methods:
            domain.append(("method_name", "in", methods))
        if states:
            domain.append(("state", "in", list(states)))
        return self.env["queue.job"].sudo().search(domain, order="id")

    def run_job(self, job_record):
        """Run one stored job once, as queue_job's runner does
        (``RunJobController._runjob``), in the test's transaction: in a
        savepoint, done if it succeeds; a ``RetryableJobError`` (or a
        serialization failure) postpones it and counts a try, whatever its
        ETA; any other error fails it. Returns the job's record, read
        again."""
        job = Job.load(self.env(su=True), job_record.uuid)
        job.set_started()
        job.store()
        try:
            try:
                # queue_job's own: savepoint, perform, done (no commit in tests).
                RunJobController._try_perform_job(job.env, job)
            except OperationalError as err:
                if err.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                    raise
                raise RetryableJobError(err.pgerror) from err
        except RetryableJobError as err:
            job.postpone(result=str(err), seconds=err.seconds)
            job.set_pending(reset_retry=False)
            job.store()
        except Exception as exc:  # the runner fails the job
            job.set_failed(
                exc_name=type(exc).__name__,
                exc_message=str(exc),
                exc_info=traceback.format_exc(),
            )
            job.store()
        job_record.invalidate_recordset()
        return job_record

    def run_jobs(
        self,
        *methods,
        jobs=None,
        max_rounds=MAX_JOB_ROUNDS,
        leave_pending=False,
        allow_failed=False,
    ):
        """Run the connector's pending jobs as queue_job's runner does
        (:meth:`run_job`), round after round, until none is left: the jobs
        they queue run too, and a postponed job runs again.

        :param methods: only the jobs of these job methods (all, if none).
        :param jobs: only these stored jobs (a ``queue.job`` recordset).
        :param max_rounds: the bound; jobs still pending after it fail the
            test, unless ``leave_pending``.
        :param allow_failed: a job that ends failed fails the test, with
            its traceback, unless this is set.
        :returns: the jobs that ran, read again.
        """

        def pending():
            if jobs is not None:
                return jobs.sudo().filtered(
                    lambda job: job.state in ("pending", "enqueued")
                )
            return self.connector_jobs(*methods, states=("pending", "enqueued"))

        ran = self.env["queue.job"].sudo()
        for _round in range(max_rounds):
            due = pending()
            if not due:
                break
            for job_record in due:
                ran |= self.run_job(job_record)
        else:
            if not leave_pending and pending():
                self.fail(
                    f"Jobs still pending after {max_rounds} rounds: "
                    f"{pending().mapped('name')}"
                )
        if not allow_failed:
            failed = ran.filtered(lambda job: job.state == "failed")
            self.assertFalse(
                failed, "\n".join(failed.mapped("exc_info")) or "a job failed"
            )
        return ran


class SimulatorMixin(StoredJobsMixin):
    """Starts a simulator for the class and a store backend pointing at it.

    Every response the simulator sent, and every request it received, is
    checked against BigCommerce's OpenAPI specs when each test ends.
    """

    simulator_options = {}

    @classmethod
    def _start_simulator(cls, **options):
        """Start the class's simulator; ``options`` (and the class's
        ``simulator_options``) override the defaults of
        :func:`start_simulator`."""
        start_simulator(cls, **{**cls.simulator_options, **options})

    @classmethod
    def _backend_values(cls):
        return {
            "name": "Test store",
            "store_hash": STORE_HASH,
            "api_base_url": cls.simulator.base_url,
            "access_token": ACCESS_TOKEN,
            "client_secret": CLIENT_SECRET,
        }

    def setUp(self):
        super().setUp()
        self.addCleanup(self.simulator.assert_conformant)

    def reset_rate_limit(self):
        """A fresh rate-limit window: at the simulator, and in the store's
        shared row (which its workers commit on a connection of their own)."""
        self.simulator.rate_limiter.reset()
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute(
                "DELETE FROM bigcommerce_rate_limit WHERE backend_id = %s",
                [self.backend.id],
            )
            cr.commit()  # pylint: disable=invalid-commit

    def start_without_webhooks(self, register=False):
        """A public https address for the webhooks, and a simulated store
        with none (it outlives a test); ``register``: register the store's,
        in a fresh rate-limit window (each handled scope costs a request)."""
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.com"
        )
        self.backend.invalidate_recordset(["webhook_url"])
        for hook_id in list(self.simulator.state.hooks):
            self.simulator.state.delete_hook(hook_id)
        if register:
            self.reset_rate_limit()
            self.backend.action_register_webhooks()


class BigCommerceCase(SimulatorMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator()
        cls.backend = cls.env["bigcommerce.backend"].create(cls._backend_values())


class StoreAccountingMixin(SimulatorMixin):
    """A company with a chart of accounts (from Odoo's
    ``AccountTestInvoicingCommon``), taxes, products and a store whose
    accounting is fully configured."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._start_simulator()
        # The person who configures stores and reprocesses failures.
        cls.env.user.group_ids |= cls.env.ref(
            "bigcommerce_connector.group_bigcommerce_manager"
        )
        company = cls.env.company
        revenue = cls.company_data["default_account_revenue"]

        def income_account(code, name, account_type="income"):
            return cls.env["account.account"].create(
                {"code": code, "name": name, "account_type": account_type}
            )

        cls.account_shipping = income_account("700100", "Shipping income")
        cls.account_handling = income_account("700200", "Handling income")
        cls.account_wrapping = income_account("700300", "Gift wrapping income")
        cls.account_discount = income_account("700900", "Discounts granted")
        cls.account_gift_cert = income_account(
            "250000", "Gift certificates outstanding", "liability_current"
        )
        cls.account_fallback = income_account("700999", "Web shop sales")

        def sale_tax(rate):
            return cls.env["account.tax"].create(
                {
                    "name": f"Sales tax {rate}%",
                    "amount": rate,
                    "amount_type": "percent",
                    "type_tax_use": "sale",
                    "price_include_override": "tax_excluded",
                    "company_id": company.id,
                }
            )

        cls.tax_825 = sale_tax(8.25)
        cls.tax_20 = sale_tax(20.0)
        cls.tax_10 = sale_tax(10.0)

        cls.product_mug = cls._create_product(
            name="Black Mug", default_code="MUG-BLK", lst_price=12.5
        )
        cls.product_tee = cls._create_product(
            name="T-shirt red M",
            default_code="TEE-RED-M",
            lst_price=20.0,
            property_account_income_id=False,
        )
        cls.product_tee.categ_id.property_account_income_categ_id = revenue
        cls.product_book = cls._create_product(
            name="Cookbook", default_code="BOOK-1", lst_price=30.0
        )
        cls.product_gift = cls._create_product(
            name="Gift certificate", default_code="GIFT-CERT", lst_price=50.0
        )
        for sku, name, price, rate, kind in (
            ("MUG-BLK", "Black Mug", "12.50", "0.0825", "physical"),
            ("TEE", "T-shirt", "20.00", "0.0825", "physical"),
            ("BOOK-1", "Cookbook", "30.00", "0.0825", "physical"),
            ("GIFT-CERT", "Gift certificate", "50.00", "0", "giftcertificate"),
        ):
            cls.simulator.state.add_product(
                sku=sku, name=name, price=price, tax_rate=rate, type=kind
            )

        cls.backend = cls.env["bigcommerce.backend"].create(
            dict(
                cls._backend_values(),
                journal_id=cls.company_data["default_journal_sale"].id,
                revenue_account_id=cls.account_fallback.id,
                shipping_account_id=cls.account_shipping.id,
                handling_account_id=cls.account_handling.id,
                wrapping_account_id=cls.account_wrapping.id,
                discount_account_id=cls.account_discount.id,
                gift_certificate_account_id=cls.account_gift_cert.id,
                posting_policy="post",
                tax_ids=[Command.set((cls.tax_825 | cls.tax_20 | cls.tax_10).ids)],
            )
        )
        cls.customer = cls.simulator.state.add_customer(
            first_name="Jane",
            last_name="Doe",
            email="jane@example.com",
            company="Doe Corp",
            phone="555-0100",
            addresses=[{"country_code": "US", "state_or_province": "Texas"}],
        )

    # helpers ---------------------------------------------------------------
    def add_order(self, **values):
        values.setdefault("customer_id", self.customer["id"])
        values.setdefault("lines", [{"sku": "MUG-BLK", "quantity": 2}])
        return self.simulator.state.add_order(**values)

    def import_order(self, order, expect="invoiced", **options):
        """Import the simulator's ``order`` as its job does (``options``: the
        job's, e.g. ``origin``), and assert what became of it
        (:meth:`order_outcome`): ``expect`` is one of :data:`ORDER_OUTCOMES`,
        or ``None`` for a test that looks itself. Returns the import's
        sentence."""
        result = import_order_job(self.backend, order["id"], **options)
        if expect is not None:
            self.assert_order_outcome(order, expect, result)
        return result

    def order_outcome(self, order):
        """What the last import made of ``order``, read from the database:

        - ``"failed"``: its failure is open (to fix, or reprocessing);
        - ``"skipped"``: bound as skipped (the status rules do not invoice it);
        - ``"held"``: bound and held (its status holds it), invoiced or not;
        - ``"invoiced"``: bound, up to date, to an invoice;
        - ``None``: none of these (no trace of it, or a binding without
          invoice that is not held).
        """
        if self.order_failure(order).state in ("open", "queued"):
            return "failed"
        binding = self.binding(order)
        if binding.sync_state == "skipped":
            return "skipped"
        if binding.sync_state == "done" and binding.hold_reason:
            return "held"
        if binding.sync_state == "done" and binding.move_id:
            return "invoiced"
        return None

    def assert_order_outcome(self, order, expect, result=None):
        """Assert that the last import made ``expect`` of ``order``."""
        self.assertIn(expect, ORDER_OUTCOMES)
        outcome = self.order_outcome(order)
        if outcome != expect:
            failure = self.order_failure(order)
            self.fail(
                f"Order #{order['id']} was to be {expect}, is {outcome}: "
                f"{result or ''} {failure.reason or ''}".strip()
            )

    def order_failure(self, order):
        """The failure record of ``order``'s import, if any."""
        return self.env["bigcommerce.failure"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("record_type", "=", "order"),
                ("bigcommerce_id", "=", str(order["id"])),
            ]
        )

    def binding(self, order):
        return self.env["bigcommerce.order"].search(
            [("backend_id", "=", self.backend.id), ("bigcommerce_id", "=", order["id"])]
        )

    def failure(self, order):
        return self.env["bigcommerce.failure"].search(
            [
                ("backend_id", "=", self.backend.id),
                ("bigcommerce_id", "=", str(order["id"])),
            ]
        )

    def assert_matches_store(self, move, order):
        """The invoice's totals equal the store's, to the cent."""
        self.assertEqual(
            (
                move.currency_id.round(move.amount_untaxed),
                move.currency_id.round(move.amount_tax),
                move.currency_id.round(move.amount_total),
            ),
            (
                round(float(order["total_ex_tax"]), 2),
                round(float(order["total_tax"]), 2),
                round(float(order["total_inc_tax"]), 2),
            ),
        )

    def lines_by_account(self, move):
        totals = {}
        for line in move.invoice_line_ids:
            totals[line.account_id] = round(
                totals.get(line.account_id, 0.0) + line.price_subtotal, 2
            )
        return totals


class BigCommerceAccountingCase(StoreAccountingMixin, AccountTestInvoicingCommon):
    """The store, configured, in a TransactionCase."""


class BigCommerceAccountingHttpCase(
    StoreAccountingMixin, AccountTestInvoicingHttpCommon
):
    """The store, configured, with Odoo's HTTP server (HttpCase)."""


class CommittedStoreMixin:
    """Committed fixtures, for a TransactionCase whose workers are other
    transactions (threads on connections of their own, or processes), which
    cannot see the test's uncommitted data. The store (and its product) are
    committed; when each test ends, they are removed with all that was
    committed for the store.

    Committed data outlives a crashed test run: give the store a hash (and
    the product a SKU) of their own each run.
    """

    backend_id = None
    product_id = None

    def env_on(self, cr):
        """An environment on another connection, with the test's registry
        (looking it up by name would wait for the runner's registry lock)."""
        cr.transaction = Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {})

    def race_jobs(self, jobs, start_together=True, patches=(), mute=(), quiet_sql=True):
        """Run ``jobs`` at once, as job-queue workers do: each in a thread,
        on a connection of its own, committed when it returns, rolled back
        when it raises.

        :param jobs: functions of the store (in their worker's environment)
            returning their outcome.
        :param start_together: the workers wait for one another before
            their job, so that each reads before the other commits.
        :param patches: context managers held while the workers run.
        :param mute: loggers muted meanwhile, besides ``odoo.sql_db``.
        :param quiet_sql: mute ``odoo.sql_db`` (the queries a race makes
            fail); a test that proves none fails leaves it heard.
        :returns: the outcomes, sorted: what each job returned, ``retry
            later`` for an error the job queue retries, ``error: …`` for any
            other. A worker still running after :data:`THREAD_TIMEOUT` fails
            the test, with every thread's traceback.
        """
        barrier = threading.Barrier(len(jobs), timeout=THREAD_TIMEOUT)
        outcomes = []

        def worker(job):
            with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
                backend = self.env_on(cr)["bigcommerce.backend"].browse(self.backend_id)
                if start_together:
                    barrier.wait()
                try:
                    outcome = job(backend)
                    # As queue_job commits a job that ran.
                    cr.commit()  # pylint: disable=invalid-commit
                    outcomes.append(outcome)
                except (RetryableJobError, *PG_CONCURRENCY_EXCEPTIONS_TO_RETRY):
                    cr.rollback()
                    outcomes.append("retry later")
                except Exception as error:
                    # Said in the test's failure, not lost in a thread.
                    cr.rollback()
                    outcomes.append(f"error: {error!r}")

        threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
        with ExitStack() as stack:
            # Workers (and their commit hooks) look the registry up; the test
            # runner holds the registry lock meanwhile, so do as HttpCase
            # does for its request threads: no registry lock while they run.
            stack.enter_context(mock.patch.object(Registry, "_lock", DummyRLock()))
            muted = ("odoo.sql_db", *mute) if quiet_sql else mute
            if muted:
                stack.enter_context(mute_logger(*muted))
            for patch in patches:
                stack.enter_context(patch)
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=THREAD_TIMEOUT)
        if any(thread.is_alive() for thread in threads):
            faulthandler.dump_traceback(all_threads=True)
            self.fail("a worker is stuck; tracebacks above")
        return sorted(outcomes)

    @contextmanager
    def committed_env(self):
        """An environment on a connection of its own, committed on exit."""
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            yield self.env_on(cr)
            # Committed on purpose: the workers are other transactions.
            cr.commit()  # pylint: disable=invalid-commit

    def create_committed_store(
        self, name, store_hash, sku=None, product_name=None, bare=False, **values
    ):
        """Commit a store (and, given ``sku``, a product of that internal
        reference), keep their ids in ``self.backend_id`` and
        ``self.product_id``, and remove them when the test ends.

        The store talks to the class's simulator with the tokens of this
        module, books on the company's sales journal and revenue account,
        and registers no payments (they would only add committed entries to
        clean up; they have their tests). A ``bare`` store has its name and
        hash only, and never calls BigCommerce. ``values`` override.
        """
        with self.committed_env() as env:
            if sku:
                self.product_id = (
                    env["product.product"]
                    .create(
                        {"name": product_name, "default_code": sku, "type": "consu"}
                    )
                    .id
                )
            store = {"name": name, "store_hash": store_hash}
            if not bare:
                company = env.company
                journal = env["account.journal"].search(
                    [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
                )
                store.update(
                    api_base_url=self.simulator.base_url,
                    access_token=ACCESS_TOKEN,
                    client_secret=CLIENT_SECRET,
                    journal_id=journal.id,
                    revenue_account_id=company.income_account_id.id,
                    register_payments=False,
                )
            store.update(values)
            self.backend_id = env["bigcommerce.backend"].create(store).id
        self.addCleanup(self.remove_committed_data)

    def remove_committed_data(self):
        """Remove what the tests committed for the store ``self.backend_id``:
        its orders, refunds, customers, failures, webhook deliveries and
        log, queued jobs and rate-limit row, the invoices, credit notes,
        partners and products it bound (posted entries reset to draft first)
        with their external IDs, the store, and ``self.product_id``. A store id that
        is not in the database has only its rate-limit row to remove."""
        backend_id = self.backend_id
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(backend_id).exists()
            bound = env["ir.model.data"].search(
                [
                    ("module", "=", XMLID_MODULE),
                    ("name", "=like", f"backend{backend_id}\\_%"),
                ]
            )

            def records(model):
                ids = bound.filtered(lambda d: d.model == model).mapped("res_id")
                return env[model].browse(ids).exists()

            moves = records("account.move")
            partners = records("res.partner")
            # Products the store created for unknown SKUs.
            products = records("product.product")
            env["bigcommerce.refund"].search([("backend_id", "=", backend_id)]).unlink()
            backend.order_ids.unlink()
            backend.customer_ids.unlink()
            backend.failure_ids.unlink()
            backend.webhook_log_ids.unlink()
            # Jobs the store queued: their identity keys are
            # bigcommerce-<kind>-<store id>[-<what>].
            names_the_store = re.compile(rf"bigcommerce-[a-z-]+-{backend_id}(-|$)")
            env["queue.job"].search(
                [("identity_key", "=like", f"bigcommerce-%-{backend_id}%")]
            ).filtered(lambda job: names_the_store.match(job.identity_key)).unlink()
            env.cr.execute(
                "DELETE FROM bigcommerce_rate_limit WHERE backend_id = %s",
                [backend_id],
            )
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            partners.unlink()
            products.unlink()
            bound.exists().unlink()
            backend.unlink()
            if self.product_id:
                env["product.product"].browse(self.product_id).unlink()
