# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""The client actions the connector's buttons return, written once."""


def open_form(records, model=None, record_id=None, name=None):
    """The window action that opens one record in its form view.

    :param records: the record whose form opens (or whose link does).
        The record opened is checked for read access, with its company's
        rules.
    :param model: the model of the record to open, when it is not
        ``records``' own (a link: the invoice of an order).
    :param record_id: the id of the record to open in ``model``.
    :param name: the window's title; the record's by default.
    """
    if model is None:
        records.ensure_one()
        model, record_id = records._name, records.id
    if model:
        # The record itself (its company's rules), not only its model.
        target = records.env[model].browse(record_id)
        (target if record_id else records.env[model]).check_access("read")
    action = {
        "type": "ir.actions.act_window",
        "res_model": model,
        "res_id": record_id,
        "view_mode": "form",
    }
    if name:
        action["name"] = name
    return action


def notification(title, message, kind="info", next_action=None):
    """The notification a one-click action answers with, saying what it did
    (``kind``: ``info``, ``success``, ``warning`` or ``danger``); then
    ``next_action``, if given."""
    params = {"title": title, "message": message, "type": kind, "sticky": False}
    if next_action:
        params["next"] = next_action
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": params,
    }
