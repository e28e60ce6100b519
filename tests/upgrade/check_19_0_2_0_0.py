# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""After the upgrade from 19.0.1.0.0: the data is where this release reads
it. Run in an Odoo shell; prints "upgrade ok" or raises."""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

from odoo.addons.queue_job.job import Job

if "env" not in globals():
    raise SystemExit("Run it in an Odoo shell.")
env = globals()["env"]

backend = env["bigcommerce.backend"].search([("store_hash", "=", "upgraded1")])
assert backend.posting_policy == "draft", backend.posting_policy
assert backend.catch_up_orders is False
assert backend.catch_up_overlap_minutes == 7, backend.catch_up_overlap_minutes
order = env["bigcommerce.order"].search([("bigcommerce_id", "=", 4201)])
assert order.status == "11", order.status
assert order.custom_status == "Awaiting Fulfillment", order.custom_status
assert str(order.sync_date) == "2026-01-02 03:04:05", order.sync_date
kinds = {
    (f.record_type, f.bigcommerce_id)
    for f in env["bigcommerce.failure"].search([("backend_id", "=", backend.id)])
}
assert kinds == {("order", "4202"), ("catch_up", "orders")}, kinds
cron = env.ref("bigcommerce_connector.ir_cron_bigcommerce_catch_up_orders")
assert cron.code.strip() == "model._scheduler_catch_up_orders()", cron.code
function = env.ref("bigcommerce_connector.queue_job_function_catch_up_orders")
assert function.method == "_catch_up_orders", function.method
imports = env.ref("bigcommerce_connector.queue_job_function_import_order")
pattern = {int(tries): seconds for tries, seconds in imports.retry_pattern.items()}
assert pattern == {1: 10, 5: 60, 10: 300, 15: 1800, 20: 3600}, pattern
env.cr.execute(
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_name IN ('bigcommerce_backend', 'bigcommerce_order') "
    "AND column_name IN ('status_id', 'tax_account_id', 'client_id', 'invoice_policy')"
)
assert not env.cr.fetchall()
customer = env["bigcommerce.customer"].search(
    [("backend_id", "=", backend.id), ("bigcommerce_id", "=", 77)]
)
assert customer.partner_id.name == "Upgraded customer", customer.partner_id
# The connector made that partner (with its external ID): it is not linked.
assert not customer.partner_linked
# The import queued before the upgrade runs with this code: the store has
# no access token, so it leaves a failure to reprocess.
(queued,) = env["queue.job"].search(
    [("model_name", "=", "bigcommerce.backend"), ("method_name", "=", "_import_order")]
)
assert queued.state == "pending", queued.state
Job.load(env, queued.uuid).perform()
failure = env["bigcommerce.failure"].search(
    [("backend_id", "=", backend.id), ("bigcommerce_id", "=", "4203")]
)
assert failure.record_type == "order", failure.record_type
# Each catch-up's watermark is in a row of its own (19.0.2.3.0), the one the
# store's column held.
env.cr.execute(
    "SELECT orders_modified_since FROM bigcommerce_backend WHERE id = %s",
    [backend.id],
)
(column,) = env.cr.fetchone()
assert column and backend.orders_modified_since == column, (
    backend.orders_modified_since,
    column,
)
states = env["bigcommerce.batch.state"].search([("backend_id", "=", backend.id)])
assert sorted(states.mapped("batch")) == ["customers", "orders", "refunds"], states
# The former replay guard's table is gone (19.0.2.5.0).
env.cr.execute("SELECT to_regclass('bigcommerce_webhook_delivery')")
assert env.cr.fetchone()[0] is None, "bigcommerce_webhook_delivery still there"
print("upgrade ok")
