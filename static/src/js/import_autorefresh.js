/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Reloads the store form every few seconds while its last import runs, so
// that its counts (queued, done, failed, skipped) move on their own.
import {Component, onMounted, onWillUnmount} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

export const REFRESH_MS = 2000;

export class ImportAutoRefresh extends Component {
    static template = "bigcommerce_connector.ImportAutoRefresh";
    static props = {...standardWidgetProps};

    setup() {
        onMounted(() => {
            this.timer = setInterval(() => this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    async refresh() {
        const record = this.props.record;
        if (record.data.last_import_state === "running" && !record.dirty) {
            await record.load();
        }
    }
}

registry.category("view_widgets").add("bigcommerce_import_autorefresh", {
    component: ImportAutoRefresh,
});
