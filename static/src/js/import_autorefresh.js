/** @odoo-module **/
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
// Reloads a form every few seconds while its record is busy: the store while
// its last import runs, so that its counts (queued, done, failed, skipped)
// move on their own; a failure while it is reprocessed. Options: the field
// to watch and its busy value (by default, the store's last import).
import {Component, onMounted, onWillUnmount} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {standardWidgetProps} from "@web/views/widgets/standard_widget_props";

export const REFRESH_MS = 2000;

export class ImportAutoRefresh extends Component {
    static template = "bigcommerce_connector.ImportAutoRefresh";
    static props = {
        ...standardWidgetProps,
        field: {type: String, optional: true},
        value: {type: String, optional: true},
    };

    static defaultProps = {field: "last_import_state", value: "running"};

    setup() {
        onMounted(() => {
            this.timer = setInterval(() => this.refresh(), REFRESH_MS);
        });
        onWillUnmount(() => clearInterval(this.timer));
    }

    async refresh() {
        const record = this.props.record;
        if (record.data[this.props.field] === this.props.value && !record.dirty) {
            await record.load();
        }
    }
}

registry.category("view_widgets").add("bigcommerce_import_autorefresh", {
    component: ImportAutoRefresh,
    extractProps: ({options}) => {
        const props = {};
        if (options.field) {
            props.field = options.field;
            props.value = options.value;
        }
        return props;
    },
});
