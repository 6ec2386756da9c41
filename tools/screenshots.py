"""Take the README's screenshots from a running demo of `make run` in headless
Chromium, driven through the Chrome DevTools protocol; fail on any error.

    python tools/screenshots.py URL DATABASE OUTPUT_DIR

A page fails when the server answers it with an HTTP error, when it shows an
error dialog or a traceback, when its JavaScript throws, or when an element
it must show does not appear.
"""

import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1280, 800
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--disable-features=BackForwardCache",
    "--force-device-scale-factor=1",
    "--remote-allow-origins=*",
    "--remote-debugging-port=0",
    f"--window-size={WIDTH},{HEIGHT}",
]


class PageError(Exception):
    pass


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="ccs-docs-chromium-")
        binary = shutil.which("chromium") or shutil.which("google-chrome")
        if not binary:
            raise SystemExit("docs: Chromium is missing: run 'make setup'.")
        self.process = subprocess.Popen(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile, "DevToolsActivePort")
        for _attempt in range(100):
            if port_file.exists() and port_file.read_text().count("\n"):
                break
            time.sleep(0.1)
        else:
            raise SystemExit("docs: Chromium did not open its debugging port.")
        port = port_file.read_text().split("\n")[0]
        pages = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(target for target in pages if target["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")
        # no live bus: a page of the screenshots has nothing to be told, and a
        # bus reconnecting between pages warns that the page is out of date
        self.send("Network.setBlockedURLs", urls=["*/websocket*"])
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    def close(self):
        self.ws.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise PageError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def login(self, base_url, database, login):
        response = requests.post(
            f"{base_url}/web/session/authenticate",
            json={"params": {"db": database, "login": login, "password": login}},
            timeout=60,
        )
        if not response.json().get("result", {}).get("uid"):
            raise PageError(f"{login} cannot log in: {response.text[:300]}")
        self.send("Network.clearBrowserCookies")
        self.send(
            "Network.setCookie",
            name="session_id",
            value=response.cookies["session_id"],
            url=base_url,
        )
        return response.cookies["session_id"]

    def open(self, url, selector, texts=(), click=None):
        """Load the page and wait until it shows ``selector`` and ``texts``;
        with ``click``, wait for that element, click it, then wait."""
        self.events.clear()
        self.url = url
        self.send("Page.navigate", url=url)
        if click:
            self.wait(click)
            self.evaluate(f"document.querySelector({json.dumps(click)}).click()")
        self.wait(selector, texts)

    def wait(self, selector, texts=(), timeout=60):
        url = self.url
        deadline = time.time() + timeout
        check = f"""(() => {{
            const body = document.body ? document.body.innerText : "";
            const error = ": " + body.slice(0, 500);
            if (document.querySelector(".o_error_dialog")) return "dialog" + error;
            if (body.includes("Traceback")) return "traceback" + error;
            if (document.readyState !== "complete") return null;
            if (!document.querySelector({json.dumps(selector)})) return null;
            if (document.querySelector(".o_loading_indicator, .o_blockUI")) return null;
            // what the page shows: its text and the values of its inputs
            const inputs = [...document.querySelectorAll("input, textarea")];
            const shown = [body, ...inputs.map((input) => input.value)].join("\\n");
            const texts = {json.dumps(list(texts))};
            return texts.every((text) => shown.includes(text)) ? "ok" : null;
        }})()"""
        while time.time() < deadline:
            self._raise_page_errors(url)
            state = self.evaluate(check)
            if state == "ok":
                # let the last renderings and fonts settle
                time.sleep(1.5)
                self._raise_page_errors(url)
                if self.evaluate(check) == "ok":
                    return
            elif state:
                raise PageError(f"{url}: {state}")
            time.sleep(0.3)
        raise PageError(f"{url}: no {selector} {' '.join(texts)} after {timeout} s")

    def _raise_page_errors(self, url):
        # drain what arrived without being asked for
        self.ws.settimeout(0.05)
        try:
            while True:
                self.events.append(json.loads(self.ws.recv()))
        except websocket.WebSocketTimeoutException:
            pass
        finally:
            self.ws.settimeout(30)
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = (
                    details.get("exception", {}).get("description") or details["text"]
                )
                raise PageError(f"{url}: JavaScript error: {text}")
            if event.get("method") == "Network.responseReceived":
                response = params["response"]
                if (
                    params.get("type") in ("Document", "XHR", "Fetch")
                    and response["status"] >= 400
                ):
                    raise PageError(
                        f"{url}: HTTP {response['status']} for {response['url']}"
                    )

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))
        print(f"docs: {path}", flush=True)


def call(base_url, session, model, method, *args, **kwargs):
    response = requests.post(
        f"{base_url}/web/dataset/call_kw/{model}/{method}",
        json={
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs}
        },
        cookies={"session_id": session},
        timeout=60,
    ).json()
    if "error" in response:
        raise PageError(f"{model}.{method}: {response['error']['data']['message']}")
    return response["result"]


def main(base_url, database, output):
    os.makedirs(output, exist_ok=True)
    browser = Browser()
    try:
        # every screen as `make run LANG=es` leaves the demo: in Spanish
        session = browser.login(base_url, database, "admin")
        logins = [("login", "in", ["admin", "carmen"])]
        spanish = call(base_url, session, "res.users", "search", logins)
        call(base_url, session, "res.users", "write", spanish, {"lang": "es_ES"})
        session = browser.login(base_url, database, "admin")
        # the case of the README's walk-through, with watchers and channel
        [case] = call(
            base_url,
            session,
            "crm.case",
            "search",
            [("name", "=", "No access to the portal to follow our orders")],
        )
        action = f"{base_url}/odoo/action-crm_case_sections"

        browser.open(
            f"{action}.crm_case_section_action_cases",
            ".o_hierarchy_view .o_hierarchy_node",
            ["Oportunidades", "Asistencia", "Proveedores"],
        )
        browser.screenshot(f"{output}/cases-by-section.png")

        browser.open(
            f"{action}.crm_case_action/{case}",
            ".o_form_view [name=email_cc]",
            ["Observadores", "taller@talleres-sur.example.com", "Canal", "Escalado"],
            click=".o_notebook a[name=extra]",
        )
        browser.screenshot(f"{output}/case-form.png")

        browser.open(
            f"{action}.crm_case_action?view_type=kanban",
            ".o_kanban_view .o_kanban_record",
            ["Drum heater does not switch off", "En proceso"],
        )
        browser.screenshot(f"{output}/cases-kanban.png")

        browser.open(
            f"{action}.crm_case_action_analysis",
            ".o_pivot table .o_pivot_cell_value",
            ["Análisis de casos", "Asistencia"],
        )
        browser.screenshot(f"{output}/case-analysis.png")

        browser.open(
            f"{base_url}/odoo/action-crm_case_sections_purchase.crm_case_action_supplier",
            ".o_list_view .o_data_row",
            ["Half of the confirmed order still not delivered", "Proveedor"],
        )
        browser.screenshot(f"{output}/supplier-follow-ups.png")

        # the customer's contact on the portal
        browser.login(base_url, database, "carmen")
        browser.open(
            f"{base_url}/my/cases",
            ".o_portal_my_doc_table, table",
            ["Grease gun no longer builds pressure", "Nuevo caso"],
        )
        browser.screenshot(f"{output}/portal-my-cases.png")
    except PageError as error:
        raise SystemExit(f"docs: {error}") from None
    finally:
        browser.close()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
