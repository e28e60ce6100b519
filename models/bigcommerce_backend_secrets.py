# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The store's secrets: its access token and client secret, encrypted at rest.

The clear fields are computed from their ciphertext columns and written
through their inverse; only administrators read them. The key is the
server's (``encryption_key`` of the configuration file's
[bigcommerce_connector] section), else one generated into the database.

The webhook route finds a store, and the secret its deliveries are signed
with, by the store's webhook key, in a cache of each worker
(:meth:`BigCommerceBackend._webhook_stores`): a delivery costs no query to
find its store. The cache is cleared when a store's key, secret, archiving,
hash, company or name change.
"""

import logging
from collections import namedtuple

from cryptography.fernet import Fernet, InvalidToken

from odoo import api, fields, models, tools

from ..components.server_options import LEGACY_NAMES, server_option

_logger = logging.getLogger(__name__)

# Server option (components/server_options.py: ``encryption_key`` of the
# configuration file's [bigcommerce_connector] section, or its earlier name
# in [options]) holding the Fernet key; when it is not set, a key is
# generated at install into this system parameter.
ENCRYPTION_KEY_OPTION = LEGACY_NAMES["encryption_key"]
ENCRYPTION_KEY_PARAM = "bigcommerce_connector.encryption_key"
# Fields kept encrypted at rest: clear field -> stored ciphertext column.
SECRET_FIELDS = {
    "access_token": "access_token_encrypted",
    "client_secret": "client_secret_encrypted",
}
# What the webhook route knows of an active store, cached per worker.
WebhookStore = namedtuple("WebhookStore", "id name company_id store_hash client_secret")
# The fields whose change clears that cache.
WEBHOOK_STORE_FIELDS = frozenset(
    {
        "webhook_key",
        "active",
        "client_secret",
        "client_secret_encrypted",
        "store_hash",
        "company_id",
        "name",
    }
)


class BigCommerceBackend(models.Model):
    _inherit = "bigcommerce.backend"

    # === FIELDS === #
    access_token = fields.Char(
        compute="_compute_secrets",
        inverse="_inverse_access_token",
        groups="base.group_system",
        help="Access token of the store-level API account. Needs read access "
        "to orders, transactions, customers and store information. Stored "
        "encrypted.",
    )
    client_secret = fields.Char(
        compute="_compute_secrets",
        inverse="_inverse_client_secret",
        groups="base.group_system",
        help="Client secret of the same API account. BigCommerce signs its "
        "webhooks with it; without it every webhook is refused. Stored "
        "encrypted.",
    )
    access_token_encrypted = fields.Char(
        groups="base.group_system", copy=False, readonly=True
    )
    client_secret_encrypted = fields.Char(
        groups="base.group_system", copy=False, readonly=True
    )
    has_access_token = fields.Boolean(compute="_compute_has_secrets")
    has_client_secret = fields.Boolean(compute="_compute_has_secrets")
    encryption_key_in_database = fields.Boolean(
        compute="_compute_encryption_key_in_database",
        help="No encryption key in the server's configuration: the key of the "
        "secrets is stored in the same database as the secrets.",
    )

    # === COMPUTE METHODS === #
    def _compute_encryption_key_in_database(self):
        """Whether the secrets' key is in the database, not the server's."""
        in_database = not server_option("encryption_key")
        for backend in self:
            backend.encryption_key_in_database = in_database

    @api.depends(*SECRET_FIELDS.values())
    def _compute_secrets(self):
        """The clear access token and client secret, decrypted."""
        for backend in self:
            for clear, stored in SECRET_FIELDS.items():
                backend[clear] = backend._decrypt(backend.sudo()[stored])

    def _inverse_access_token(self):
        """Keep the access token encrypted."""
        self._store_secret("access_token")

    def _inverse_client_secret(self):
        """Keep the client secret encrypted."""
        self._store_secret("client_secret")

    @api.depends(*SECRET_FIELDS.values())
    def _compute_has_secrets(self):
        """Whether the store has its secrets, without decrypting them."""
        for backend in self:
            stored = backend.sudo()
            backend.has_access_token = bool(stored.access_token_encrypted)
            backend.has_client_secret = bool(stored.client_secret_encrypted)

    # === CRUD METHODS === #
    @api.model_create_multi
    def create(self, vals_list):
        """Create stores; the webhook route's cache of stores is cleared."""
        backends = super().create(vals_list)
        self._clear_webhook_stores()
        return backends

    def write(self, vals):
        """Write stores; the webhook route's cache of stores is cleared when
        what it holds changes."""
        result = super().write(vals)
        if WEBHOOK_STORE_FIELDS.intersection(vals):
            self._clear_webhook_stores()
        return result

    def unlink(self):
        """Delete stores; the webhook route's cache of stores is cleared."""
        result = super().unlink()
        self._clear_webhook_stores()
        return result

    # === BUSINESS METHODS === #
    @api.model
    @tools.ormcache()
    def _webhook_stores(self):
        """The active stores by webhook key, as the webhook route needs
        them: ``{webhook key: WebhookStore(id, name, company_id, store_hash,
        client_secret)}``, the secret decrypted (``False`` when the store
        has none). Do not change what it returns.

        Cached in each worker, one entry for all the stores (a flood of
        deliveries to keys no store has fills no cache): a delivery costs
        no query to find its store and its secret.
        """
        backends = (
            self.sudo().with_context(active_test=False).search([("active", "=", True)])
        )
        return {
            backend.webhook_key: WebhookStore(
                backend.id,
                backend.name,
                backend.company_id.id,
                backend.store_hash,
                backend.client_secret,
            )
            for backend in backends
        }

    @api.model
    def _clear_webhook_stores(self):
        """Clear the webhook route's cache of stores, in this worker now and
        in the others at their next request (Odoo's cache signaling), and
        again once the transaction is committed, so that a delivery read
        between the change and its commit leaves nothing stale in the
        cache."""
        registry = self.env.registry
        registry.clear_cache()
        self.env.cr.postcommit.add(registry.clear_cache)

    @api.model
    def _get_fernet(self):
        """The cipher of the secrets: the server's key, else the database's."""
        key = server_option("encryption_key") or self._get_or_create_key_param()
        return Fernet(key.encode() if isinstance(key, str) else key)

    @api.model
    def _get_or_create_key_param(self):
        """The key stored in the database, generated the first time."""
        params = self.env["ir.config_parameter"].sudo()
        key = params.get_param(ENCRYPTION_KEY_PARAM)
        if not key:
            key = Fernet.generate_key().decode()
            params.set_param(ENCRYPTION_KEY_PARAM, key)
        return key

    @api.model
    def _encrypt(self, value):
        """The ciphertext of ``value`` (``False`` for an empty one)."""
        if not value:
            return False
        return self._get_fernet().encrypt(value.encode()).decode()

    @api.model
    def _decrypt(self, token):
        """The clear text of ``token``; ``False`` if empty or of another key."""
        if not token:
            return False
        try:
            return self._get_fernet().decrypt(token.encode()).decode()
        except InvalidToken:
            # Encrypted with another key (a database copy, a changed server
            # key): the secret is unusable and must be entered again.
            _logger.warning(
                "A BigCommerce secret cannot be decrypted with the current key."
            )
            return False

    def _store_secret(self, clear):
        """Encrypt the clear field ``clear`` of each store into its column."""
        for backend in self:
            value = (backend[clear] or "").strip()
            backend.sudo()[SECRET_FIELDS[clear]] = backend._encrypt(value)
