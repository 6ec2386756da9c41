# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pytest-odoo starts Odoo with stop=True, which shuts its HTTP server down
again: the portal tests and the browser tours need it running. A test that
skips itself (Odoo skips its tours when Chromium is missing) fails here: a
green run must have run every test."""

import pytest

import odoo


@pytest.fixture(scope="session", autouse=True)
def odoo_http_server():
    server = odoo.service.server.server
    if server is None:
        pytest.fail("Odoo's server was not started by pytest-odoo.")
    server.http_spawn()
    yield server
    server.httpd.shutdown()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = f"skipped, which counts as a failure: {reason}"
