# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""A reconciliation as an XLSX workbook: its figures and its differences,
one sheet each, amounts as numbers in their currency's format."""

import io

import xlsxwriter


def _selection_labels(record, field_name):
    field = record._fields[field_name]
    return dict(field._description_selection(record.env))


def reconciliation_xlsx(reconciliation):
    """The workbook's bytes."""
    reconciliation.ensure_one()
    env = reconciliation.env
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    amount = workbook.add_format({"num_format": "#,##0.00"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    summary = workbook.add_worksheet(env._("Summary"))
    summary.set_column(0, 0, 28)
    summary.set_column(1, 2, 22)
    rows = [
        (env._("Reconciliation"), reconciliation.name),
        (env._("Summary"), reconciliation.summary or ""),
        (env._("From"), str(reconciliation.date_from)),
        (env._("To"), str(reconciliation.date_to)),
        (env._("Computed on"), str(reconciliation.computed_at or "")),
        (env._("Orders listed"), reconciliation.order_count),
        (env._("API calls"), reconciliation.api_calls),
        (env._("Differences"), len(reconciliation.line_ids)),
    ]
    for index, (label, value) in enumerate(rows):
        summary.write(index, 0, label, bold)
        summary.write(index, 1, value)

    figures = workbook.add_worksheet(env._("Figures"))
    headers = [
        env._("Section"),
        env._("Figure"),
        env._("Currency"),
        env._("Store count"),
        env._("Ledger count"),
        env._("Store"),
        env._("Ledger"),
        env._("Difference"),
        env._("Clearing journal"),
        env._("Clearing account"),
    ]
    figures.write_row(0, 0, headers, bold)
    figures.set_column(0, 1, 24)
    figures.set_column(5, 7, 16)
    figures.set_column(8, 9, 28)
    sections = _selection_labels(reconciliation.figure_ids, "section")
    for row, figure in enumerate(reconciliation.figure_ids, start=1):
        figures.write(row, 0, sections.get(figure.section, figure.section))
        figures.write(row, 1, figure.label)
        figures.write(row, 2, figure.currency_id.name or "")
        figures.write_number(row, 3, figure.store_count)
        figures.write_number(row, 4, figure.ledger_count)
        figures.write_number(row, 5, figure.store_amount, amount)
        figures.write_number(row, 6, figure.ledger_amount, amount)
        figures.write_number(row, 7, figure.difference, amount)
        figures.write(row, 8, figure.journal_id.name or "")
        figures.write(row, 9, figure.account_id.display_name or "")

    lines = workbook.add_worksheet(env._("Differences"))
    headers = [
        env._("Difference"),
        env._("BigCommerce ID"),
        env._("Entry"),
        env._("Cause"),
        env._("Currency"),
        env._("Store"),
        env._("Ledger"),
        env._("Fix"),
    ]
    lines.write_row(0, 0, headers, bold)
    lines.set_column(0, 0, 28)
    lines.set_column(2, 2, 20)
    lines.set_column(3, 3, 80)
    lines.set_column(5, 6, 16)
    lines.set_column(7, 7, 24)
    kinds = _selection_labels(reconciliation.line_ids, "kind")
    fixes = _selection_labels(reconciliation.line_ids, "fix")
    for row, line in enumerate(reconciliation.line_ids, start=1):
        lines.write(row, 0, kinds.get(line.kind, line.kind))
        lines.write_number(row, 1, line.bigcommerce_id)
        lines.write(row, 2, line.move_id.name or "")
        lines.write(row, 3, line.cause, wrap)
        lines.write(row, 4, line.currency_id.name or "")
        lines.write_number(row, 5, line.store_amount, amount)
        lines.write_number(row, 6, line.ledger_amount, amount)
        lines.write(row, 7, fixes.get(line.fix, line.fix))
    workbook.close()
    return output.getvalue()
