# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "BigCommerce Connector",
    "summary": "BigCommerce orders as posted invoices, refunds as credit notes, "
    "customers as partners, shipments on orders",
    "version": "19.0.2.5.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/bigcommerce-odoo/bigcommerce_connector",
    "author": "BigCommerce Connector contributors",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["account", "queue_job"],
    "external_dependencies": {
        "python": ["requests", "standardwebhooks", "cryptography"],
    },
    "data": [
        "security/bigcommerce_security.xml",
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "views/bigcommerce_backend_views.xml",
        "views/bigcommerce_setup_views.xml",
        "views/bigcommerce_order_views.xml",
        "views/bigcommerce_failure_views.xml",
        "views/bigcommerce_menus.xml",
        "views/bigcommerce_refund_views.xml",
        "views/account_move_views.xml",
        "views/bigcommerce_webhook_log_views.xml",
        "views/bigcommerce_import_run_views.xml",
        "wizards/bigcommerce_import_wizard_views.xml",
        "views/bigcommerce_customer_views.xml",
        "views/bigcommerce_shipment_views.xml",
        # Month-end reconciliation.
        "security/bigcommerce_reconciliation_security.xml",
        "data/bigcommerce_reconciliation_data.xml",
        "views/bigcommerce_reconciliation_views.xml",
        "views/bigcommerce_reconciliation_report.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "bigcommerce_connector/static/src/js/import_autorefresh.js",
            "bigcommerce_connector/static/src/xml/import_autorefresh.xml",
        ],
        "web.assets_tests": [
            "bigcommerce_connector/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
