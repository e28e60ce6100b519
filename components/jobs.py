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
"""

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
