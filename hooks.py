# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).


def post_init_hook(env):
    """Create the key that encrypts API secrets, unless the server has one."""
    env["bigcommerce.backend"]._get_fernet()
