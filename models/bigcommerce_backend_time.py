# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's time zone, as BigCommerce gives it (``timezone.name`` of
``GET /v2/store``), read again at each connection test and, for a store
with webhooks, once a day by the scheduled webhook check
(:meth:`_refresh_store_information`).

Every day the connector books or lists is a day of this zone
(``components/accounting.py``: :func:`store_date`, :func:`period_bounds`):
invoice, credit note and payment dates, the import wizard's period, the
reconciliation's period. A store without one is in UTC.
"""

import logging
from datetime import timedelta

from odoo import fields, models

from odoo.addons.base.models.res_partner import _tz_get

from ..bigcommerce.store_time import is_known_time_zone, time_zone_name

_logger = logging.getLogger(__name__)

#: How old the store's information may be before the scheduled webhook
#: check reads it again (one ``GET /v2/store`` a day per store).
STORE_INFORMATION_EVERY = timedelta(days=1)


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    timezone = fields.Selection(
        _tz_get,
        string="Time Zone",
        readonly=True,
        copy=False,
        help="The store's time zone on BigCommerce, read at each connection "
        "test and, for a store with webhooks, once a day by the scheduled "
        "webhook check. The dates of invoices, credit notes and payments, and "
        "the periods of imports and reconciliations, are days of this time "
        "zone (UTC while the store has none).",
    )
    timezone_unknown = fields.Char(
        string="Unknown Time Zone",
        readonly=True,
        copy=False,
        help="The time zone BigCommerce gave at the last connection test when "
        "this server's time zone database does not know it: the store's dates "
        "stay in UTC until the server's time zone data is updated.",
    )

    # === BUSINESS METHODS === #
    def _time_zone_label(self):
        """The store's time zone as the connection test tells it."""
        self.ensure_one()
        if self.timezone:
            return self.timezone
        if self.timezone_unknown:
            return self.env._(
                "%(zone)s, unknown to this server: dates in UTC",
                zone=self.timezone_unknown,
            )
        return self.env._("none given: dates in UTC")

    def _store_information_values(self, info, client):
        """The store's values from ``GET /v2/store`` (``info``), with its
        time zone: a zone this server does not know is kept aside
        (``timezone_unknown``), never guessed."""
        values = super()._store_information_values(info, client)
        name = time_zone_name(info)
        known = bool(name) and is_known_time_zone(name) and name in dict(_tz_get(self))
        if name and not known:
            _logger.warning(
                "Store %s: time zone %r unknown to this server, dates stay in UTC.",
                self.store_hash,
                name,
            )
        values.update(
            timezone=name if known else False,
            timezone_unknown=name if name and not known else False,
        )
        return values

    def _refresh_store_information(self, client):
        """Read the store's information again (its time zone, name,
        currency and plan) when the last reading is older than
        :data:`STORE_INFORMATION_EVERY`; a changed time zone is said on the
        store's chatter. Returns whether the store was asked.

        :param client: the store's client (errors are the caller's).
        """
        self.ensure_one()
        checked = self.connection_checked_at
        if checked and checked > fields.Datetime.now() - STORE_INFORMATION_EVERY:
            return False
        before = self._time_zone_label()
        info = client.get_store_information() or {}
        self.sudo().write(self._store_information_values(info, client))
        after = self._time_zone_label()
        if after != before:
            self.message_post(
                body=self.env._(
                    "The store's time zone on BigCommerce is now %(zone)s (it "
                    "was %(before)s). What is imported from now on is dated in "
                    "it; what was booked before keeps its dates.",
                    zone=after,
                    before=before,
                )
            )
        return True
