# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How the connector queues its work: one helper, for every job of a store.

Every job of a store goes through :func:`delay`: the webhooks, the
catch-ups, the import wizard, a failure reprocessed, the webhook check. It
gives the job the store's retry budget (:data:`JOB_MAX_RETRIES`) and an
identity key naming the store, so that a pending duplicate is dropped. The
channel and the retry pattern of each job are data
(``data/queue_job_data.xml``), not code.

:func:`~.kinds.delay_import` and :func:`~.kinds.delay_batch` queue, through
it, the import of one record of a kind and the catch-up of a kind, as the
registry of record kinds (``kinds.py``) declares them.

The webhook route builds its job with :func:`build` and stores it in the
statement that claims and logs the delivery (:func:`row`): the row
queue_job would store, without its two look-ups and its ORM ``create``.
"""

from odoo.tools import SQL

from odoo.addons.queue_job import delay as queue_job_delay
from odoo.addons.queue_job.job import ENQUEUED, PENDING, WAIT_DEPENDENCIES, Job
from odoo.addons.queue_job.utils import must_run_without_delay

# Tries of one job before it gives up and leaves a failure record. With the
# retry pattern of data/queue_job_data.xml (10 s, then 1 min, 5 min, 30 min,
# then every hour), they span about two days, as BigCommerce's own webhook
# retries do: an outage of the store's API, or of this server's network,
# delays orders and loses none.
JOB_MAX_RETRIES = 64
# Listed orders (a first sync of a store's history) are imported this many
# to a job, in one transaction with a savepoint per order: without the cost
# of a job per order, and well inside the time limits of the HTTP worker
# that runs the job (limit_time_cpu 60 s, limit_time_real 120 s by default)
# even for orders of 20 lines on a slow machine (about 2 s each).
ORDERS_PER_PAGE_JOB = 20
# The states of a job that a new job of its identity key is not queued
# beside (queue_job's rule).
WAITING_STATES = (WAIT_DEPENDENCIES, PENDING, ENQUEUED)


def delay(backend, identity_key, description, model=None, records=None):
    """The delayable of one job of a store: call the job's method on it.

    :param backend: the store (``bigcommerce.backend``), one record; the job
        runs as its environment's user.
    :param identity_key: the job's identity, ``bigcommerce-<what>-<store
        id>[-<which>]`` (a pending job of the same key is not queued twice).
    :param description: what the job does, as the job queue shows it.
    :param model: the model whose method the job runs (on no record); the
        store itself by default.
    :param records: the records whose method the job runs (a store's
        reconciliation), instead of the store.
    """
    backend.ensure_one()
    if records is None:
        records = backend.env[model] if model else backend
    return records.with_delay(
        identity_key=identity_key,
        description=description,
        max_retries=JOB_MAX_RETRIES,
    )


def build(backend, identity_key, description, method, *args, **kwargs):
    """The job of a store that :func:`delay` would queue, built by
    queue_job (``Delayable``, ``Job``: its channel, description, the
    records' context, the model's ``_job_store_values``) and not stored: a
    statement of the caller's stores it (:func:`row`), as the webhook
    route's claim of a delivery does.

    ``None`` where queue_job's tools are at work: a test's ``trap_jobs()``
    (it replaces the ``Job`` class of queue_job's ``delay`` module), and
    ``queue_job__no_delay`` (a job is run at once): queue the job with
    :func:`delay` then, as they expect.

    :param method: the name of the store's job method; ``args`` and
        ``kwargs`` are its arguments.
    """
    backend.ensure_one()
    if queue_job_delay.Job is not Job or must_run_without_delay(backend.env):
        return None
    delayable = queue_job_delay.Delayable(
        backend,
        identity_key=identity_key,
        description=description,
        max_retries=JOB_MAX_RETRIES,
    )
    getattr(delayable, method)(*args, **kwargs)
    return delayable._build_job()


def row(job):
    """The row queue_job's ``Job.store()`` would write for ``job``, a new
    job: ``(columns, values)``, as SQL for ``INSERT INTO queue_job
    (columns) SELECT values`` (its ``id`` excepted).

    The same values, converted by the fields of ``queue.job``, without
    ``store()``'s look-ups (a pending duplicate, the job's own uuid) nor
    the ORM's ``create`` (defaults, mail.thread); queue_job's trigger tells
    its runner of the new row as of any other.
    """
    Jobs = job.env["queue.job"].sudo()
    values = job._store_values(create=True)
    names = [
        name
        for name in values
        if Jobs._fields[name].store and Jobs._fields[name].column_type
    ]
    return (
        SQL(", ").join(SQL.identifier(name) for name in names),
        SQL(", ").join(
            SQL(
                "%s",
                Jobs._fields[name].convert_to_column_insert(values[name], Jobs, values),
            )
            for name in names
        ),
    )
