/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// The overview: a store's card says its health, and its figures open their
// lists (tests/test_overview.py sets up one order of today and one failure).
import {registry} from "@web/core/registry";

const STEP_TIMEOUT = 60000;

registry.category("web_tour.tours").add("bigcommerce_overview_tour", {
    steps: () => overviewSteps().map((step) => ({timeout: STEP_TIMEOUT, ...step})),
});

function overviewSteps() {
    const card = ".o_kanban_record:contains(Overview store)";
    const backToOverview = {
        trigger: ".o_breadcrumb a:contains(BigCommerce Overview)",
        run: "click",
    };
    return [
        {trigger: `${card} .badge:contains(Failing)`},
        {trigger: `${card}:contains(wait for a fix)`},
        // The graph has a bar for each of the last two weeks, today's of one order.
        {trigger: `${card} [name=orders_graph] div[title$=": 1"]`},
        // Today's orders open their list.
        {trigger: `${card} a[name=action_view_orders_today]:contains(1)`, run: "click"},
        {trigger: ".o_list_view .o_data_row td:contains(#)"},
        backToOverview,
        // The invoiced amount opens the invoices.
        {trigger: `${card} a[name=action_view_invoiced_today]`, run: "click"},
        {trigger: ".o_list_view .o_data_row td:contains(INV/)"},
        backToOverview,
        // The failures waiting open theirs.
        {trigger: `${card} a[name=action_view_waiting_failures]:contains(1)`, run: "click"},
        {trigger: ".o_list_view .o_data_row td:contains(Order #4242)"},
        backToOverview,
        // The store's form says the same state in the same words.
        {trigger: `${card} a[name=action_open_store]`, run: "click"},
        {trigger: ".o_form_view .ribbon:contains(Failing)"},
        {trigger: ".o_form_view .o_form_statusbar .badge:contains(Failing)"},
        {trigger: ".o_form_view .alert-danger:contains(wait for a fix)"},
    ];
}
