# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""pytest-odoo starts Odoo with stop=True, which shuts its HTTP server down
again: the portal tests and the browser tours need it running."""

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
