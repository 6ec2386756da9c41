# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Beyond one process, on this machine and on loopback only: two Odoo web
servers in prefork mode on one PostgreSQL primary, each behind its nginx
(docs/nginx-odoo.conf, started by tools/nginx.sh), a cron-only Odoo, and a
hot standby fed by streaming replication that serves the read-only routes.

Mail goes in through the mailgate's XML-RPC call (``message_process``), first
through one server, then split across both; the crons acknowledge and
escalate meanwhile, and a manager opens the case analysis and *Cases by
section* through the web client's read-only route, all of it through nginx.
Then it checks that every mail is on one case, every acknowledgement and
escalation happened once, that the standby's own statistics grew with the
reporting calls, and that each nginx opens the web client's websocket.

The primary's configuration is left as it is: the run adds a database and,
for the standby's lifetime, a replication slot (dropped on exit; a slot that
a killed run left behind is dropped on the next start). If the primary
cannot feed a standby as configured (``wal_level = minimal``, no free WAL
sender, no local replication line in pg_hba.conf), it says what to change
and changes nothing.
"""

import argparse
import base64
import http.cookiejar
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import xmlrpc.client
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))

from common import pump_mail
from mailstack import free_port

from conftest import ADMIN, ODOO_DOMAIN, REPO, Door, OdooServer, wait_until
from conftest import _configure as configure_e2e

SLOT_PREFIX = "ccs_bench_cluster_"
ALIAS = "firstline"
CRONS = (
    "crm_case_sections.ir_cron_send_acknowledgements",
    "crm_case_sections.ir_cron_escalate",
    "crm_case_sections.ir_cron_send_reminders",
    "crm_case_sections.ir_cron_update_sla",
)
# the pivot of Helpdesk > Reporting > Case Analysis as it opens: one
# read_group per combination of its row and column groupings
ANALYSIS_GROUPBYS = (
    [],
    ["section_root_id"],
    ["create_date:month"],
    ["section_root_id", "create_date:month"],
    ["section_root_id", "section_id"],
    ["section_root_id", "section_id", "create_date:month"],
)
ANALYSIS_MEASURES = [
    "__count",
    "expected_revenue:sum",
    "planned_cost:sum",
    "prorated_revenue:sum",
]
# what Odoo logs when a read-only route wrote, or could not use the replica
READONLY_FAILURES = (
    "retrying with a read/write cursor",
    "Failed to open a readonly cursor",
    # werkzeug's request line ends with the cursor it ended on
    " ro->rw",
)

stopping = threading.Event()


def primary_sql(query, params=None):
    connection = psycopg2.connect(dbname="postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


class Standby:
    """A hot standby of the local primary, under a temporary folder, owned by
    the ``postgres`` OS user as PostgreSQL requires."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="ccs-standby."))
        self.data = self.root / "data"
        self.log = self.root / "standby.log"
        self.port = free_port()
        self.slot = f"{SLOT_PREFIX}{os.getpid()}"
        self.started = False
        self.slot_requested = False
        version = primary_sql("SHOW server_version_num")[0][0]
        self.bindir = Path(f"/usr/lib/postgresql/{int(version) // 10000}/bin")

    def _as_postgres(self, *command):
        """Run ``command`` as the postgres OS user; interrupted, it is
        stopped with everything it started."""
        process = subprocess.Popen(
            ["runuser", "-u", "postgres", "--", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _out, err = process.communicate()
        except BaseException:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
            raise
        if process.returncode:
            raise RuntimeError(f"{Path(command[0]).name} failed: {err.strip()}")

    def check_primary(self):
        """The primary's settings a standby needs; refuse, saying what to
        change, rather than restart a server others use."""
        settings = dict(
            primary_sql(
                "SELECT name, setting FROM pg_settings WHERE name IN ("
                "'wal_level', 'max_wal_senders', 'max_replication_slots', "
                "'max_connections', 'max_worker_processes', "
                "'max_prepared_transactions', 'max_locks_per_transaction', "
                "'port', 'unix_socket_directories')"
            )
        )
        senders = primary_sql("SELECT count(*) FROM pg_stat_replication")[0][0]
        slots = primary_sql("SELECT count(*) FROM pg_replication_slots")[0][0]
        local_replication = primary_sql(
            "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'local' "
            "AND 'replication' = ANY(database) "
            "AND ('all' = ANY(user_name) OR 'postgres' = ANY(user_name)) "
            "AND auth_method IN ('peer', 'trust')"
        )[0][0]
        problems = []
        if settings["wal_level"] == "minimal":
            problems.append("wal_level = replica (restart)")
        if senders >= int(settings["max_wal_senders"]):
            problems.append("a free WAL sender: raise max_wal_senders (restart)")
        if slots >= int(settings["max_replication_slots"]):
            problems.append("a free slot: raise max_replication_slots (restart)")
        if not local_replication:
            problems.append("'local replication postgres peer' in pg_hba.conf (reload)")
        if problems:
            raise SystemExit(
                "error: the primary cannot feed a standby; it needs "
                + "; ".join(problems)
                + ". Nothing was changed."
            )
        print(
            f"bench: primary: wal_level={settings['wal_level']}, "
            f"max_wal_senders={settings['max_wal_senders']} ({senders} in use), "
            "local replication allowed in pg_hba.conf: nothing to change",
            flush=True,
        )
        return settings

    def create(self):
        settings = self.check_primary()
        # slots of runs that were killed keep WAL on the primary: drop them
        for (stale,) in primary_sql(
            "SELECT slot_name FROM pg_replication_slots "
            "WHERE slot_name LIKE %s AND NOT active",
            [SLOT_PREFIX + "%"],
        ):
            primary_sql("SELECT pg_drop_replication_slot(%s)", [stale])
            print(f"bench: dropped the stale replication slot {stale}", flush=True)
        postgres = pwd.getpwnam("postgres")
        os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
        socket_dir = settings["unix_socket_directories"].split(",")[0].strip()
        self.slot_requested = True
        started = time.monotonic()
        self._as_postgres(
            str(self.bindir / "pg_basebackup"),
            f"--pgdata={self.data}",
            f"--host={socket_dir}",
            f"--port={settings['port']}",
            "--username=postgres",
            "--wal-method=stream",
            "--checkpoint=fast",
            "--write-recovery-conf",
            "--create-slot",
            f"--slot={self.slot}",
        )
        # Debian keeps the configuration out of the data folder: the copy
        # gets its own, on a socket of its own, no TCP
        same = (
            "max_connections",
            "max_worker_processes",
            "max_prepared_transactions",
            "max_locks_per_transaction",
            "max_wal_senders",
        )
        conf = [
            f"port = {self.port}",
            "listen_addresses = ''",
            f"unix_socket_directories = '{self.root}'",
            "hot_standby = on",
            # reporting queries are not cancelled by the primary's vacuum
            "hot_standby_feedback = on",
            "shared_buffers = 128MB",
            "fsync = off",
            "track_counts = on",
            *(f"{name} = {settings[name]}" for name in same),
        ]
        (self.data / "postgresql.conf").write_text("\n".join(conf) + "\n")
        (self.data / "pg_hba.conf").write_text("local all all peer\n")
        (self.data / "pg_ident.conf").write_text("")
        for name in ("postgresql.conf", "pg_hba.conf", "pg_ident.conf"):
            os.chown(self.data / name, postgres.pw_uid, postgres.pw_gid)
        self.started = True
        self._as_postgres(
            str(self.bindir / "pg_ctl"),
            f"--pgdata={self.data}",
            f"--log={self.log}",
            "--wait",
            "--timeout=120",
            "start",
        )
        wait_until(
            lambda: self.sql("SELECT pg_is_in_recovery()")[0][0],
            message="the standby in recovery",
        )
        wait_until(
            lambda: primary_sql(
                "SELECT count(*) FROM pg_replication_slots "
                "WHERE slot_name = %s AND active",
                [self.slot],
            )[0][0],
            message="the standby streaming from the primary",
        )
        size = primary_sql(
            "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database"
        )[0][0]
        print(
            f"bench: hot standby on port {self.port} (socket in {self.root}), "
            f"a copy of the whole primary ({size}) streaming from it through "
            f"slot {self.slot}, ready in {time.monotonic() - started:.0f} s",
            flush=True,
        )

    def sql(self, query, params=None, database="postgres"):
        connection = psycopg2.connect(
            host=str(self.root), port=self.port, dbname=database
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall()
        finally:
            connection.close()

    def catch_up(self):
        """Wait until the standby replayed everything the primary wrote."""
        lsn = primary_sql("SELECT pg_current_wal_lsn()")[0][0]
        wait_until(
            lambda: self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0][
                0
            ],
            timeout=300,
            message="the standby to catch up",
        )

    def statistics(self, database):
        """The standby's own counters: what ran on it, not on the primary."""
        (xacts, returned, fetched), *_ = self.sql(
            "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched "
            "FROM pg_stat_database WHERE datname = %s",
            [database],
        )
        rows = self.sql(
            "SELECT COALESCE(seq_scan, 0) + COALESCE(idx_scan, 0), "
            "COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) "
            "FROM pg_stat_user_tables WHERE relname = 'crm_case'",
            database=database,
        )
        scans, rows_read = rows[0] if rows else (0, 0)
        return {
            "transactions": xacts,
            "tup_returned": returned,
            "tup_fetched": fetched,
            "crm_case_scans": scans,
            "crm_case_rows_read": rows_read,
        }

    def settled_statistics(self, database):
        """Backends report their counters when idle, within ~10 s."""
        previous = self.statistics(database)
        for _attempt in range(15):
            time.sleep(2)
            current = self.statistics(database)
            if current["crm_case_scans"] == previous["crm_case_scans"]:
                return current
            previous = current
        return previous

    def cleanup(self):
        if self.started:
            subprocess.run(
                [
                    "runuser",
                    "-u",
                    "postgres",
                    "--",
                    str(self.bindir / "pg_ctl"),
                    f"--pgdata={self.data}",
                    "--mode=fast",
                    "--wait",
                    "stop",
                ],
                check=False,
                capture_output=True,
            )
            self.started = False
        if self.slot_requested:
            # the WAL sender leaves a moment after the standby stopped; one
            # still feeding an interrupted copy is ended
            for _attempt in range(30):
                try:
                    primary_sql(
                        "SELECT pg_terminate_backend(active_pid) "
                        "FROM pg_replication_slots "
                        "WHERE slot_name = %s AND active_pid IS NOT NULL",
                        [self.slot],
                    )
                    primary_sql(
                        "SELECT pg_drop_replication_slot(slot_name) "
                        "FROM pg_replication_slots WHERE slot_name = %s",
                        [self.slot],
                    )
                    break
                except psycopg2.Error:
                    time.sleep(1)
            self.slot_requested = False
        shutil.rmtree(self.root, ignore_errors=True)


class Nginx:
    """nginx in front of one prefork server, on a loopback port of its own,
    from the configuration of docs/DEPLOY.md: what the clients talk to."""

    def __init__(self, server):
        self.server = server
        self.database = server.database
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ccs-nginx."))
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "bash",
                str(REPO / "tools" / "nginx.sh"),
                str(self.root),
                str(self.port),
                str(self.server.port),
                str(self.server.gevent_port),
            ],
            start_new_session=True,
        )
        wait_until(self._healthy, timeout=30, message="/web/health through nginx")

    def _healthy(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"nginx exited, see {self.root / 'error.log'}")
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}/web/health", timeout=2
            ) as response:
                return response.status == 200
        except OSError:
            return False

    def websocket_status(self):
        """The status line of the web client's websocket handshake, once the
        gevent process (started after the HTTP workers) answers."""
        status = ""

        def upgraded():
            nonlocal status
            status = self._handshake()
            return " 101 " in f"{status} "

        try:
            wait_until(upgraded, timeout=60, interval=1, message="the websocket")
        except AssertionError:
            pass  # reported by the checks, with the last answer
        return status

    def _handshake(self):
        key = base64.b64encode(os.urandom(16)).decode()
        host = f"127.0.0.1:{self.port}"
        handshake = (
            "GET /websocket HTTP/1.1\r\n"
            f"Host: {host}\r\n"
            f"Origin: http://{host}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as sock:
            sock.sendall(handshake.encode())
            answer = b""
            while b"\r\n" not in answer and (chunk := sock.recv(4096)):
                answer += chunk
        return answer.split(b"\r\n", 1)[0].decode(errors="replace")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class WebClient:
    """A user's browser session: JSON-RPC on the web client's routes."""

    def __init__(self, server, login, password):
        self.url = f"http://127.0.0.1:{server.port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.call(
            "/web/session/authenticate",
            {"db": server.database, "login": login, "password": password},
        )

    def call(self, path, params):
        request = urllib.request.Request(
            self.url + path,
            json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode(),
            {"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=300) as response:
            answer = json.load(response)
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def call_kw(self, model, method, *args, **kwargs):
        return self.call(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def open_reports(self):
        """The case analysis pivot as it opens, the kanban's columns and
        *Cases by section*; returns the number of cases counted."""
        total = None
        for groupby in ANALYSIS_GROUPBYS:
            groups = self.call_kw(
                "crm.case",
                "read_group",
                [],
                ANALYSIS_MEASURES,
                groupby,
                lazy=False,
            )
            if not groupby:
                total = groups[0]["__count"] if groups else 0
        self.call_kw(
            "crm.case",
            "web_read_group",
            [],
            ["stage_id"],
            ["stage_id"],
            lazy=True,
        )
        self.call_kw(
            "crm.case.section",
            "web_search_read",
            [],
            {"complete_name": {}, "open_case_count": {}, "case_count": {}},
        )
        return total

    def read_everything(self, case_id, section_id):
        """Every field of a case and of its section as the form reads them,
        the list of cases, the case's chatter and the portal's counter: all
        on read-only routes, so a compute that writes shows in the log."""
        for model, record_id in (
            ("crm.case", case_id),
            ("crm.case.section", section_id),
        ):
            fields = self.call_kw(model, "fields_get", attributes=["type"])
            spec = {
                name: {}
                for name, field in fields.items()
                if field["type"] != "properties"
            }
            self.call_kw(model, "web_read", [record_id], spec)
        self.call_kw(
            "crm.case",
            "web_search_read",
            [],
            {
                name: {}
                for name in (
                    "number",
                    "name",
                    "section_id",
                    "stage_id",
                    "user_id",
                    "priority",
                    "sla_status",
                    "date_deadline",
                    "is_escalable",
                )
            },
            limit=80,
        )
        self.call(
            "/mail/thread/data",
            {
                "thread_model": "crm.case",
                "thread_id": case_id,
                "request_list": ["activities", "attachments", "followers"],
            },
        )
        self.call("/my/counters", {"counters": ["case_count"]})


def message(run, index):
    return pump_mail(f"{ALIAS}@{ODOO_DOMAIN}", "cluster", run, index)


def deliver(server, raw):
    """The mailgate's call; what it would answer EX_TEMPFAIL to is retried,
    as the mail server would. Returns the number of retries."""
    proxy = xmlrpc.client.ServerProxy(
        f"http://127.0.0.1:{server.port}/xmlrpc/2/object", allow_none=True
    )
    for attempt in range(20):
        try:
            proxy.execute_kw(
                server.database,
                2,
                ADMIN[1],
                "mail.thread",
                "message_process",
                [False, xmlrpc.client.Binary(raw)],
                {},
            )
            return attempt
        except (OSError, xmlrpc.client.ProtocolError, xmlrpc.client.Fault) as error:
            if isinstance(error, xmlrpc.client.Fault) and "No possible route" in str(
                error
            ):
                raise
            if stopping.wait(1):
                raise
    raise RuntimeError("a mail was refused 20 times")


def feed(servers, run, count, senders):
    raws = [message(run, index) for index in range(count)]
    started = time.monotonic()
    pool = ThreadPoolExecutor(senders)
    try:
        retries = sum(
            pool.map(
                lambda item: deliver(servers[item[0] % len(servers)], item[1]),
                enumerate(raws),
            )
        )
    finally:
        pool.shutdown(wait=not stopping.is_set(), cancel_futures=True)
    elapsed = time.monotonic() - started
    return {
        "servers": len(servers),
        "messages": count,
        "senders": senders,
        "retries": retries,
        "total_s": round(elapsed, 2),
        "per_second": round(count / elapsed, 1),
    }


class Background(threading.Thread):
    """Run ``action`` every ``period`` seconds until stopped."""

    def __init__(self, action, period):
        super().__init__(daemon=True)
        self.action, self.period = action, period
        self.done = threading.Event()
        self.runs = 0
        self.errors = []

    def run(self):
        while not (self.done.is_set() or stopping.is_set()):
            try:
                self.action()
                self.runs += 1
            except Exception as error:  # reported at the end
                self.errors.append(repr(error))
            self.done.wait(self.period)

    def stop(self):
        self.done.set()
        self.join()


def configure(server):
    """The e2e set-up (sections, users, alias domain), then a first-level
    section under *Support* that escalates a case nobody answers within a
    few seconds of a round-the-clock calendar."""
    # no mail server is contacted: outgoing mail stays queued, and counted
    stack = SimpleNamespace(smtp_port=free_port(), imap_port=free_port(), PASSWORD="")
    door = Door(server, stack)
    door.data = configure_e2e(server, stack)
    admin = door.admin
    calendar = admin(
        "resource.calendar",
        "create",
        {
            "name": "Around the clock",
            "tz": "UTC",
            "attendance_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 0,
                        "hour_to": 24,
                        "day_period": "morning",
                    },
                )
                for day in range(7)
            ],
        },
    )
    sergio = door.data["sergio"]
    door.data["first_level"] = admin(
        "crm.case.section",
        "create",
        {
            "name": "First level",
            "parent_id": door.data["sections"]["support"],
            "alias_name": ALIAS,
            "user_id": sergio,
            "member_ids": [(6, 0, [sergio])],
            "resource_calendar_id": calendar,
            "escalation_delay_hours": 0.002,  # about 7 s
        },
    )
    # the mail queue would send (and delete) the acknowledgements: they stay
    # queued, to be counted
    queue = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", "mail"), ("name", "=", "ir_cron_mail_scheduler_action")],
        fields=["res_id"],
    )[0]["res_id"]
    admin("ir.cron", "write", [queue], {"active": False})
    return door


