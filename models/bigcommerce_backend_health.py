# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A BigCommerce store's health: its connection, its webhooks, and what came
of them (deliveries, catch-ups, imports).

What the store answered at the last connection test; the webhook address,
its registration and rotation at BigCommerce; the scheduled webhook check,
which re-activates what BigCommerce deactivated and warns when deliveries
stop. The store's configuration is in ``bigcommerce_backend.py``.
"""

import logging
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..bigcommerce import BigCommerceError, BigCommerceRetryableError
from ..bigcommerce.const import HANDLED_SCOPES
from ..components import jobs, kinds
from .bigcommerce_backend import WEBHOOK_ROUTE

_logger = logging.getLogger(__name__)


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    # ---- Webhooks ----------------------------------------------------------
    webhook_key = fields.Char(
        required=True,
        copy=False,
        readonly=True,
        default=lambda self: secrets.token_urlsafe(24),
        help="Unguessable part of the webhook address. Only administrators "
        "change it, with Rotate webhook address, which moves the store's "
        "webhooks at BigCommerce to the new address.",
    )
    webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_webhook_url",
        help="The address to give BigCommerce as webhook destination. It must "
        "be reachable over HTTPS on port 443.",
    )

    # ---- What the store said at the last connection test ---------------------
    store_name = fields.Char(readonly=True, copy=False)
    store_currency = fields.Char(readonly=True, copy=False)
    store_plan = fields.Char(string="Plan", readonly=True, copy=False)
    rate_limit_quota = fields.Integer(
        string="Requests per Window",
        readonly=True,
        copy=False,
        help="API requests the store allows per rate-limit window, shared by "
        "all apps of the store.",
    )
    rate_limit_window_ms = fields.Integer(
        string="Window (ms)", readonly=True, copy=False
    )
    connection_checked_at = fields.Datetime(
        string="Last Connection Test", readonly=True, copy=False
    )

    # ---- The store's health ----------------------------------------------
    state = fields.Selection(
        [("draft", "Draft"), ("connected", "Connected"), ("error", "Error")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        help="Draft: no access token yet. Connected: BigCommerce answered the "
        "last time the store was read (on save, Test connection, or the "
        "scheduled webhook check). Error: it did not; the message says why.",
    )
    state_message = fields.Char(string="Connection Status", readonly=True, copy=False)
    webhook_subscription_ids = fields.One2many(
        "bigcommerce.webhook.subscription", "backend_id", string="Subscriptions"
    )
    webhooks_checked_at = fields.Datetime(
        string="Webhooks Last Checked", readonly=True, copy=False
    )
    webhook_alert = fields.Char(
        readonly=True,
        copy=False,
        help="What the last webhook check found wrong: no delivery for too "
        "long, hooks BigCommerce had deactivated, or the check itself failing.",
    )
    webhook_silence_hours = fields.Integer(
        string="Warn After (hours without delivery)",
        default=24,
        help="The scheduled webhook check warns, and queues a catch-up, when "
        "no webhook delivery came for this long. Set it to the longest quiet "
        "time the store normally has.",
    )
    webhook_log_days = fields.Integer(
        string="Keep Delivery Log (days)",
        default=90,
        help="How long the log of webhook deliveries is kept.",
    )
    webhook_log_ids = fields.One2many(
        "bigcommerce.webhook.log", "backend_id", string="Deliveries"
    )
    last_delivery_at = fields.Datetime(
        string="Last Delivery",
        compute="_compute_delivery_stats",
        help="When the last webhook from BigCommerce was received (refused "
        "ones not counted).",
    )
    delivery_count = fields.Integer(compute="_compute_delivery_stats")
    last_catch_up_at = fields.Datetime(
        string="Last Catch-up", compute="_compute_catch_up_states"
    )
    last_catch_up_state = fields.Selection(
        [("done", "Done"), ("failed", "Failed")],
        string="Last Catch-up Outcome",
        compute="_compute_catch_up_states",
    )
    last_catch_up_result = fields.Char(
        string="Last Catch-up Result", compute="_compute_catch_up_states"
    )
    last_import_run_id = fields.Many2one(
        "bigcommerce.import.run",
        string="Last Import",
        compute="_compute_last_import_run",
    )
    # The last import's progress, read from its lines each time the form
    # is read.
    last_import_state = fields.Selection(
        [("running", "Running"), ("done", "Finished")],
        compute="_compute_last_import_run",
    )
    last_import_queued = fields.Integer(compute="_compute_last_import_run")
    last_import_done = fields.Integer(compute="_compute_last_import_run")
    last_import_failed = fields.Integer(compute="_compute_last_import_run")
    last_import_skipped = fields.Integer(compute="_compute_last_import_run")
    last_import_skipped_summary = fields.Char(compute="_compute_last_import_run")

    _webhook_key_uniq = models.Constraint(
        "unique(webhook_key)", "The webhook key must be unique."
    )

    # === COMPUTE METHODS === #
    @api.depends("webhook_key")
    def _compute_webhook_url(self):
        """The address BigCommerce sends this store's webhooks to."""
        base_url = self.get_base_url()
        for backend in self:
            backend.webhook_url = (
                f"{base_url.rstrip('/')}{WEBHOOK_ROUTE}/{backend.webhook_key}"
                if backend.webhook_key
                else False
            )

    def _compute_delivery_stats(self):
        """How many webhook deliveries the store received (refused ones not
        counted), and when the last one came."""
        stats = {
            backend: (count, last)
            for backend, count, last in self.env["bigcommerce.webhook.log"]
            .sudo()
            ._read_group(
                [("backend_id", "in", self.ids), ("outcome", "!=", "refused")],
                ["backend_id"],
                ["__count", "received_at:max"],
            )
        }
        for backend in self:
            count, last = stats.get(backend, (0, False))
            backend.delivery_count = count
            backend.last_delivery_at = last

    def _compute_last_import_run(self):
        """The store's last import run (the import wizard), and its progress."""
        Run = self.env["bigcommerce.import.run"]
        for backend in self:
            run = (
                Run.search(
                    [("backend_id", "=", backend._origin.id)], order="id desc", limit=1
                )
                if backend._origin.id
                else Run
            )
            backend.last_import_run_id = run
            backend.last_import_state = run.state
            backend.last_import_queued = run.queued_count
            backend.last_import_done = run.done_count
            backend.last_import_failed = run.failed_count
            backend.last_import_skipped = run.skipped_count
            backend.last_import_skipped_summary = run.skipped_summary

    # === CRUD METHODS === #
    def _check_webhook_key_access(self, vals, creating=False):
        """Only administrators choose the webhook address: BigCommerce must
        be told of a new one (Rotate webhook address does both), and the
        old one must stop working."""
        if "webhook_key" not in vals or self.env.is_system():
            return
        if creating or any(
            backend.webhook_key != vals["webhook_key"] for backend in self
        ):
            raise AccessError(
                self.env._(
                    "Only administrators can change the webhook address of a "
                    "BigCommerce store, with Rotate webhook address on its "
                    "Webhooks tab: BigCommerce must be sent the new address."
                )
            )

    # === ACTION METHODS === #
    def action_register_webhooks(self):
        """Subscribe this store's webhook URL to the scopes the connector
        handles; BigCommerce has no screen for webhooks, only its API.

        Idempotent: an existing subscription is kept, and re-activated when
        BigCommerce deactivated it.
        """
        self.ensure_one()
        # Before anything is sent: only who may change the store may act on it.
        self.check_access("write")
        done = self._register_webhooks()
        return self._webhooks_notification(self.env._("Webhooks registered"), done)

    def action_rotate_webhook_key(self):
        """Give the store a new webhook address and move its webhooks at
        BigCommerce to it; the old address stops working at once (for an
        address that leaked).

        Administrators only. All or nothing: when BigCommerce cannot be told
        of the new address, the store keeps its old one.
        """
        self.ensure_one()
        # Before anything is read or sent: the address decides who may feed
        # the store's invoices, so administrators only.
        if not self.env.is_system():
            raise AccessError(
                self.env._(
                    "Only administrators can rotate the webhook address of a "
                    "BigCommerce store."
                )
            )
        self.check_access("write")
        # One rotation of a store at a time: a second one waits for the
        # first, then is refused by PostgreSQL and retried by Odoo from the
        # address the first one set, so BigCommerce is never left sending to
        # an address the store does not hold.
        self.env.cr.execute(
            "SELECT id FROM bigcommerce_backend WHERE id = %s FOR NO KEY UPDATE",
            [self.id],
        )
        self.invalidate_recordset(["webhook_key"])
        old_url = self.webhook_url
        # Even for a caller that catches the error, the key is only changed
        # once BigCommerce sends to the new address; it is written before
        # BigCommerce is told, so that nothing but the commit stands between.
        with self.env.cr.savepoint():
            self.webhook_key = secrets.token_urlsafe(24)
            self.flush_recordset(["webhook_key"])
            done = self._register_webhooks(previous_url=old_url)
        self.message_post(
            body=self.env._(
                "Webhook address rotated by %(user)s. BigCommerce now sends the "
                "store's events to the new address (%(moved)s webhook(s) moved, "
                "%(created)s created). The old address, ending in ...%(old)s, "
                "stops working now: deliveries sent to it are refused.",
                user=self.env.user.name,
                moved=len(done["moved"]),
                created=len(done["created"]),
                old=(old_url or "")[-6:],
            )
        )
        return self._webhooks_notification(self.env._("Webhook address rotated"), done)

    def _webhooks_notification(self, title, done):
        """The notification of what registering (or moving) the webhooks
        did: ``done`` as :meth:`_register_webhooks` returns it."""
        parts = []
        for label, scopes in (
            (self.env._("moved to the new address"), done["moved"]),
            (self.env._("created"), done["created"]),
            (self.env._("re-activated"), done["reactivated"]),
            (self.env._("already active"), done["kept"]),
        ):
            if scopes:
                parts.append(f"{label}: {', '.join(scopes)}")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": "; ".join(parts),
                "type": "success",
                "sticky": False,
                # The Webhooks tab lists them.
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_test_connection(self):
        """Read the store information and show what BigCommerce answered.

        The answer is kept: the store's state (connected or error) and its
        message say it on the form and in the list.
        """
        self.ensure_one()
        # Before anything is sent: only who may change the store may act on it.
        self.check_access("write")
        connected = self._check_connection()
        if not connected:
            return self._notification(
                self.env._("Connection failed"), self.state_message, "danger"
            )
        message = self.env._(
            "Connected to %(name)s (currency %(currency)s, plan %(plan)s, time "
            "zone %(timezone)s).",
            name=self.store_name or self.store_hash,
            currency=self.store_currency or "?",
            plan=self.store_plan or "?",
            timezone=self._time_zone_label(),
        )
        if self.rate_limit_quota:
            message += " " + self.env._(
                "Rate limit: %(quota)s requests per %(seconds)s s.",
                quota=self.rate_limit_quota,
                seconds=round(self.rate_limit_window_ms / 1000),
            )
        return self._notification(
            self.env._("Connection successful"), message, "success"
        )

    def _notification(self, title, message, kind):
        """A notification of ``kind`` (``success``, ``danger``...) that
        reloads the form when closed."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": kind,
                "sticky": kind == "danger",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_refresh_webhooks(self):
        """Read the webhooks subscribed at BigCommerce into the Webhooks tab."""
        self.ensure_one()
        # Before the token is used: only who may change the store may act on it.
        self.check_access("write")
        client = self._get_client(max_attempts=2, max_wait=5, timeout=15.0)
        try:
            self._store_webhook_subscriptions(client.list_webhooks())
        except BigCommerceError as exc:
            raise UserError(
                self.env._(
                    "Could not read the webhooks of store %(store)s: %(error)s",
                    store=self.display_name,
                    error=exc.message,
                )
            ) from exc
        return True

    def action_view_deliveries(self):
        """Open the log of the store's webhook deliveries."""
        return self._action_view("bigcommerce_connector.bigcommerce_webhook_log_action")

    # === BUSINESS METHODS === #
    def _check_connection(self):
        """Read each store's information and set its state; ``True`` when
        every store answered. Never raises: the state and its message say
        what went wrong, in plain words."""
        connected = True
        for backend in self:
            if not backend.has_access_token:
                backend.write(
                    {
                        "state": "draft",
                        "state_message": self.env._(
                            "Enter the access token of the store's API account."
                        ),
                    }
                )
                connected = False
                continue
            try:
                # A person is waiting: a few quick tries, no long waits.
                client = backend._get_client(max_attempts=2, max_wait=5, timeout=15.0)
                info = client.get_store_information() or {}
            except (BigCommerceError, UserError) as exc:
                error = getattr(exc, "message", None) or exc.args[0]
                backend.write(
                    {
                        "state": "error",
                        "state_message": self.env._(
                            "Could not connect to BigCommerce store %(store)s: "
                            "%(error)s",
                            store=backend.store_hash,
                            error=error,
                        ),
                    }
                )
                connected = False
                continue
            backend.write(backend._store_information_values(info, client))
        return connected

    def _store_information_values(self, info, client):
        """The store's values once BigCommerce answered ``GET /v2/store``.

        :param info: the answer (StoreInformation).
        :param client: the client that asked, with the rate-limit headers.
        """
        limits = client.rate_limit
        return {
            "state": "connected",
            "state_message": False,
            "store_name": info.get("name"),
            "store_currency": info.get("currency"),
            "store_plan": info.get("plan_name") or info.get("plan_level"),
            "rate_limit_quota": limits.quota if limits and limits.quota else 0,
            "rate_limit_window_ms": limits.window_ms if limits else 0,
            "connection_checked_at": fields.Datetime.now(),
        }

    def _register_webhooks(self, previous_url=None):
        """Subscribe the store's webhook URL to the handled scopes, keeping
        what is there and re-activating what BigCommerce deactivated, then
        read the list back. Called by checked actions only.

        :param previous_url: the store's address before a rotation: its
            hooks are moved to the current address (and moved back, as far
            as BigCommerce lets, when a later call fails).
        :return: ``{"moved", "created", "reactivated", "kept"}``, the scopes
            of each.
        """
        self.ensure_one()
        url = self.webhook_url
        if not url or not url.startswith("https://"):
            raise UserError(
                self.env._(
                    "BigCommerce only delivers webhooks over HTTPS: set the "
                    "web.base.url system parameter to this server's public "
                    "https:// address (now: %(url)s).",
                    url=url,
                )
            )
        client = self._get_client(max_attempts=2, max_wait=5, timeout=15.0)
        done = {"moved": [], "created": [], "reactivated": [], "kept": []}
        moved_ids = []
        try:
            hooks = client.list_webhooks()
            if previous_url and previous_url != url:
                for hook in hooks:
                    if hook.get("destination") != previous_url:
                        continue
                    client.update_webhook(hook["id"], destination=url, is_active=True)
                    moved_ids.append(hook["id"])
                    hook.update(destination=url, is_active=True)
                    done["moved"].append(hook["scope"])
            existing = {
                hook["scope"]: hook for hook in hooks if hook.get("destination") == url
            }
            for scope in sorted(HANDLED_SCOPES):
                hook = existing.get(scope)
                if not hook:
                    client.create_webhook(scope, url)
                    done["created"].append(scope)
                elif hook["id"] in moved_ids:
                    continue
                elif not hook.get("is_active"):
                    client.update_webhook(hook["id"], is_active=True)
                    done["reactivated"].append(scope)
                else:
                    done["kept"].append(scope)
            self._store_webhook_subscriptions(client.list_webhooks())
        except BigCommerceError as exc:
            if moved_ids:
                self._move_webhooks_back(client, moved_ids, previous_url)
                raise UserError(
                    self.env._(
                        "Could not move the webhooks of store %(store)s to its "
                        "new address: %(error)s. The store keeps its old "
                        "address; try again later.",
                        store=self.display_name,
                        error=exc.message,
                    )
                ) from exc
            raise UserError(
                self.env._(
                    "Could not register the webhooks of store %(store)s: %(error)s",
                    store=self.display_name,
                    error=exc.message,
                )
            ) from exc
        return done

    def _move_webhooks_back(self, client, hook_ids, destination):
        """Best effort: the hooks a failed rotation moved go back to the
        address the store keeps."""
        for hook_id in hook_ids:
            try:
                client.update_webhook(hook_id, destination=destination)
            except BigCommerceError as exc:
                _logger.warning(
                    "Store %s: webhook %s left at the new address: %s",
                    self.id,
                    hook_id,
                    exc.message,
                )

    def _store_webhook_subscriptions(self, hooks):
        """Keep the list of webhooks BigCommerce has for the API account."""
        self.ensure_one()
        self.env["bigcommerce.webhook.subscription"].sudo()._sync(self, hooks)
        self.sudo().webhooks_checked_at = fields.Datetime.now()

    @api.model
    def _scheduler_check_webhooks(self):
        """Scheduled action: queue a webhook check for each store that has
        subscribed webhooks."""
        for backend in self.search([("webhook_subscription_ids", "!=", False)]):
            jobs.delay(
                backend,
                f"bigcommerce-check-webhooks-{backend.id}",
                f"Check the BigCommerce webhooks ({backend.name})",
            )._check_webhooks()

    def _check_webhooks(self):
        """Job: re-activate the hooks BigCommerce deactivated (it does after
        48 hours of failed deliveries), refresh the list, and warn, with a
        catch-up queued, when deliveries stopped coming; once a day, read
        the store's information (its time zone) again."""
        self.ensure_one()
        reactivated = []
        try:
            client = self._get_client()
            # Once a day, the store's time zone and plan as BigCommerce
            # says them now; the hooks are checked whatever it answers.
            try:
                self._refresh_store_information(client)
            except BigCommerceRetryableError:
                raise
            except BigCommerceError as exc:
                _logger.warning(
                    "Store %s: its information could not be read again: %s",
                    self.store_hash,
                    getattr(exc, "message", None) or exc,
                )
            hooks = client.list_webhooks()
            for hook in hooks:
                if hook.get("destination") == self.webhook_url and not hook.get(
                    "is_active"
                ):
                    client.update_webhook(hook["id"], is_active=True)
                    hook["is_active"] = True
                    reactivated.append(hook["scope"])
        except BigCommerceRetryableError as exc:
            raise RetryableJobError(exc.message, seconds=300) from exc
        except (BigCommerceError, UserError) as exc:
            error = getattr(exc, "message", None) or exc.args[0]
            self.sudo().webhook_alert = self.env._(
                "Could not check the webhooks: %(error)s", error=error
            )
            return self.webhook_alert
        self._store_webhook_subscriptions(hooks)
        alerts = []
        if reactivated:
            alerts.append(
                self.env._(
                    "BigCommerce had deactivated %(scopes)s; re-activated.",
                    scopes=", ".join(sorted(reactivated)),
                )
            )
        silence = self._webhook_silence()
        if silence:
            alerts.append(silence)
        self.sudo().webhook_alert = " ".join(alerts) or False
        if alerts and self.catch_up_orders:
            # The catch-up brings what the missing deliveries did not.
            kinds.delay_batch(self, "order")
        return self.webhook_alert or "Webhooks active, deliveries coming."

    def _webhook_silence(self):
        """A sentence when no delivery came for longer than the store
        allows, though its hooks are active; else ``None``."""
        self.ensure_one()
        ours = self.webhook_subscription_ids.filtered(
            lambda sub: sub.is_active and sub.destination == self.webhook_url
        )
        if not ours or self.webhook_silence_hours <= 0:
            return None
        limit = fields.Datetime.now() - timedelta(hours=self.webhook_silence_hours)
        since = self.last_delivery_at or min(
            ours.mapped(lambda sub: sub.subscribed_at or fields.Datetime.now())
        )
        if since >= limit:
            return None
        if self.last_delivery_at:
            return self.env._(
                "No webhook delivery since %(when)s (UTC): check that this "
                "server is reachable from the internet. The catch-up brings "
                "the missed orders.",
                when=fields.Datetime.to_string(self.last_delivery_at),
            )
        return self.env._(
            "No webhook delivery ever received: check that this server is "
            "reachable from the internet. The catch-up brings the missed orders."
        )
