# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Fault suite: a worker killed in mid-import, for real.

An ``odoo shell`` process takes an import job as queue_job's controller
does (``RunJobController._acquire_job``: started, committed, locked), runs
it until the invoice is written and posted in its transaction, and is killed
there with SIGKILL. PostgreSQL rolls its transaction back: no partial
invoice. The job is left "started"; queue_job's runner requeues such jobs by
itself (``Database.requeue_dead_jobs``, every time it wakes: a started job
whose lock row nobody holds, enqueued more than 10 s ago), counting a try.
Then the job runs again and leaves exactly one invoice.

The fixtures are committed (and removed afterwards): the worker is another
process.
"""

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import closing
from datetime import datetime, timedelta

import psycopg2

from odoo.sql_db import db_connect
from odoo.tests import TransactionCase, tagged
from odoo.tools import config

from odoo.addons.queue_job.controllers.main import RunJobController
from odoo.addons.queue_job.jobrunner.runner import Database, _connection_info_for

from ..components import kinds
from ..models.bigcommerce_backend import API_HOSTS_OPTION
from ..models.bigcommerce_backend_secrets import ENCRYPTION_KEY_OPTION
from .common import (
    THREAD_TIMEOUT,
    CommittedStoreMixin,
    start_simulator,
)

RUN = uuid.uuid4().hex[:8]
STORE_HASH = f"killed{RUN}"
SKU = f"KILLED-{RUN}"
# Run in the worker's ``odoo shell``: take the job as the runner's
# controller does, stop once the invoice is posted, and wait to be killed.
WORKER_SCRIPT = """
import threading
from odoo.addons.bigcommerce_connector.components.order_importer import OrderImporter
from odoo.addons.queue_job.controllers.main import RunJobController

after_import = OrderImporter._after_import

def wait_to_be_killed(importer, plan):
    after_import(importer, plan)
    print("MIDWAY", importer.invoice.id, importer.invoice.state, flush=True)
    threading.Event().wait()  # until killed, however long the test takes

OrderImporter._after_import = wait_to_be_killed
job = RunJobController._acquire_job(env, JOB_UUID)
print("ACQUIRED" if job else "NOT ACQUIRED", flush=True)
if job:
    RunJobController._runjob(env, job)
