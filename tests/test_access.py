# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Who may call what: every public method of the connector's models checks
its caller before it reads, queues or sends anything; only administrators
change a store's webhook address, by rotating it."""

import inspect
import json
import time
import uuid
from unittest import mock

from odoo import Command, models
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.queue_job.tests.common import trap_jobs

from ..bigcommerce import BigCommerceClient
from ..bigcommerce.const import HANDLED_SCOPES
from ..bigcommerce.exceptions import BigCommerceValidationError
from .common import CLIENT_SECRET, STORE_HASH, BigCommerceAccountingHttpCase
from .simulator import webhooks as simulator_webhooks

ADDON_PACKAGE = "odoo.addons.bigcommerce_connector."
CONTROLLER_LOGGER = "odoo.addons.bigcommerce_connector.controllers.main"


def public_connector_methods(env):
    """``{model name: [method names]}``: the methods anyone may call by RPC
    on the models this addon defines or extends.

    The rule, explicit: a method counts when a class of this addon defines
    it (a function in the class body of a module under
    ``odoo.addons.bigcommerce_connector``, on ``bigcommerce.*`` models,
    wizards and the Odoo models the addon extends) and its name does not
    start with an underscore (Odoo's RPC refuses those). Left out, as they
    are not actions of the connector:

    - overrides of the ORM's own methods, i.e. any name Odoo's ``BaseModel``
      defines (``create``, ``write``, ``default_get``, ``init``...): the ORM
      checks their access, and their tests are elsewhere;
    - compute, inverse and search methods of fields, and methods decorated
      as constraints, onchanges or autovacuums, whatever their names.
    """
    found = {}
    for name in env.registry:
        model_class = env.registry[name]
        fields_methods = set()
        for field in model_class._fields.values():
            for attr in ("compute", "inverse", "search"):
                method = getattr(field, attr, None)
                if isinstance(method, str):
                    fields_methods.add(method)
                elif callable(method):
                    fields_methods.add(getattr(method, "__name__", ""))
        for klass in model_class.__mro__:
            if not klass.__module__.startswith(ADDON_PACKAGE):
                continue
            for attr, member in vars(klass).items():
                if isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if (
                    not inspect.isfunction(member)
                    or attr.startswith("_")
                    or hasattr(models.BaseModel, attr)
                    or attr in fields_methods
                    or any(
                        getattr(member, marker, None)
                        for marker in ("_constrains", "_onchange", "_autovacuum")
                    )
                ):
                    continue
                found.setdefault(name, set()).add(attr)
    return {name: sorted(methods) for name, methods in sorted(found.items())}


