# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mail door end to end: a real Odoo server process on its own database,
a throwaway Postfix and Dovecot on loopback, customers' mailboxes read over
IMAP. Run by tools/test.sh after the Odoo tests; a skipped test fails."""

import email
import email.policy
import os
import re
import signal
import smtplib
import subprocess
import sys
import time
import urllib.request
import xmlrpc.client
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mailstack import MailStack, free_port

REPO = Path(__file__).resolve().parent.parent
MAILGATE = REPO / "mail_inbound_guard" / "static" / "scripts" / "odoo-mailgate.py"
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo-18.0")
ODOO_DOMAIN = "odoo.test"
IMAP_DOMAIN = "mailbox.test"
MAILBOXES = [
    "ana@customer.test",
    "luis@customer.test",
    "quality@customer.test",
    "carl@customer.test",
    "dora@customer.test",
    "robot@customer.test",
    "sergio@staff.test",
    f"orders@{IMAP_DOMAIN}",
    f"bulk@{IMAP_DOMAIN}",
]
ADMIN = ("admin", "admin")
RESPONSIBLE = ("sergio", "sergio-e2e")


def wait_until(condition, timeout=60, interval=0.3, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {message}")
        time.sleep(interval)


def readable_text(raw):
    """The subject and the decoded text parts of a raw mail, as a reader
    sees them."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    texts = [str(message["Subject"] or "")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except (LookupError, ValueError):
                texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(texts)


