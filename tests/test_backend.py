# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
import logging
import os
import tempfile

from cryptography.fernet import Fernet

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import new_test_user
from odoo.tools import config, mute_logger

from ..bigcommerce.const import HANDLED_SCOPES
from ..components.server_options import server_option
from ..models.bigcommerce_backend import API_HOSTS_OPTION, WEBHOOK_ROUTE
from ..models.bigcommerce_backend_secrets import (
    ENCRYPTION_KEY_OPTION,
    ENCRYPTION_KEY_PARAM,
)
from .common import ACCESS_TOKEN, CLIENT_SECRET, QUOTA, STORE_HASH, BigCommerceCase


class TestBackend(BigCommerceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_user = new_test_user(
            cls.env, login="bc_plain", groups="base.group_user"
        )
        cls.manager = new_test_user(
            cls.env,
            login="bc_manager",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
        )

    def _raw_secret_columns(self, backend):
        backend.flush_recordset()
        self.env.cr.execute(
            "SELECT access_token_encrypted, client_secret_encrypted "
            "FROM bigcommerce_backend WHERE id = %s",
            [backend.id],
        )
        return self.env.cr.fetchone()

    # -- encryption at rest ------------------------------------------------
    def test_secrets_encrypted_at_rest(self):
        token_col, secret_col = self._raw_secret_columns(self.backend)
        for raw, clear in ((token_col, ACCESS_TOKEN), (secret_col, CLIENT_SECRET)):
            self.assertTrue(raw)
            self.assertNotIn(clear, raw)
            self.assertTrue(raw.startswith("gAAAA"), "a Fernet token")
        self.assertEqual(self.backend.access_token, ACCESS_TOKEN)
        self.assertEqual(self.backend.client_secret, CLIENT_SECRET)

    def test_key_created_at_install(self):
        key = self.env["ir.config_parameter"].sudo().get_param(ENCRYPTION_KEY_PARAM)
        self.assertTrue(key)
        token_col, _secret = self._raw_secret_columns(self.backend)
        self.assertEqual(
            Fernet(key.encode()).decrypt(token_col.encode()).decode(), ACCESS_TOKEN
        )

    def test_server_config_key_wins(self):
        server_key = Fernet.generate_key().decode()
        self.patch(
            config,
            "options",
            dict(config.options, **{ENCRYPTION_KEY_OPTION: server_key}),
        )
        backend = self.backend.copy(
            {"store_hash": "otherstore", "access_token": "t-other"}
        )
        token_col, _secret = self._raw_secret_columns(backend)
        self.assertEqual(
            Fernet(server_key.encode()).decrypt(token_col.encode()).decode(), "t-other"
        )

    def test_secret_under_another_key_is_unreadable_not_fatal(self):
        self.env["ir.config_parameter"].sudo().set_param(
            ENCRYPTION_KEY_PARAM, Fernet.generate_key().decode()
        )
        self.backend.invalidate_recordset()
        with mute_logger(
            "odoo.addons.bigcommerce_connector.models.bigcommerce_backend"
        ):
            self.assertFalse(self.backend.access_token)
            action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(self.backend.state, "error")
        self.assertIn("no usable access token", self.backend.state_message)

    def test_copy_drops_secrets(self):
        backend = self.backend.copy({"store_hash": "copied"})
        self.assertFalse(backend.access_token)
        self.assertFalse(backend.client_secret)
        self.assertNotEqual(backend.webhook_key, self.backend.webhook_key)

    def test_clearing_a_secret(self):
        self.backend.client_secret = False
        self.assertEqual(self._raw_secret_columns(self.backend)[1], None)
        self.assertFalse(self.backend.has_client_secret)
        self.assertTrue(self.backend.has_access_token)

    # -- security ----------------------------------------------------------
    def test_plain_user_sees_nothing(self):
        Backend = self.env["bigcommerce.backend"].with_user(self.plain_user)
        with self.assertRaises(AccessError):
            Backend.search([])
        with self.assertRaises(AccessError):
            self.backend.with_user(self.plain_user).read(["name"])

    def test_manager_configures_but_cannot_read_secrets(self):
        backend = self.backend.with_user(self.manager)
        self.assertEqual(backend.read(["store_hash"])[0]["store_hash"], STORE_HASH)
        backend.write({"name": "Renamed"})
        self.assertEqual(self.backend.name, "Renamed")
        self.assertTrue(backend.has_access_token)
        for fname in ("access_token", "client_secret", "access_token_encrypted"):
            with self.assertRaises(AccessError):
                backend.read([fname])
        self.assertNotIn("access_token", backend.fields_get())

    def test_manager_cannot_choose_where_the_token_goes(self):
        """The store hash and the API host decide where the access token is
        sent: a Connector Manager can read them, not set them."""
        backend = self.backend.with_user(self.manager)
        requests_before = len(self.simulator.requests)
        for values in (
            {"api_base_url": "https://api.bigcommerce.com"},
            {"store_hash": "attackerstore"},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                backend.write(values)
        with self.assertRaises(AccessError):
            self.env["bigcommerce.backend"].with_user(self.manager).create(
                {"name": "Mine", "store_hash": "attackerstore"}
            )
        with self.assertRaises(AccessError):
            backend.copy({"name": "Copy"})
        self.assertEqual(self.backend.store_hash, STORE_HASH)
        self.assertEqual(self.backend.api_base_url, self.simulator.base_url)
        # Values left as they are, as a form sends them, are fine.
        backend.write({"store_hash": STORE_HASH, "name": "Renamed"})
        self.assertEqual(len(self.simulator.requests), requests_before)

    def test_api_host_is_bigcommerce_unless_the_server_allows_another(self):
        self.backend.api_base_url = "https://api.bigcommerce.com/"
        for url in (
            "http://169.254.169.254",
            "http://127.0.0.1:5432",
            "https://api.bigcommerce.com.evil.example",
            "https://user:pass@api.bigcommerce.com",
            "https://api.bigcommerce.com/stores/x?",
            "ftp://api.bigcommerce.com",
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.backend.api_base_url = url
        # The server's configuration allows the simulator (tests/common.py).
        self.backend.api_base_url = self.simulator.base_url
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "connected")

    def test_host_no_longer_allowed_is_not_called(self):
        self.patch(config, "options", dict(config.options, **{API_HOSTS_OPTION: ""}))
        requests_before = len(self.simulator.requests)
        self.backend.action_test_connection()
        self.assertEqual(self.backend.state, "error")
        self.assertRegex(self.backend.state_message, "cannot be reached.*API host")
        self.assertEqual(len(self.simulator.requests), requests_before)

    def test_crafted_store_hash_is_refused(self):
        for store_hash in ("x/../../internal", "abc?x=1", "abc#", "a b", "é", ""):
            with (
                self.subTest(store_hash=store_hash),
                self.assertRaises(ValidationError),
            ):
                self.backend.store_hash = store_hash

    def test_error_messages_never_echo_the_remote_answer(self):
        # What the simulated store answers, as BigCommerce does.
        cases = (
            ({"access_token": "wrong"}, "Check your X-Auth-Token", "401"),
            ({"store_hash": "otherstore"}, "Store not found", "404"),
        )
        for values, remote_words, status in cases:
            with self.subTest(values=values):
                self.backend.write(
                    dict(
                        {"access_token": ACCESS_TOKEN, "store_hash": STORE_HASH},
                        **values,
                    )
                )
                action = self.backend.action_test_connection()
                for shown in (action["params"]["message"], self.backend.state_message):
                    self.assertNotIn(remote_words, shown)
                    self.assertIn(status, shown)

    def test_key_in_database_is_warned_about(self):
        self.patch(
            config, "options", dict(config.options, **{ENCRYPTION_KEY_OPTION: ""})
        )
        self.backend.invalidate_recordset(["encryption_key_in_database"])
        self.assertTrue(self.backend.encryption_key_in_database)
        arch = self.env["bigcommerce.backend"].get_view(view_type="form")["arch"]
        self.assertIn('name="encryption_key_warning"', arch)
        self.assertIn("[bigcommerce_connector]", arch)
        self.patch(
            config,
            "options",
            dict(
                config.options,
                **{ENCRYPTION_KEY_OPTION: Fernet.generate_key().decode()},
            ),
        )
        self.backend.invalidate_recordset(["encryption_key_in_database"])
        self.assertFalse(self.backend.encryption_key_in_database)

    def test_server_options_in_a_section_of_their_own(self):
        """The connector's options in the configuration file's
        ``[bigcommerce_connector]`` section, where Odoo does not warn about
        them; their earlier names in ``[options]`` still work, and the
        section wins."""
        key = Fernet.generate_key().decode()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "odoo.conf")
            with open(path, "w") as conf:
                conf.write(
                    "[options]\n"
                    "[bigcommerce_connector]\n"
                    "api_hosts = https://proxy.example.com, "
                    f"{self.simulator.base_url}\n"
                    f"encryption_key = {key}\n"
                )
            self.patch(
                config,
                "options",
                dict(
                    config.options,
                    config=path,
                    **{API_HOSTS_OPTION: "https://old.example.com"},
                ),
            )
            self.assertEqual(
                self.env["bigcommerce.backend"]._allowed_api_origins(),
                ["https://proxy.example.com", self.simulator.base_url],
            )
            self.assertEqual(server_option("encryption_key"), key)
            self.backend.invalidate_recordset(["encryption_key_in_database"])
            self.assertFalse(self.backend.encryption_key_in_database)
            # Without the section, the earlier names.
            with open(path, "w") as conf:
                conf.write("[options]\n")
            self.assertEqual(
                self.env["bigcommerce.backend"]._allowed_api_origins(),
                ["https://old.example.com"],
            )

    def test_multi_company_rule(self):
        other_company = self.env["res.company"].create({"name": "Other Co"})
        outsider = new_test_user(
            self.env,
            login="bc_outsider",
            groups="base.group_user,bigcommerce_connector.group_bigcommerce_manager",
            company_id=other_company.id,
            company_ids=[other_company.id],
        )
        visible = self.env["bigcommerce.backend"].with_user(outsider).search([])
        self.assertNotIn(self.backend, visible)

    def test_neutralize_blanks_secrets(self):
        queries = list(get_neutralization_queries(["bigcommerce_connector"]))
        self.assertEqual(len(queries), 1)
        self.env.flush_all()
        self.env.cr.execute(queries[0])
        self.backend.invalidate_recordset()
        self.assertEqual(self._raw_secret_columns(self.backend), (None, None))
        self.assertFalse(self.backend.has_access_token)

    def test_webhook_url(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "https://erp.example.com"
        )
        self.backend.invalidate_recordset(["webhook_url"])
        self.assertEqual(
            self.backend.webhook_url,
            f"https://erp.example.com{WEBHOOK_ROUTE}/{self.backend.webhook_key}",
        )
        self.assertGreaterEqual(len(self.backend.webhook_key), 32)

    # -- Test connection -----------------------------------------------------
    def test_connection_shows_store_information(self):
        with self.assertLogs(
            "odoo.addons.bigcommerce_connector", level=logging.DEBUG
        ) as logs:
            logging.getLogger("odoo.addons.bigcommerce_connector").debug("capture")
            action = self.backend.action_test_connection()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("Simulated Store", action["params"]["message"])
        self.assertIn("USD", action["params"]["message"])
        self.assertEqual(self.backend.store_name, "Simulated Store")
        self.assertEqual(self.backend.store_currency, "USD")
        self.assertTrue(self.backend.store_plan)
        self.assertEqual(self.backend.rate_limit_quota, QUOTA)
        self.assertTrue(self.backend.connection_checked_at)
        request = self.simulator.requests[-1]
        self.assertEqual(request["path"], f"/stores/{STORE_HASH}/v2/store")
        for line in logs.output:
            self.assertNotIn(ACCESS_TOKEN, line)

    # The store is read when its connection is saved, and again by Test
    # connection: a failure is the store's state, in plain words, not an
    # error dialog that would leave the state as it was.
    def test_connection_wrong_token(self):
        checked_at = self.backend.connection_checked_at
        self.backend.access_token = "wrong-token"
        self.assertEqual(self.backend.state, "error")
        self.assertRegex(
            self.backend.state_message, "401.*access token|access token.*401"
        )
        action = self.backend.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertEqual(action["params"]["message"], self.backend.state_message)
        self.assertEqual(self.backend.connection_checked_at, checked_at)

    def test_connection_wrong_store_hash(self):
        self.backend.store_hash = "nosuchstore"
        self.assertEqual(self.backend.state, "error")
        self.assertRegex(self.backend.state_message, "nosuchstore.*404")

    def test_connection_unreachable(self):
        nobody = "http://127.0.0.1:9"
        self.patch(
            config, "options", dict(config.options, **{API_HOSTS_OPTION: nobody})
        )
        self.backend.api_base_url = nobody
        self.assertEqual(self.backend.state, "error")
        self.assertIn("Could not reach BigCommerce", self.backend.state_message)

    def _company(self):
        """A company of its own: the store is connected once per company."""
        return self.env["res.company"].create({"name": "Second shop Co"}).id

    def test_store_is_read_when_saved_with_credentials(self):
        backend = self.env["bigcommerce.backend"].create(
            dict(self._backend_values(), name="Saved store", company_id=self._company())
        )
        self.assertEqual(backend.state, "connected")
        self.assertFalse(backend.state_message)
        self.assertEqual(backend.store_name, "Simulated Store")
        self.assertEqual(backend.store_currency, "USD")
        self.assertEqual(backend.rate_limit_quota, QUOTA)
        self.assertTrue(backend.store_plan)
        # The error is cleared once the credentials are right again.
        backend.access_token = "wrong"
        self.assertEqual(backend.state, "error")
        backend.access_token = ACCESS_TOKEN
        self.assertEqual(backend.state, "connected")
        self.assertFalse(backend.state_message)

    def test_store_without_token_stays_draft_and_is_not_called(self):
        requests_before = len(self.simulator.requests)
        values = dict(
            self._backend_values(), name="No token yet", company_id=self._company()
        )
        del values["access_token"]
        backend = self.env["bigcommerce.backend"].create(values)
        self.assertEqual(backend.state, "draft")
        self.assertFalse(backend.store_name)
        self.assertEqual(len(self.simulator.requests), requests_before)
        backend.access_token = ACCESS_TOKEN
        self.assertEqual(backend.state, "connected")

    def test_health_shows_on_form_and_list(self):
        for view_type in ("form", "list"):
            arch = self.env["bigcommerce.backend"].get_view(view_type=view_type)["arch"]
            self.assertIn('name="health_state"', arch)
        arch = self.env["bigcommerce.backend"].get_view(view_type="form")["arch"]
        for label in ("Healthy", "Delayed", "Failing", "Disconnected"):
            self.assertIn(f'title="{label}"', arch)
        # The health is a state, not a stage: no statusbar says it.
        self.assertNotIn("statusbar", arch)


class TestWebhookRegistration(BigCommerceCase):
    def setUp(self):
        super().setUp()
        self.start_without_webhooks()

    def hooks(self):
        return {
            hook["scope"]: hook
            for hook in self.simulator.state.hooks.values()
            if hook["destination"] == self.backend.webhook_url
        }

    def test_register_subscribes_the_handled_scopes_once(self):
        action = self.backend.action_register_webhooks()
        self.assertEqual(set(self.hooks()), set(HANDLED_SCOPES))
        self.assertTrue(all(hook["is_active"] for hook in self.hooks().values()))
        self.assertTrue(action["params"]["message"].startswith("created: "))
        # Again: nothing new, nothing duplicated.
        action = self.backend.action_register_webhooks()
        self.assertEqual(len(self.hooks()), len(HANDLED_SCOPES))
        self.assertTrue(action["params"]["message"].startswith("already active: "))

    def test_register_reactivates_a_deactivated_hook(self):
        self.backend.action_register_webhooks()
        hook = self.hooks()["store/order/created"]
        self.simulator.state.update_hook(hook["id"], is_active=False)
        action = self.backend.action_register_webhooks()
        self.assertTrue(self.hooks()["store/order/created"]["is_active"])
        self.assertIn("re-activated: store/order/created", action["params"]["message"])

    def test_register_needs_https(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "web.base.url", "http://localhost:8069"
        )
        self.backend.invalidate_recordset(["webhook_url"])
        with self.assertRaisesRegex(UserError, "HTTPS"):
            self.backend.action_register_webhooks()
        self.assertFalse(self.hooks())

    def test_register_with_wrong_token(self):
        self.backend.access_token = "wrong"
        with self.assertRaisesRegex(UserError, "Could not register the webhooks.*401"):
            self.backend.action_register_webhooks()
