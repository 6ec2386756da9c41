# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pytest-odoo starts Odoo with stop=True, which shuts its HTTP server down
again: the portal tests and the browser tours need it running. A test that
skips itself (Odoo skips its tours when Chromium is missing) fails here: a
green run must have run every test. Chromium gets a minute to start instead
of Odoo's ten seconds: on a loaded machine its first start from a cold disk
takes longer, and Odoo then skips the tour."""

import resource
import subprocess
import tempfile

import pytest

import odoo

CHROMIUM_START_SECONDS = 60


@pytest.fixture(scope="session", autouse=True)
def odoo_http_server():
    server = odoo.service.server.server
    if server is None:
        pytest.fail("Odoo's server was not started by pytest-odoo.")
    # Python 3.11.7's ast module keeps its recursion depth per interpreter,
    # not per thread (CPython gh-106905, fixed in 3.11.8): two request
    # threads parsing at once fail with "AST constructor recursion depth
    # mismatch". The first static file request parses every manifest;
    # parsing them here, before any request thread exists, takes that
    # work out of the threads.
    from odoo import http

    http.root.statics  # noqa: B018
    server.http_spawn()
    yield server
    server.httpd.shutdown()


@pytest.fixture(scope="session", autouse=True)
def chromium_started_once():
    """Start Chromium headless once before the tours, so that its files are
    in memory, and wait for its DevTools port as long as it may need."""
    # imported here: at the top of the file, before Odoo's test mode is on,
    # Odoo would log a warning with a stack
    from odoo.tests import common as odoo_test_common

    odoo_test_common.CHECK_BROWSER_ITERATIONS = int(
        CHROMIUM_START_SECONDS / odoo_test_common.CHECK_BROWSER_SLEEP
    )
    executable = odoo_test_common._find_executable()
    if not executable:
        pytest.fail("Chromium is missing: the tours cannot run.")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                f"--user-data-dir={profile}",
                "--dump-dom",
                "about:blank",
            ],
            capture_output=True,
            timeout=CHROMIUM_START_SECONDS * 2,
            check=True,
            preexec_fn=without_memory_limit,
        )


def without_memory_limit():
    """Chromium reserves more address space than Odoo's memory limit allows:
    Odoo lifts it for the browsers it starts, and so does this one."""
    resource.setrlimit(
        resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = f"skipped, which counts as a failure: {reason}"
