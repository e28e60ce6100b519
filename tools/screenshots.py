# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Screenshots of the demo in headless Chromium, for the README and the
Odoo Apps description; run by tools/screenshots.sh while the demo runs.

    python tools/screenshots.py --url http://127.0.0.1:8069 --db bigcommerce_demo \
        --out static/description

Logs in over JSON-RPC, hands the session to a headless Chromium (Debian's
``chromium``) through its DevTools protocol (``websocket-client``, a test
requirement), opens each screen at 1400 x 900 and saves it as PNG: the
overview, an order, an invoice with its payment, and the month-end
reconciliation; then the lists (orders, refunds, failures, webhook
deliveries) at 1366 x 768, a laptop's screen, on which their columns must
fit. Each screen is waited for by a selector, within a bound.
"""

# A script run from a terminal: it reports to that terminal on purpose.
# pylint: disable=print-used

import argparse
import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1400, 900
#: The lists are shot at a laptop's size: their key columns must fit it.
LIST_SIZE = (1366, 768)
#: How long a screen may take to show (seconds).
SCREEN_TIMEOUT = 60


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Odoo:
    """A JSON-RPC session of the demo's administrator."""

    def __init__(self, url, db, login, password):
        self.url = url
        self.http = requests.Session()
        answer = self.http.post(
            f"{url}/web/session/authenticate",
            json={"params": {"db": db, "login": login, "password": password}},
            timeout=30,
        ).json()
        if answer.get("error"):
            raise SystemExit(f"Could not log in: {answer['error']['message']}")

    def call(self, model, method, *args, **kwargs):
        answer = self.http.post(
            f"{self.url}/web/dataset/call_kw",
            json={
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                }
            },
            timeout=60,
        ).json()
        if answer.get("error"):
            raise SystemExit(f"{model}.{method}: {answer['error']['message']}")
        return answer["result"]

    def first_id(self, model, domain, order="id"):
        ids = self.call(model, "search", domain, limit=1, order=order)
        if not ids:
            raise SystemExit(f"No {model} matches {domain} in the demo.")
        return ids[0]


class Browser:
    """A headless Chromium page, driven over the DevTools protocol."""

    def __init__(self):
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit(
                "Chromium is not installed (Debian: apt install chromium)."
            )
        self.profile = tempfile.mkdtemp(prefix="bigcommerce-shots-")
        port = free_port()
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={WIDTH},{HEIGHT}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pages = self._until(
            lambda: [
                target
                for target in requests.get(
                    f"http://127.0.0.1:{port}/json", timeout=5
                ).json()
                if target.get("type") == "page"
            ],
            "Chromium's DevTools",
        )
        self.socket = websocket.create_connection(
            pages[0]["webSocketDebuggerUrl"], timeout=SCREEN_TIMEOUT
        )
        self.next_id = 0
        self.send("Page.enable")
        self.resize(WIDTH, HEIGHT)

    @staticmethod
    def _until(probe, what, timeout=SCREEN_TIMEOUT):
        """``probe()``'s first true answer, polled within ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                found = probe()
            except (requests.RequestException, OSError):
                found = None
            if found:
                return found
            time.sleep(0.25)
        raise SystemExit(f"{what} did not come within {timeout} s.")

    def send(self, method, **params):
        """Send one DevTools command and return its result."""
        self.next_id += 1
        self.socket.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise SystemExit(f"{method}: {message['error']}")
                return message.get("result", {})

    def resize(self, width, height):
        """Show the page as a window of ``width`` x ``height``."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        return result.get("result", {}).get("value")

    def set_session(self, url, http):
        for cookie in http.cookies:
            self.send(
                "Network.setCookie", name=cookie.name, value=cookie.value, url=url
            )

    def shoot(self, url, selector, path, size=(WIDTH, HEIGHT)):
        """Open ``url`` in a window of ``size``, wait for ``selector`` and
        Odoo to be idle, save a PNG."""
        self.resize(*size)
        self.send("Page.navigate", url=url)
        ready = (
            f"!!document.querySelector({json.dumps(selector)})"
            " && !document.querySelector('.o_loading_indicator, .o-loading')"
            " && document.readyState === 'complete'"
        )
        self._until(lambda: self.evaluate(ready), f"{url} ({selector})")
        # Let the last rendering settle (graphs, ribbons): two frames.
        self.evaluate(
            "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        shot = self.send("Page.captureScreenshot", format="png")
        Path(path).write_bytes(base64.b64decode(shot["data"]))
        print(f"  {path}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="bigcommerce_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="static/description")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    odoo = Odoo(args.url, args.db, args.login, args.password)
    order_id = odoo.first_id(
        "bigcommerce.order",
        [
            ("move_id.payment_state", "in", ["paid", "in_payment"]),
            ("refund_ids", "!=", False),
        ],
    )
    invoice_id = odoo.call("bigcommerce.order", "read", [order_id], ["move_id"])[0][
        "move_id"
    ][0]
    reconciliation_id = odoo.first_id(
        "bigcommerce.reconciliation", [("state", "=", "done")], order="id desc"
    )
    action = f"{args.url}/odoo/action-bigcommerce_connector"
    screens = [
        (
            f"{action}.bigcommerce_backend_overview_action",
            ".o_kanban_record",
            "screenshot_overview.png",
        ),
        (
            f"{action}.bigcommerce_order_action/{order_id}",
            ".o_form_view .o_field_widget",
            "screenshot_order.png",
        ),
        (
            f"{args.url}/odoo/action-account.action_move_out_invoice_type/{invoice_id}",
            ".o_form_view .o_field_widget",
            "screenshot_invoice.png",
        ),
        (
            f"{action}.bigcommerce_reconciliation_action/{reconciliation_id}",
            ".o_form_view .o_field_widget",
            "screenshot_reconciliation.png",
        ),
    ]
    # The lists, at a laptop's size.
    for name, xmlid in (
        ("orders", "bigcommerce_order_action"),
        ("refunds", "bigcommerce_refund_action"),
        ("failures", "bigcommerce_failure_action"),
        ("webhook_log", "bigcommerce_webhook_log_action"),
    ):
        screens.append(
            (
                f"{action}.{xmlid}",
                ".o_list_view .o_data_row",
                f"screenshot_list_{name}_{LIST_SIZE[0]}.png",
                LIST_SIZE,
            )
        )
    browser = Browser()
    try:
        browser.set_session(args.url, odoo.http)
        print("Screenshots:")
        for url, selector, name, *size in screens:
            browser.shoot(url, selector, out / name, *size)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
