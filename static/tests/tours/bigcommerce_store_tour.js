/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// What an administrator does first: create a store, see it connect, register
// its webhooks and see them listed, import orders and watch them go, then fix
// the one that failed, reprocess it, and follow the order to its invoice and
// back.
import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";

// The job runner of the test (tests/test_tour.py) runs queued jobs only while
// this parameter says "run": the tour holds it to see work queued before it
// is done, and releases it to see the work done, at any speed of the machine.
function jobRunner(gate) {
    return {
        trigger: "body",
        run: () =>
            rpc("/web/dataset/call_kw/ir.config_parameter/set_param", {
                model: "ir.config_parameter",
                method: "set_param",
                args: ["bigcommerce_connector.test_job_runner", gate],
                kwargs: {},
            }),
    };
}

// Tour steps wait 10 s by default: a loaded machine may take longer to run
// a job or load a page. Each step waits up to the 60 s tours allow.
const STEP_TIMEOUT = 60000;

registry.category("web_tour.tours").add("bigcommerce_store_tour", {
    steps: () => storeTourSteps().map((step) => ({timeout: STEP_TIMEOUT, ...step})),
});

function storeTourSteps() {
    return [
        {trigger: ".o_list_button_add", run: "click"},
        {trigger: ".o_field_widget[name=name] input", run: "edit Tour store"},
        {trigger: ".o_field_widget[name=store_hash] input", run: "edit teststore1"},
        {trigger: ".o_field_widget[name=access_token] input", run: "edit tok-5f2b9c0e7a"},
        {trigger: ".o_field_widget[name=client_secret] input", run: "edit sec-8d1e4a6b3c"},
        {trigger: ".o_form_button_save", run: "click"},
        // Saved with its credentials: the store was read.
        {trigger: ".ribbon:contains(Healthy)"},
        {trigger: ".o_field_widget[name=store_name]:contains(Simulated Store)"},
        {trigger: "button[name=action_test_connection]", run: "click"},
        {trigger: ".o_notification:contains(Connection successful)"},
        {trigger: "button[name=action_register_webhooks]", run: "click"},
        {trigger: ".o_notification:contains(Webhooks registered)"},
        {trigger: "a.nav-link:contains(Webhooks)", run: "click"},
        {
            trigger:
                ".o_field_widget[name=webhook_subscription_ids] td:contains(store/order/created)",
        },
        // Import three orders by number, and watch the import go.
        {trigger: "button[name=action_open_import_wizard]", run: "click"},
        {
            trigger: ".modal .o_field_widget[name=order_numbers] textarea",
            run: "edit 100, 101, 102",
        },
        {trigger: ".modal button[name=action_import]", run: "click"},
        {trigger: ".o_field_widget[name=last_import_state]:contains(Running)"},
        {trigger: ".o_field_widget[name=last_import_queued]:contains(3)"},
        // The job runner takes them; the form follows on its own.
        jobRunner("run"),
        {trigger: ".o_field_widget[name=last_import_state]:contains(Finished)"},
        {trigger: ".o_field_widget[name=last_import_skipped]:contains(2)"},
        {trigger: ".o_field_widget[name=last_import_failed]:contains(1)"},
        {
            trigger:
                ".o_field_widget[name=last_import_skipped_summary]:contains(1 Cancelled, 1 Declined)",
        },
        // The failure says what to do.
        {trigger: "button[name=action_view_failures]:contains(1)", run: "click"},
        {trigger: ".o_data_row td:contains(Order #102)", run: "click"},
        {trigger: ".o_field_widget[name=reason]:contains(Unknown SKU 'TOUR-2')"},
        // So the admin creates the product...
        {
            trigger: "body",
            run: "goToUrl /odoo/action-account.product_product_action_sellable/new",
            expectUnloadPage: true,
        },
        {
            trigger: ".o_field_widget[name=name] :is(input, textarea)",
            run: "edit Tour cap",
        },
        {trigger: ".o_field_widget[name=default_code] input", run: "edit TOUR-2"},
        {trigger: ".o_form_button_save", run: "click"},
        {trigger: ".o_form_saved"},
        // ... goes back to the failure and reprocesses it.
        {
            trigger: "body",
            run: "goToUrl /odoo/action-bigcommerce_connector.bigcommerce_failure_action",
            expectUnloadPage: true,
        },
        {trigger: ".o_data_row td:contains(Order #102)", run: "click"},
        jobRunner("hold"),
        {trigger: ".o_form_view button[name=action_reprocess]", run: "click"},
        {trigger: ".o_notification:contains(queued again)"},
        {trigger: ".o_statusbar_status button[aria-checked=true]:contains(Reprocessing)"},
        jobRunner("run"),
        // Resolved once the job ran: the form follows on its own, and leads
        // to the order.
        {trigger: ".o_statusbar_status button[aria-checked=true]:contains(Resolved)"},
        {trigger: "button[name=action_open_record]:contains(102)", run: "click"},
        // From the order to its invoice, and back.
        {trigger: ".o_form_view .o_field_widget[name=bigcommerce_id]:contains(102)"},
        {trigger: "button[name=action_open_invoice]", run: "click"},
        {trigger: ".o_field_widget[name=state] button[aria-checked=true]:contains(Posted)"},
        {trigger: ".o_field_widget[name=invoice_line_ids] td:contains(Tour cap)"},
        {trigger: "button[name=action_open_bigcommerce_order]", run: "click"},
        {trigger: ".o_form_view .o_field_widget[name=bigcommerce_id]:contains(102)"},
        {trigger: ".o_breadcrumb .active:contains(#102)"},
        // No job starts as the tour ends; the test runs what is left.
        jobRunner("hold"),
    ];
}