class OdooServer:
    """``odoo-bin`` serving one database, started, stopped or killed like a
    production server."""

    def __init__(self, database, workers=0):
        self.database = database
        self.workers = workers
        self.port = free_port()
        self.gevent_port = free_port()
        self.logfile = Path(f"/tmp/ccs-e2e-{database}.log")
        self.process = None

    def command(self, *extra):
        return [
            os.environ["VENV"] + "/bin/python",
            f"{ODOO_SRC}/odoo-bin",
            f"--addons-path={ODOO_SRC}/addons,{ODOO_SRC}/odoo/addons,{REPO}",
            f"--database={self.database}",
            f"--db-filter=^{self.database}$",
            *extra,
        ]

    def install(self):
        subprocess.run(
            self.command(
                "-i",
                "crm_case_sections",
                "--without-demo=all",
                "--stop-after-init",
                "--http-port=0",
                "--log-level=warn",
            ),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self, *options):
        """Start serving; ``options`` come after the defaults and override
        them (``--max-cron-threads=0``, ``--db_replica_host=…``). A server
        started with ``--no-http`` only runs the crons: nothing to wait for."""
        self.process = subprocess.Popen(
            self.command(
                "--http-interface=127.0.0.1",
                f"--http-port={self.port}",
                f"--gevent-port={self.gevent_port}",
                f"--workers={self.workers}",
                "--max-cron-threads=1",
                "--limit-time-real=1200",
                "--limit-memory-soft=4294967296",
                "--limit-memory-hard=5368709120",
                "--log-level=info",
                f"--logfile={self.logfile}",
                *options,
            ),
            # a cron written with a new nextcall wakes the cron worker at once
            env=dict(os.environ, ODOO_NOTIFY_CRON_CHANGES="1"),
            start_new_session=True,
        )
        if "--no-http" in options:
            return
        wait_until(self._healthy, timeout=120, message="Odoo's /web/health")

    def _healthy(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"Odoo exited, see {self.logfile}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/web/health", timeout=2
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def kill9(self):
        """What the kernel's OOM killer or a pulled plug does."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class Rpc:
    """XML-RPC as one user, the way external tools and the mailgate talk
    to Odoo."""

    def __init__(self, server, login, password):
        self.server = server
        self.password = password
        common = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{server.port}/xmlrpc/2/common"
        )
        self.uid = common.authenticate(server.database, login, password, {})
        assert self.uid, f"{login} cannot log in"

    def __call__(self, model, method, *args, **kwargs):
        proxy = xmlrpc.client.ServerProxy(
            f"http://127.0.0.1:{self.server.port}/xmlrpc/2/object", allow_none=True
        )
        return proxy.execute_kw(
            self.server.database,
            self.uid,
            self.password,
            model,
            method,
            list(args),
            kwargs,
        )


class Door:
    """The test's hands: a customer's mail client (SMTP), the mail server's
    log and mailboxes (IMAP), Odoo (XML-RPC) and its database (SQL)."""

    def __init__(self, server, stack):
        self.server = server
        self.stack = stack
        self.admin = Rpc(server, *ADMIN)

    def sql(self, query, params=None):
        with psycopg2.connect(dbname=self.server.database) as connection:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall()

    def send(self, raw, sender, recipients):
        """Submit ``raw`` over SMTP as a mail client does; return Postfix's
        queue id."""
        if isinstance(raw, str):
            raw = raw.encode()
        with smtplib.SMTP("127.0.0.1", self.stack.smtp_port, timeout=120) as smtp:
            smtp.ehlo("client.customer.test")
            code, answer = smtp.mail(sender, ["BODY=8BITMIME"])
            assert code == 250, answer
            for recipient in recipients:
                code, answer = smtp.rcpt(recipient)
                assert code in (250, 251), answer
            code, answer = smtp.data(raw)
            assert code == 250, answer
        return re.search(rb"queued as (\w+)", answer)[1].decode()

    def delivered(self, queue_id, recipient=None, timeout=180):
        """Wait for Postfix to finish with ``queue_id`` (for ``recipient``);
        return its status."""
        return wait_until(
            lambda: self.stack.delivery_status(queue_id, recipient),
            timeout=timeout,
            message=f"Postfix to deliver {queue_id}",
        )

    def mailbox(self, address, contains=None, count=1, timeout=120):
        """The messages of ``address`` (that hold ``contains``) once there
        are ``count`` of them."""

        def found():
            messages = [
                raw
                for raw in self.stack.messages(address)
                if contains is None or contains in readable_text(raw)
            ]
            return messages if len(messages) >= count else None

        return wait_until(found, timeout=timeout, message=f"mail in {address}")

    def run_cron(self, xmlid):
        module, name = xmlid.split(".")
        cron_id = self.admin(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )[0]["res_id"]

        def triggered():
            now = datetime.utcnow() - timedelta(seconds=1)
            try:
                return self.admin(
                    "ir.cron",
                    "write",
                    [cron_id],
                    {"nextcall": f"{now:%Y-%m-%d %H:%M:%S}"},
                )
            except xmlrpc.client.Fault as error:
                # the cron worker runs it at this moment (after a restart, it
                # catches up at once): ask again once that run is over
                if "currently being executed" in error.faultString:
                    return False
                raise

        wait_until(triggered, timeout=300, interval=1, message=f"{xmlid} to be free")

    def cases(
        self, domain, fields=("number", "name", "section_id", "email_from", "email_cc")
    ):
        return self.admin("crm.case", "search_read", domain, fields=list(fields))


def _configure(server, stack):
    admin = Rpc(server, *ADMIN)
    company_id = admin("res.users", "read", [admin.uid], ["company_id"])[0][
        "company_id"
    ][0]
    domain_id = admin(
        "mail.alias.domain",
        "create",
        {"name": ODOO_DOMAIN, "company_ids": [(4, company_id)]},
    )
    admin("res.company", "write", [company_id], {"alias_domain_id": domain_id})
    imap_domain_id = admin("mail.alias.domain", "create", {"name": IMAP_DOMAIN})
    admin(
        "ir.mail_server",
        "create",
        {
            "name": "Postfix on loopback",
            "smtp_host": "127.0.0.1",
            "smtp_port": stack.smtp_port,
            "smtp_encryption": "none",
        },
    )
    user_group = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", "crm_case_sections"), ("name", "=", "group_case_user")],
        fields=["res_id"],
    )[0]["res_id"]
    partner_manager = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", "base"), ("name", "=", "group_partner_manager")],
        fields=["res_id"],
    )[0]["res_id"]
    sergio = admin(
        "res.users",
        "create",
        {
            "name": "Sergio Support",
            "login": RESPONSIBLE[0],
            "password": RESPONSIBLE[1],
            "email": "sergio@staff.test",
            # Contact Creation: the chatter needs it to write to a customer
            # who is only an e-mail address (mail's /mail/message/post)
            "groups_id": [(4, user_group), (4, partner_manager)],
            "notification_type": "email",
        },
    )
    support = admin(
        "crm.case.section",
        "create",
        {
            "name": "Support",
            "alias_name": "support",
            "user_id": sergio,
            "member_ids": [(6, 0, [sergio])],
            "sequence": 1,
        },
    )
    sections = {"support": support}
    for name in ("orders", "bulk"):
        sections[name] = admin(
            "crm.case.section",
            "create",
            {
                "name": name.capitalize(),
                "alias_name": name,
                "alias_domain_id": imap_domain_id,
                "user_id": sergio,
                "member_ids": [(6, 0, [sergio])],
                "sequence": 5,
            },
        )
    case_model = admin("ir.model", "search", [("model", "=", "crm.case")])[0]
    servers = {}
    for name in ("orders", "bulk"):
        servers[name] = admin(
            "fetchmail.server",
            "create",
            {
                "name": f"{name}@{IMAP_DOMAIN}",
                "server_type": "imap",
                "server": "127.0.0.1",
                "port": stack.imap_port,
                "is_ssl": False,
                "user": f"{name}@{IMAP_DOMAIN}",
                "password": stack.PASSWORD,
                "object_id": case_model,
                "attach": True,
            },
        )
    return {"sections": sections, "fetchmail": servers, "sergio": sergio}


@pytest.fixture(scope="session")
def door():
    database = f"ccs_e2e_{os.getpid()}"
    server = OdooServer(database, workers=int(os.environ.get("E2E_WORKERS", "0")))
    stack = MailStack(MAILBOXES, ODOO_DOMAIN, MAILGATE, database, server.port)
    try:
        server.install()
        stack.start()
        server.start()
        door = Door(server, stack)
        door.data = _configure(server, stack)
        yield door
    finally:
        server.stop()
        stack.cleanup()
        subprocess.run(["dropdb", "--if-exists", database], check=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = "skipped, which counts as a failure"
