# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""What the deliveries of the webhook log are about, as Odoo holds it: the
binding of each delivery's subject, and the failure, still waiting, of the
import it queued (see ``bigcommerce_webhook_log.py``).

Both are read for a whole recordset at once (the log's list shows a page of
deliveries): one search per binding model and one of the failures, however
many deliveries, then matched to each delivery by store and BigCommerce id.
"""

from collections import defaultdict

from odoo import models
from odoo.fields import Domain

from ..components.binder import by_store
from ..components.kinds import kind_of_subject

# The binding model of each subject of a delivery.
SUBJECT_MODELS = {
    "order": "bigcommerce.order",
    "refund": "bigcommerce.refund",
    "customer": "bigcommerce.customer",
    "shipment": "bigcommerce.shipment",
}


class BigCommerceWebhookLog(models.Model):
    _inherit = "bigcommerce.webhook.log"

    def _subject_record(self):
        """The binding of the delivery's subject (a shipment's, else its
        order's), or an empty recordset."""
        self.ensure_one()
        return self._subject_records()[self.id]

    def _subject_records(self):
        """``{log id: binding of its subject}`` for every delivery of the
        recordset: a shipment's, else its order's; an empty recordset when
        Odoo holds none. One search per binding model."""
        wanted = defaultdict(set)
        for log in self:
            if log.subject and log.subject_id:
                backend_id = log.backend_id.id
                wanted[SUBJECT_MODELS[log.subject]].add((backend_id, log.subject_id))
                if log.subject == "shipment" and log.order_id:
                    wanted["bigcommerce.order"].add((backend_id, log.order_id))
        found = {}
        for model, keys in wanted.items():
            bindings = self.env[model]
            names = ["backend_id", "bigcommerce_id"]
            if "sync_date" in bindings._fields:
                names.append("sync_date")
            # In the model's order: the first of a key is what limit=1 finds.
            for record in bindings.search_fetch(by_store(keys), names):
                found.setdefault(
                    (model, record.backend_id.id, record.bigcommerce_id), record
                )
        records = {}
        for log in self:
            record = self.env["bigcommerce.order"]
            if log.subject and log.subject_id:
                backend_id = log.backend_id.id
                record = found.get(
                    (SUBJECT_MODELS[log.subject], backend_id, log.subject_id),
                    self.env[SUBJECT_MODELS[log.subject]],
                )
                if not record and log.subject == "shipment" and log.order_id:
                    record = found.get(
                        ("bigcommerce.order", backend_id, log.order_id),
                        self.env["bigcommerce.order"],
                    )
            records[log.id] = record
        return records

    def _subject_failure(self):
        """The failure, still waiting, of the import this delivery queued:
        of its subject (an order's shipments are failed as their order),
        recorded since the delivery came."""
        self.ensure_one()
        return self._subject_failures()[self.id]

    def _subject_failures(self):
        """``{log id: failure}`` for every delivery of the recordset: the
        failure, still waiting, of the import it queued, recorded since it
        came (an empty recordset when none). One search."""
        failures = self.env["bigcommerce.failure"]
        # log -> (store id, record types, BigCommerce id of the failure)
        keys = {}
        for log in self:
            if log.outcome != "queued" or not log.subject:
                continue
            kind = kind_of_subject(
                "shipments" if log.subject == "shipment" else log.subject
            )
            if not kind:
                continue
            record_id = log.order_id if log.subject == "shipment" else log.subject_id
            keys[log] = (log.backend_id.id, set(kind.failure_types), str(record_id))
        found = defaultdict(list)
        if keys:
            record_types = {t for _b, types, _r in keys.values() for t in types}
            domain = (
                by_store(
                    (backend_id, record_id)
                    for backend_id, _t, record_id in keys.values()
                )
                & Domain("record_type", "in", sorted(record_types))
                & Domain("state", "!=", "resolved")
                & Domain("last_failed_at", ">=", min(log.received_at for log in keys))
            )
            names = ["backend_id", "record_type", "bigcommerce_id", "last_failed_at"]
            # In the model's order: the first that fits is what limit=1 finds.
            for failure in failures.search_fetch(domain, names):
                found[failure.backend_id.id, failure.bigcommerce_id].append(failure)
        result = {}
        for log in self:
            result[log.id] = failures
            if log not in keys:
                continue
            backend_id, types, record_id = keys[log]
            for failure in found[backend_id, record_id]:
                if (
                    failure.record_type in types
                    and failure.last_failed_at >= log.received_at
                ):
                    result[log.id] = failure
                    break
        return result
