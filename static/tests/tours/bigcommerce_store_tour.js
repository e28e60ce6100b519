/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// What an administrator does first: create a store, see it connect, register
// its webhooks and see them listed, import an order and see how it went.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("bigcommerce_store_tour", {
    steps: () => [
        {trigger: ".o_list_button_add", run: "click"},
        {trigger: ".o_field_widget[name=name] input", run: "edit Tour store"},
        {trigger: ".o_field_widget[name=store_hash] input", run: "edit teststore1"},
        {trigger: ".o_field_widget[name=access_token] input", run: "edit tok-5f2b9c0e7a"},
        {trigger: ".o_field_widget[name=client_secret] input", run: "edit sec-8d1e4a6b3c"},
        {trigger: ".o_form_button_save", run: "click"},
        // Saved with its credentials: the store was read.
        {trigger: ".ribbon:contains(Connected)"},
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
        {trigger: "button[name=action_open_import_wizard]", run: "click"},
        {trigger: ".modal .o_field_widget[name=order_numbers] textarea", run: "edit 100, 101"},
        {trigger: ".modal button[name=action_import]", run: "click"},
        // The imports ran (the test runs jobs at once): their outcome shows,
        // with why the orders were not invoiced.
        {trigger: ".o_field_widget[name=last_import_skipped]:contains(2)"},
        {
            trigger:
                ".o_field_widget[name=last_import_skipped_summary]:contains(1 Cancelled, 1 Declined)",
        },
    ],
});
