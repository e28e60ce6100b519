# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""How many queries reading records costs, as a list or a form reads them:
for the tests that prove a page of rows costs the same, however many rows
(no query per row)."""

from lxml import etree


def list_specification(model):
    """What the web client asks of ``model``'s records to show its default
    list: each column of the list, a Many2one's name with it."""
    arch = etree.fromstring(model.get_view(view_type="list")["arch"])
    return {
        node.get("name"): (
            {"fields": {"display_name": {}}}
            if model._fields[node.get("name")].type == "many2one"
            else {}
        )
        for node in arch.findall("field")
    }


def read_queries(records, specification):
    """The queries the web client's read of ``records`` (``web_read`` of
    ``specification``) costs with nothing cached."""
    records.env.flush_all()
    records.env.invalidate_all()
    before = records.env.cr.sql_log_count
    records.web_read(specification)
    return records.env.cr.sql_log_count - before
