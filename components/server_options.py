# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The connector's server options, in a section of their own of the server's
configuration file, as queue_job reads ``[queue_job]``::

    [bigcommerce_connector]
    api_hosts = http://127.0.0.1:8765, https://bc-proxy.example.com
    encryption_key = <a Fernet key>

Odoo warns at every start about an option of ``[options]`` it does not know;
it knows nothing of a section of its own. The names of earlier versions in
``[options]`` (``bigcommerce_api_hosts``, ``bigcommerce_encryption_key``)
keep working; the section wins when both are set.
"""

import os
from configparser import ConfigParser

from odoo.tools import config

SECTION = "bigcommerce_connector"
#: Option name in the section -> its name in ``[options]`` (earlier versions).
LEGACY_NAMES = {
    "api_hosts": "bigcommerce_api_hosts",
    "encryption_key": "bigcommerce_encryption_key",
}

_cache = {}


def _section(path):
    """The ``[bigcommerce_connector]`` section of the file at ``path``, read
    again only when the file changes (its time, size or inode)."""
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        return {}
    cached = _cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    parser = ConfigParser(interpolation=None)
    parser.read([path])
    values = dict(parser[SECTION]) if parser.has_section(SECTION) else {}
    _cache[path] = (stamp, values)
    return values


def server_option(name):
    """The value of the connector's server option ``name`` (``api_hosts``
    or ``encryption_key``): from the configuration file's
    ``[bigcommerce_connector]`` section, else from its earlier name in
    ``[options]`` (or on the command line), else ``None``."""
    path = config.get("config")
    value = _section(path).get(name) if path else None
    if value:
        return value.strip()
    return config.get(LEGACY_NAMES[name]) or None