def run_crons(door):
    for xmlid in CRONS:
        door.run_cron(xmlid)


def check(door, runs, count):
    """Every mail on one case, one acknowledgement and one escalation each."""
    message_ids = [
        f"<cluster-{run}-{index}@customer.test>"
        for run in runs
        for index in range(count[run])
    ]
    expected = len(message_ids)
    rows = door.sql(
        "SELECT message_id, count(*), count(DISTINCT res_id), "
        "bool_and(model = 'crm.case') FROM mail_message "
        "WHERE message_id = ANY(%s) GROUP BY message_id",
        [message_ids],
    )
    once = sum(
        1 for _id, n, cases, on_case in rows if n == 1 and cases == 1 and on_case
    )
    cases = door.sql(
        "SELECT count(DISTINCT res_id) FROM mail_message WHERE message_id = ANY(%s)",
        [message_ids],
    )[0][0]
    case_ids = [
        row[0]
        for row in door.sql(
            "SELECT DISTINCT res_id FROM mail_message WHERE message_id = ANY(%s)",
            [message_ids],
        )
    ]
    acknowledged = door.sql(
        "SELECT count(*), count(*) FILTER (WHERE n = 1) FROM ("
        " SELECT c.id, count(mm.id) AS n FROM crm_case c"
        " LEFT JOIN mail_message m ON m.model = 'crm.case' AND m.res_id = c.id"
        " LEFT JOIN mail_mail mm ON mm.mail_message_id = m.id"
        "  AND mm.headers LIKE '%%auto-replied%%'"
        " WHERE c.id = ANY(%s) GROUP BY c.id) AS per_case",
        [case_ids],
    )[0]
    pending = door.sql(
        "SELECT count(*) FROM crm_case WHERE id = ANY(%s) "
        "AND acknowledgement_reference IS NOT NULL",
        [case_ids],
    )[0][0]
    escalated = door.sql(
        "SELECT count(*) FILTER (WHERE n = 1 AND c.section_id = %s "
        " AND c.unanswered_escalated AND c.priority = '1'), count(*) FROM ("
        " SELECT c.id, count(m.id) AS n FROM crm_case c"
        " LEFT JOIN mail_message m ON m.model = 'crm.case' AND m.res_id = c.id"
        "  AND m.message_type = 'notification' AND m.body LIKE '%%Escalated from%%'"
        " WHERE c.id = ANY(%s) GROUP BY c.id) AS per_case"
        " JOIN crm_case c ON c.id = per_case.id",
        [door.data["sections"]["support"], case_ids],
    )[0]
    return {
        "mails": expected,
        "mails_on_one_case": once,
        "cases": cases,
        "acknowledged_once": acknowledged[1],
        "acknowledgements_pending": pending,
        "escalated_once": escalated[0],
    }