@tagged("post_install", "-at_install")
class TestEveryActionChecksItsCaller(BigCommerceAccountingHttpCase):
    """A portal user, an internal user without the connector's groups and
    a Connector Manager of another company call every public method of the
    connector on one existing record of each model: each is refused with
    an AccessError that does not name the store, and nothing is sent to
    BigCommerce, queued, written or posted. A Connector Manager of the
    store's company still may."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(
            cls.env,
            login="bc_access_portal",
            password="bc_access_portal_pw",
            groups="base.group_portal",
        )
        cls.plain = new_test_user(
            cls.env, login="bc_access_plain", groups="base.group_user"
        )
        other_company = cls.env["res.company"].create({"name": "Other shop Co"})
        cls.outside_manager = new_test_user(
            cls.env,
            login="bc_access_outside_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        cls.manager = new_test_user(
            cls.env,
            login="bc_access_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )
        # One record of each model that has public methods, made as the
        # connector makes them (as the system) where that is quick.
        order = cls.simulator.state.add_order(
            customer_id=cls.customer["id"], lines=[{"sku": "MUG-BLK", "quantity": 2}]
        )
        with trap_jobs():
            cls.backend._import_order(order["id"])
        binding = cls.env["bigcommerce.order"].search(
            [("backend_id", "=", cls.backend.id), ("bigcommerce_id", "=", order["id"])]
        )
        system = cls.env(su=True)
        customer = system["bigcommerce.customer"].search(
            [("backend_id", "=", cls.backend.id)], limit=1
        ) or system["bigcommerce.customer"].create(
            {
                "backend_id": cls.backend.id,
                "bigcommerce_id": cls.customer["id"],
                "partner_id": binding.partner_id.id,
            }
        )
        refund = system["bigcommerce.refund"].create(
            {
                "backend_id": cls.backend.id,
                "bigcommerce_id": 9001,
                "order_id": binding.id,
                "bigcommerce_order_id": order["id"],
            }
        )
        failure = system["bigcommerce.failure"]._record(
            cls.backend, "order", 424242, "An unknown SKU."
        )
        run = system["bigcommerce.import.run"].create(
            {"backend_id": cls.backend.id, "mode": "numbers", "name": "Orders 1"}
        )
        wizard = cls.env["bigcommerce.import.wizard"].create(
            {
                "backend_id": cls.backend.id,
                "mode": "numbers",
                "order_numbers": str(order["id"]),
            }
        )
        reconciliation = system["bigcommerce.reconciliation"].create(
            {
                "backend_id": cls.backend.id,
                "line_ids": [
                    Command.create(
                        {
                            "kind": "missing_invoice",
                            "cause": "Never imported.",
                            "fix": "import_order",
                            "bigcommerce_id": order["id"],
                        }
                    )
                ],
            }
        )
        cls.backend._refresh_setup_checks()
        delivery = system["bigcommerce.webhook.log"].create(
            {
                "backend_id": cls.backend.id,
                "scope": "store/order/created",
                "outcome": "queued",
                "subject": "order",
                "subject_id": order["id"],
            }
        )
        cls.records = {
            "account.move": binding.move_id,
            "bigcommerce.backend": cls.backend,
            "bigcommerce.customer": customer,
            "bigcommerce.failure": failure,
            "bigcommerce.import.run": run,
            "bigcommerce.import.wizard": wizard,
            "bigcommerce.order": binding,
            "bigcommerce.refund": refund,
            "bigcommerce.reconciliation": reconciliation,
            "bigcommerce.reconciliation.line": reconciliation.line_ids,
            "bigcommerce.setup.check": cls.backend.sudo().setup_check_ids[:1],
            "bigcommerce.webhook.log": delivery,
        }

    def test_the_walk_finds_the_connector_s_actions(self):
        """The rule of ``public_connector_methods`` sees what it must."""
        methods = public_connector_methods(self.env)
        self.assertIn("action_refresh_webhooks", methods["bigcommerce.backend"])
        self.assertIn("action_rotate_webhook_key", methods["bigcommerce.backend"])
        self.assertIn("action_import", methods["bigcommerce.import.wizard"])
        self.assertIn("action_open_bigcommerce_order", methods["account.move"])
        for excluded in ("create", "write", "default_get", "init", "message_post"):
            self.assertFalse(
                [name for name, names in methods.items() if excluded in names],
                excluded,
            )
        self.assertFalse(
            [
                f"{name}.{method}"
                for name, names in methods.items()
                for method in names
                if method.startswith("_")
            ]
        )

    def test_every_public_method_refuses_outsiders(self):
        methods = public_connector_methods(self.env)
        missing = sorted(set(methods) - set(self.records))
        self.assertFalse(
            missing,
            f"models with public methods and no record in this test: {missing}; "
            "add one to setUpClass",
        )
        self.env.flush_all()
        backend = self.backend
        key = backend.webhook_key
        messages = self.env["mail.message"].search_count([])
        subscriptions = backend.webhook_subscription_ids
        requests_before = len(self.simulator.requests)
        for user in (self.portal, self.plain, self.outside_manager):
            for model, names in methods.items():
                record = self.records[model].with_user(user)
                for name in names:
                    method = getattr(record, name)
                    required = [
                        param
                        for param in inspect.signature(method).parameters.values()
                        if param.default is inspect.Parameter.empty
                        and param.kind not in (param.VAR_POSITIONAL, param.VAR_KEYWORD)
                    ]
                    with self.subTest(user=user.login, method=f"{model}.{name}"):
                        self.assertFalse(
                            required,
                            "a public method with arguments: give it a test of "
                            "its own, or make it private",
                        )
                        with (
                            trap_jobs() as trap,
                            self.assertRaises(AccessError) as caught,
                        ):
                            method()
                        self.assertNotIn(STORE_HASH, str(caught.exception))
                        trap.assert_jobs_count(0)
        self.assertEqual(self.simulator.requests[requests_before:], [])
        self.assertEqual(backend.webhook_key, key)
        self.assertEqual(backend.webhook_subscription_ids, subscriptions)
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        self.assertEqual(self.records["bigcommerce.failure"].state, "open")

        # The checks refuse outsiders, not the people who run the store.
        self.reset_rate_limit()
        backend = self.backend.with_user(self.manager)
        self.assertIs(backend.action_refresh_webhooks(), True)
        self.assertEqual(
            [request["path"] for request in self.simulator.requests[requests_before:]],
            [f"/stores/{STORE_HASH}/v3/hooks"],
        )
        self.assertEqual(
            backend.action_view_orders()["domain"], [("backend_id", "=", backend.id)]
        )
        with trap_jobs() as trap:
            self.records["bigcommerce.order"].with_user(self.manager).action_reimport()
            trap.assert_jobs_count(1)

    def _call_kw(self, model, method, args):
        """A JSON-RPC call as the web client makes it; the error's data."""
        with mute_logger("odoo.http"):
            response = self.url_open(
                f"/web/dataset/call_kw/{model}/{method}",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "id": 1,
                        "params": {
                            "model": model,
                            "method": method,
                            "args": args,
                            "kwargs": {},
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertNotIn("result", answer, "the call was not refused")
        return answer["error"]["data"]

    def test_every_record_of_the_store_is_hidden_from_another_company(self):
        """Each stored model of the connector has a multi-company rule (the
        rate limit, shared by the stores of one BigCommerce account and
        readable by administrators only, excepted), and a Connector Manager
        of another company finds none of the store's records, while one of
        the store's company finds them all."""
        shared = {"bigcommerce.rate.limit"}
        names = sorted(
            name
            for name, model in self.env.registry.items()
            if name.startswith("bigcommerce.")
            and not model._abstract
            and not model._transient
            and name not in shared
        )
        ruled = set(
            self.env["ir.rule"]
            .sudo()
            .search([("model_id.model", "in", names), ("global", "=", True)])
            .mapped("model_id.model")
        )
        self.assertEqual([name for name in names if name not in ruled], [])
        system = self.env(su=True)
        system["bigcommerce.payment.journal"].create(
            {
                "backend_id": self.backend.id,
                "payment_method": "Cash on Delivery",
                "journal_id": system["account.journal"]
                .search(
                    [
                        ("type", "=", "bank"),
                        ("company_id", "=", self.backend.company_id.id),
                    ],
                    limit=1,
                )
                .id,
            }
        )
        system["bigcommerce.status.rule"].create(
            {"backend_id": self.backend.id, "status": "12", "action": "hold"}
        )
        outside = self.env(user=self.outside_manager)
        inside = self.env(user=self.manager)
        seen = []
        for name in names:
            records = self.env[name].sudo().search([])
            if not records or not inside[name].has_access("read"):
                continue
            seen.append(name)
            with self.subTest(model=name):
                self.assertEqual(
                    inside[name].search_count([("id", "in", records.ids)]),
                    len(records),
                )
                self.assertEqual(
                    outside[name].search_count([("id", "in", records.ids)]), 0
                )
        # The store's records this class made, of each kind the check needs.
        for name in (
            "bigcommerce.backend",
            "bigcommerce.batch.state",
            "bigcommerce.customer",
            "bigcommerce.order",
            "bigcommerce.order.status.history",
            "bigcommerce.payment.journal",
            "bigcommerce.setup.check",
            "bigcommerce.status.rule",
            "bigcommerce.webhook.log",
        ):
            self.assertIn(name, seen)

    def test_portal_user_refreshing_webhooks_over_json_rpc_is_refused(self):
        """The probe of the issue: a portal user's call_kw got ``true``, and
        spent the store's quota."""
        self.reset_rate_limit()
        requests_before = len(self.simulator.requests)
        self.authenticate("bc_access_portal", "bc_access_portal_pw")
        for _attempt in range(3):
            error = self._call_kw(
                "bigcommerce.backend", "action_refresh_webhooks", [self.backend.ids]
            )
            self.assertEqual(error["name"], "odoo.exceptions.AccessError")
            self.assertNotIn(STORE_HASH, error["message"])
        self.assertEqual(self.simulator.requests[requests_before:], [])
        self.backend.invalidate_recordset()
        self.assertFalse(self.backend.webhooks_checked_at)


@tagged("post_install", "-at_install")
class TestWebhookAddressRotation(BigCommerceAccountingHttpCase):
    """Only administrators change a store's webhook address, with Rotate
    webhook address: a new key, the store's hooks moved to it at
    BigCommerce, the old address refused, and a chatter line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="bc_rotation_manager",
            password="bc_rotation_manager_pw",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.com"
        )
        self.backend.invalidate_recordset(["webhook_url"])
        # The simulated store outlives a test: start each with no webhooks.
        for hook_id in list(self.simulator.state.hooks):
            self.simulator.state.delete_hook(hook_id)
        self.reset_rate_limit()
        self.backend.action_register_webhooks()

    def hooks_to(self, url):
        return [
            hook
            for hook in self.simulator.state.hooks.values()
            if hook["destination"] == url
        ]

    def deliver(self, key):
        """A signed order webhook to the address of ``key``."""
        body = json.dumps(
            self.simulator.webhook_payload(
                "store/order/created", {"type": "order", "id": 250}
            )
        ).encode()
        headers = simulator_webhooks.sign(
            CLIENT_SECRET, body, f"msg_{uuid.uuid4().hex}", int(time.time())
        )
        headers["Content-Type"] = "application/json"
        with mute_logger(CONTROLLER_LOGGER):
            return self.url_open(
                f"/bigcommerce/webhook/{key}", data=body, headers=headers
            )

    def test_manager_cannot_rewrite_the_webhook_key(self):
        key = self.backend.webhook_key
        backend = self.backend.with_user(self.manager)
        requests_before = len(self.simulator.requests)
        with self.assertRaises(AccessError):
            backend.write({"webhook_key": "chosen-by-the-manager-0123456789"})
        with self.assertRaises(AccessError):
            backend.action_rotate_webhook_key()
        # The key left as it is, as a form would send it, is fine.
        backend.write({"webhook_key": key, "name": "Renamed"})
        self.authenticate("bc_rotation_manager", "bc_rotation_manager_pw")
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/web/dataset/call_kw/bigcommerce.backend/write",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "id": 1,
                        "params": {
                            "model": "bigcommerce.backend",
                            "method": "write",
                            "args": [
                                self.backend.ids,
                                {"webhook_key": "chosen-over-rpc-0123456789"},
                            ],
                            "kwargs": {},
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
        error = response.json()["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.AccessError")
        self.assertIn("Rotate webhook address", error["message"])
        self.backend.invalidate_recordset()
        self.assertEqual(self.backend.webhook_key, key)
        self.assertEqual(self.simulator.requests[requests_before:], [])

    def test_admin_rotation_moves_the_hooks_and_retires_the_old_address(self):
        old_key, old_url = self.backend.webhook_key, self.backend.webhook_url
        hook_ids = {hook["id"] for hook in self.hooks_to(old_url)}
        self.assertEqual(len(hook_ids), len(HANDLED_SCOPES))
        requests_before = len(self.simulator.requests)

        action = self.backend.action_rotate_webhook_key()

        new_url = self.backend.webhook_url
        self.assertNotEqual(self.backend.webhook_key, old_key)
        self.assertGreaterEqual(len(self.backend.webhook_key), 32)
        self.assertTrue(new_url.startswith("https://erp.example.com/bigcommerce/"))
        # BigCommerce sends to the new address, with the same hooks.
        self.assertFalse(self.hooks_to(old_url))
        moved = self.hooks_to(new_url)
        self.assertEqual({hook["id"] for hook in moved}, hook_ids)
        self.assertEqual({hook["scope"] for hook in moved}, set(HANDLED_SCOPES))
        self.assertTrue(all(hook["is_active"] for hook in moved))
        puts = [
            request["path"]
            for request in self.simulator.requests[requests_before:]
            if request["method"] == "PUT"
        ]
        self.assertEqual(
            sorted(puts),
            sorted(f"/stores/{STORE_HASH}/v3/hooks/{i}" for i in hook_ids),
        )
        subscriptions = self.backend.webhook_subscription_ids
        self.assertEqual(set(subscriptions.mapped("destination")), {new_url})
        self.assertTrue(all(subscriptions.mapped("is_ours")))
        self.assertIn("moved to the new address", action["params"]["message"])
        # The chatter says so.
        line = self.backend.message_ids[0].body
        self.assertIn("Webhook address rotated", line)
        self.assertIn("old address", line)
        self.assertIn(old_key[-6:], line)
        self.assertNotIn(self.backend.webhook_key, line)
        # The old address is refused; the new one takes deliveries.
        with trap_jobs() as trap:
            refused = self.deliver(old_key)
            self.assertEqual(refused.status_code, 401)
            trap.assert_jobs_count(0)
            accepted = self.deliver(self.backend.webhook_key)
            self.assertEqual(accepted.status_code, 200)
            self.assertEqual(accepted.json(), {"status": "queued"})
            trap.assert_jobs_count(1)

    def test_rotation_writes_the_new_key_before_bigcommerce_is_told(self):
        """BigCommerce may send to the new address the moment it is told of
        it: by then the store's row holds the new key (only the commit is
        left), and no other rotation of the store can run."""
        old_url = self.backend.webhook_url
        real_update = BigCommerceClient.update_webhook
        seen = []

        def update_reading_the_row(client, webhook_id, **values):
            if values.get("destination") != old_url:
                self.env.cr.execute(
                    "SELECT webhook_key FROM bigcommerce_backend WHERE id = %s",
                    [self.backend.id],
                )
                seen.append((values["destination"], self.env.cr.fetchone()[0]))
            return real_update(client, webhook_id, **values)

        with mock.patch.object(
            BigCommerceClient, "update_webhook", update_reading_the_row
        ):
            self.backend.action_rotate_webhook_key()
        self.assertEqual(len(seen), len(HANDLED_SCOPES))
        for destination, key_in_row in seen:
            self.assertEqual(key_in_row, self.backend.webhook_key)
            self.assertTrue(destination.endswith(key_in_row))

    def test_rotation_bigcommerce_refuses_keeps_the_old_address(self):
        old_key, old_url = self.backend.webhook_key, self.backend.webhook_url
        messages = len(self.backend.message_ids)
        real_update = BigCommerceClient.update_webhook
        moves = []

        def second_move_refused(client, webhook_id, **values):
            if values.get("destination") != old_url:
                moves.append(webhook_id)
                if len(moves) == 2:
                    raise BigCommerceValidationError(
                        "BigCommerce refused the request (422).", status=422
                    )
            return real_update(client, webhook_id, **values)

        with (
            mock.patch.object(BigCommerceClient, "update_webhook", second_move_refused),
            self.assertRaisesRegex(UserError, "keeps its old address"),
        ):
            self.backend.action_rotate_webhook_key()
        self.assertEqual(self.backend.webhook_key, old_key)
        self.assertEqual(len(self.hooks_to(old_url)), len(HANDLED_SCOPES))
        self.assertEqual(len(self.backend.message_ids), messages)
        with trap_jobs() as trap:
            self.assertEqual(self.deliver(old_key).status_code, 200)
            trap.assert_jobs_count(1)

    def test_rotate_button_is_for_administrators(self):
        arch = self.env["bigcommerce.backend"].get_view(view_type="form")["arch"]
        self.assertTrue('name="action_rotate_webhook_key"' in arch)
        arch = (
            self.env["bigcommerce.backend"]
            .with_user(self.manager)
            .get_view(view_type="form")["arch"]
        )
        self.assertFalse('name="action_rotate_webhook_key"' in arch)
