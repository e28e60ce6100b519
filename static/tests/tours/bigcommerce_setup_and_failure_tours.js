/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Two screens an admin and an accountant meet first (tests/test_setup_checks.py
// sets them up): the store's set-up checks, whose Fix opens the place to fix
// them, and a failed order's banner, whose button opens its failure.
import {registry} from "@web/core/registry";

const STEP_TIMEOUT = 60000;
const withTimeout = (steps) => steps.map((step) => ({timeout: STEP_TIMEOUT, ...step}));

registry.category("web_tour.tours").add("bigcommerce_setup_checks_tour", {
    steps: () =>
        withTimeout([
            {trigger: ".o_form_view button[name=action_check_setup]", run: "click"},
            {trigger: ".o_notification:contains(set-up step)"},
            {trigger: ".o_form_view .alert-info:contains(left: see the Set-up tab)"},
            {trigger: ".o_notebook .nav-link:contains(Set-up)", run: "click"},
            {
                trigger: ".o_field_widget[name=setup_check_ids] .o_data_row:contains(book their tax without) button[name=action_fix]",
                run: "click",
            },
            // The taxes that need a tax account or grid, that one among them.
            {trigger: ".o_list_view .o_data_row:contains(Bare tour tax 7%)"},
            {trigger: ".o_breadcrumb:contains(Taxes)"},
        ]),
});

registry.category("web_tour.tours").add("bigcommerce_failed_order_tour", {
    steps: () =>
        withTimeout([
            {trigger: ".o_form_view .alert-danger:contains(The last import of this order failed)"},
            {trigger: ".o_form_view .alert-danger:contains(Unknown SKU 'TOUR-X')"},
            {trigger: ".o_form_view .alert-danger button[name=action_open_failure]", run: "click"},
            // The failure's own form, with its reason and its reprocess button.
            {trigger: ".o_form_view button[name=action_reprocess]"},
            {trigger: ".o_form_view:contains(Unknown SKU 'TOUR-X')"},
        ]),
});