def all_handled(door, runs, count):
    result = check(door, runs, count)
    return (
        result
        if (
            result["acknowledged_once"] == result["mails"]
            and result["escalated_once"] == result["mails"]
        )
        else None
    )


def log_failures(servers):
    found = []
    for server in servers:
        if server.logfile.exists():
            for line in server.logfile.read_text(errors="replace").splitlines():
                if any(failure in line for failure in READONLY_FAILURES):
                    found.append(f"{server.logfile.name}: {line}")
    return found


def verdict(handled, totals, on_primary, delta, failures, background, websockets):
    """The run's checks: (label, passed, detail)."""
    return [
        (
            "each nginx opens the websocket on the gevent port",
            all(" 101 " in f"{status} " for _port, status in websockets),
            "; ".join(f"port {port}: {status}" for port, status in websockets),
        ),
        (
            "every mail on exactly one case (Message-Id)",
            handled["mails_on_one_case"] == handled["mails"] == handled["cases"],
            f"{handled['mails_on_one_case']}/{handled['mails']} mails, "
            f"{handled['cases']} cases",
        ),
        (
            "every case acknowledged exactly once",
            handled["acknowledged_once"] == handled["mails"]
            and not handled["acknowledgements_pending"],
            f"{handled['acknowledged_once']}/{handled['mails']}",
        ),
        (
            "every case escalated exactly once",
            handled["escalated_once"] == handled["mails"],
            f"{handled['escalated_once']}/{handled['mails']}",
        ),
        (
            "the case analysis on the standby counts every case",
            totals == [on_primary] * len(totals),
            f"{totals} on the standby, {on_primary} on the primary",
        ),
        (
            "the standby served the reporting queries",
            delta["crm_case_scans"] > 0 and delta["transactions"] > 0,
            f"{delta['transactions']} transactions, "
            f"{delta['crm_case_scans']} scans of crm_case, "
            f"{delta['tup_returned']} rows returned",
        ),
        (
            "no read-only route wrote or missed the standby",
            not failures,
            f"{len(failures)} log lines" + "".join(f"\n    {f}" for f in failures[:5]),
        ),
        (
            "crons and reports ran without error",
            not any(job.errors for job in background),
            "; ".join(e for job in background for e in job.errors[:3]) or "none",
        ),
    ]


