# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from .models.bigcommerce_backend_secrets import ENCRYPTION_KEY_PARAM

# Module of the external IDs that bind Odoo records to BigCommerce objects.
XMLID_MODULE = "__bigcommerce__"


def post_init_hook(env):
    """Create the key that encrypts API secrets, unless the server has one."""
    env["bigcommerce.backend"]._get_fernet()


def uninstall_hook(env):
    """Remove what install and imports created outside the module's data.

    The encryption key (the secrets it protected are dropped with the
    module's tables) and the external IDs that bound invoices and partners to
    BigCommerce objects. The invoices and partners themselves stay: they are
    the company's accounting.
    """
    env["ir.config_parameter"].sudo().search(
        [("key", "=", ENCRYPTION_KEY_PARAM)]
    ).unlink()
    env["ir.model.data"].sudo().search([("module", "=", XMLID_MODULE)]).unlink()