print("NOT KILLED", flush=True)
"""


@tagged("post_install", "-at_install")
class TestKilledWorker(CommittedStoreMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        start_simulator(cls, store_hash=STORE_HASH, quota=None)
        cls.simulator.state.add_product(sku=SKU, name="Killed mug", price="9.50")

    def setUp(self):
        super().setUp()
        self.create_committed_store(
            "Killed worker store", STORE_HASH, sku=SKU, product_name="Killed mug"
        )

    # -- the worker --------------------------------------------------------------
    def worker_config(self):
        options = {
            "addons_path": ",".join(config["addons_path"]),
            "data_dir": config["data_dir"],
            "db_host": config["db_host"],
            "db_port": config["db_port"],
            "db_user": config["db_user"],
            "db_password": config["db_password"],
            API_HOSTS_OPTION: self.simulator.base_url,
            ENCRYPTION_KEY_OPTION: config.get(ENCRYPTION_KEY_OPTION),
            "workers": 0,
            "max_cron_threads": 0,
        }
        handle, path = tempfile.mkstemp(prefix="bigcommerce-worker-", suffix=".conf")
        with os.fdopen(handle, "w") as conf:
            conf.write("[options]\n")
            for key, value in options.items():
                if value not in (None, False, ""):
                    conf.write(f"{key} = {value}\n")
        self.addCleanup(os.unlink, path)
        return path

    def start_worker(self, job_uuid):
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                "shell",
                "-c",
                self.worker_config(),
                "-d",
                self.env.cr.dbname,
                "--no-http",
                "--log-level=warn",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.addCleanup(lambda: worker.poll() is None and worker.kill())
        worker.stdin.write(WORKER_SCRIPT.replace("JOB_UUID", repr(job_uuid)))
        worker.stdin.close()
        return worker

    def read_until(self, worker, marker, timeout=THREAD_TIMEOUT):
        """The worker's output up to the line starting with ``marker``."""
        deadline = time.monotonic() + timeout
        lines = []
        while time.monotonic() < deadline:
            ready, _w, _x = select.select([worker.stdout], [], [], 1.0)
            if not ready:
                continue
            line = worker.stdout.readline()
            if not line:
                break  # the worker ended
            lines.append(line.strip())
            if line.startswith(marker):
                return lines
        self.fail(f"the worker never said {marker}: {lines}")

    def job_state(self, job_uuid):
        with self.committed_env() as env:
            job = env["queue.job"].search([("uuid", "=", job_uuid)])
            return job.state, job.retry

    def invoices(self, order):
        with self.committed_env() as env:
            return env["account.move"].search_read(
                [
                    ("ref", "=", str(order["id"])),
                    ("journal_id.type", "=", "sale"),
                    ("invoice_origin", "=", f"BigCommerce order #{order['id']}"),
                ],
                ["state"],
            )

    def test_worker_killed_mid_import_leaves_no_invoice_then_one(self):
        order = self.simulator.state.add_order(lines=[{"sku": SKU, "quantity": 2}])
        with self.committed_env() as env:
            backend = env["bigcommerce.backend"].browse(self.backend_id)
            job_uuid = kinds.delay_import(backend, "order", order["id"]).uuid
            # As the runner hands a job to a worker: enqueued (a minute ago).
            env["queue.job"].search([("uuid", "=", job_uuid)]).write(
                {
                    "state": "enqueued",
                    "date_enqueued": datetime.now() - timedelta(minutes=1),
                }
            )
        worker = self.start_worker(job_uuid)
        output = self.read_until(worker, "MIDWAY")
        self.assertIn("ACQUIRED", output)
        self.assertTrue(output[-1].endswith("posted"), output)
        # The worker holds a posted invoice in its open transaction.
        self.assertEqual(self.job_state(job_uuid), ("started", 0))
        self.assertEqual(self.invoices(order), [])

        os.kill(worker.pid, signal.SIGKILL)
        self.assertEqual(worker.wait(timeout=THREAD_TIMEOUT), -signal.SIGKILL)

        # PostgreSQL ends the dead worker's session and rolls it back; until
        # then its lock row stays locked and the job is not "dead" yet.
        runner_db = Database.__new__(Database)  # its queries, not its lock
        runner_db.db_name = self.env.cr.dbname
        runner_db.conn = psycopg2.connect(**_connection_info_for(runner_db.db_name))
        runner_db.conn.autocommit = True
        self.addCleanup(runner_db.close)
        requeued = self.job_state(job_uuid)
        deadline = time.monotonic() + THREAD_TIMEOUT
        while requeued[0] != "pending" and time.monotonic() < deadline:
            runner_db.requeue_dead_jobs()
            requeued = self.job_state(job_uuid)
            if requeued[0] != "pending":
                time.sleep(0.2)  # PostgreSQL has not ended the session yet
        self.assertEqual(
            requeued,
            ("pending", 1),
            f"requeued, one try counted (within {THREAD_TIMEOUT}s of the kill)",
        )
        self.assertEqual(self.invoices(order), [], "no partial invoice")

        # The runner starts it again, on a worker that lives.
        with self.committed_env() as env:
            env["queue.job"].search([("uuid", "=", job_uuid)]).write(
                {"state": "enqueued", "date_enqueued": datetime.now()}
            )
        with closing(db_connect(self.env.cr.dbname).cursor()) as cr:
            env = self.env_on(cr)
            job = RunJobController._acquire_job(env, job_uuid)
            self.assertTrue(job)
            RunJobController._runjob(env, job)
            cr.commit()  # pylint: disable=invalid-commit
        self.assertEqual(self.job_state(job_uuid), ("done", 2))
        invoices = self.invoices(order)
        self.assertEqual([invoice["state"] for invoice in invoices], ["posted"])