def clean_up(fronts, servers, database, standby, background):
    """Everything the run started, in reverse order; safe to call at any step."""
    stopping.set()
    for job in background:
        job.done.set()
    for front in fronts:
        front.stop()
    for server in servers:
        server.stop()
    subprocess.run(
        ["dropdb", "--if-exists", "--force", database],
        check=False,
        capture_output=True,
    )
    if standby:
        standby.cleanup()
    for server in servers:
        if server.logfile.exists() and not os.environ.get("BENCH_KEEP_LOGS"):
            server.logfile.unlink()
    print("bench: cleaned up (nginx, servers, standby, slot, database)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cron-threads", type=int, default=2)
    parser.add_argument("--json")
    options = parser.parse_args()

    def terminate(signum, _frame):
        if stopping.is_set():
            return  # cleaning up already
        stopping.set()
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # SIGINT too: a shell that starts it in the background ignores Ctrl-C
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, terminate)

    database = f"ccs_bench_cluster_{os.getpid()}"
    web = [OdooServer(database, workers=options.workers) for _index in range(2)]
    fronts = [Nginx(server) for server in web]
    cron = OdooServer(database)
    for name, server in (("web1", web[0]), ("web2", web[1]), ("cron", cron)):
        server.logfile = Path(f"/tmp/ccs-cluster-{database}-{name}.log")
    standby = None
    results = {}
    background = []
    try:
        standby = Standby()
        print("bench: installing crm_case_sections on", database, flush=True)
        web[0].install()
        standby.create()
        replica = [
            f"--db_replica_host={standby.root}",
            f"--db_replica_port={standby.port}",
        ]
        for server, front in zip(web, fronts, strict=True):
            server.start("--max-cron-threads=0", "--proxy-mode", *replica)
            front.start()
        cron.start("--no-http", f"--max-cron-threads={options.cron_threads}")
        print(
            f"bench: 2 web servers (prefork, {options.workers} workers each, "
            f"read-only routes on the standby), each behind nginx (ports "
            f"{fronts[0].port} and {fronts[1].port}), 1 cron-only server "
            f"({options.cron_threads} cron threads)",
            flush=True,
        )
        websockets = [(front.port, front.websocket_status()) for front in fronts]
        door = configure(fronts[0])
        clients = [WebClient(front, *ADMIN) for front in fronts]
        standby.catch_up()
        clients[0].open_reports()  # warm-up, not measured
        before = standby.settled_statistics(database)

        crons = Background(lambda: run_crons(door), 3)
        crons.start()
        background.append(crons)
        reports = []
        count = {}
        for run, servers in (("one", fronts[:1]), ("two", fronts)):
            report = Background(
                lambda servers=servers: [
                    c.open_reports() for c in clients[: len(servers)]
                ],
                2,
            )
            report.start()
            background.append(report)
            # warm the workers up, not measured
            feed(servers, f"warm{run}", options.senders, options.senders)
            figures = feed(servers, run, options.n, options.senders)
            report.stop()
            reports.append(report)
            results[run] = figures
            count[run] = options.n
            count[f"warm{run}"] = options.senders
            print(
                f"bench: {len(servers)} server(s) x {options.workers} workers "
                f"behind nginx, {options.senders} senders: "
                f"{figures['messages']} mails in {figures['total_s']} s = "
                f"{figures['per_second']} mails/s "
                f"(mailgate XML-RPC call to committed case; "
                f"{figures['retries']} retried)",
                flush=True,
            )
        started = time.monotonic()
        handled = wait_until(
            lambda: all_handled(door, list(count), count),
            timeout=600,
            interval=2,
            message="every acknowledgement and escalation",
        )
        crons.stop()
        print(
            f"bench: crons done {time.monotonic() - started:.0f} s after the last mail",
            flush=True,
        )
        standby.catch_up()
        totals = [client.open_reports() for client in clients]
        last_case = door.sql("SELECT max(id) FROM crm_case")[0][0]
        for client in clients:
            client.read_everything(last_case, door.data["first_level"])
        on_primary = door.sql("SELECT count(*) FROM crm_case")[0][0]
        after = standby.settled_statistics(database)
        # during the runs through one server then two, then once on each
        openings = reports[0].runs + 2 * reports[1].runs + len(clients)
        delta = {key: after[key] - before[key] for key in before}
        failures = log_failures([*web, cron])
        checks = verdict(
            handled, totals, on_primary, delta, failures, background, websockets
        )
        print(
            f"bench: standby statistics of {database}, before -> after "
            f"({openings} openings of the reports, "
            f"{openings * (len(ANALYSIS_GROUPBYS) + 2)} read-only calls, and "
            f"one read-only sweep per server; {crons.runs} cron rounds):",
            flush=True,
        )
        for key in before:
            print(f"    {key}: {before[key]} -> {after[key]} (+{delta[key]})")
        for label, passed, detail in checks:
            print(f"check: {'ok  ' if passed else 'FAIL'} {label}: {detail}")
        one, two = results["one"], results["two"]
        print(
            f"bench: throughput: 1 server {one['per_second']} mails/s, "
            f"2 servers {two['per_second']} mails/s "
            f"(x{two['per_second'] / one['per_second']:.2f}) on {os.cpu_count()} CPUs",
            flush=True,
        )
        results.update(checks={label: passed for label, passed, _d in checks})
        results.update(standby_before=before, standby_after=after)
        if options.json:
            Path(options.json).write_text(json.dumps(results, indent=2))
        if not all(passed for _label, passed, _detail in checks):
            raise SystemExit("error: the cluster run failed a check")
    finally:
        clean_up(fronts, [*web, cron], database, standby, background)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt as interruption:
        sys.exit(f"bench: interrupted ({interruption or 'SIGINT'})")
