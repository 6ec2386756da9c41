"""Screens benchmark on the database bench/generate.py filled (1,000 sections,
1,000,000 cases): the calls the web client makes when a first-level support
user (member of one desk), a department user (member of a department, whose
record rule covers its whole sub-tree) and a manager open the case screens;
then the portal of a customer whose company holds 10,000 cases, through
odoo-bin's HTTP server and an authenticated portal session.

Every call is made as the user, with the specifications the web client
builds from the views of the menus' actions; each runs three times, in a
transaction of its own, and the median is kept: a first page must come in
under a second, a portal page under half a second.
"""

import ast
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import requests
from common import arguments, open_registry
from lxml import etree

import odoo
from odoo import api

ROLES = ("support", "department", "manager")
RUNS = 3
MAX_SCREEN_SECONDS = 1.0
MAX_PORTAL_SECONDS = 0.5
LIST_LIMIT, KANBAN_LIMIT, COUNT_LIMIT = 80, 40, 10001
ALL_CASES = "crm_case_sections.crm_case_action"
ANALYSIS = "crm_case_sections.crm_case_action_analysis"
BY_SECTION = "crm_case_sections.crm_case_section_action_cases"
# the web client's own request log: "... 200 - <queries> <sql s> <other s>"
REQUEST_LOG = re.compile(r'"GET (\S+) HTTP/[\d.]+" (\d+) - (\d+) ([\d.]+) ([\d.]+)')


def field_spec(node, fields):
    """The specification the web client reads a field of a view with."""
    field = fields.get(node.get("name"), {})
    if field.get("type") == "many2one":
        return {"fields": {"display_name": {}}}
    if field.get("type") in ("one2many", "many2many"):
        subview = next(iter(node.xpath("./list|./kanban")), None)
        if subview is None:
            # tags and other widgets show the names
            return {"fields": {"display_name": {}}}
        return {"fields": view_spec(subview, field.get("relation_fields", {}))}
    return {}


def view_spec(arch, fields):
    """The fields of ``arch`` (not those of its sub-views) and how to read
    them."""
    spec = {}
    for node in arch.iter("field"):
        parent = node.getparent()
        while parent is not None and parent is not arch and parent.tag != "field":
            parent = parent.getparent()
        if parent is not arch and parent is not None:
            continue  # a field of an x2many's sub-view
        if node.get("name") in fields:
            spec[node.get("name")] = field_spec(node, fields)
    return spec


def specs(env):
    """List, kanban and form specifications of All Cases, from get_views."""
    action = env["ir.actions.act_window"]._for_xml_id(ALL_CASES)
    views = env["crm.case"].get_views(
        [[False, mode] for mode in ("list", "kanban", "form")], {}
    )
    fields = views["models"]["crm.case"]["fields"]
    result = {}
    for mode in ("list", "kanban", "form"):
        arch = etree.fromstring(views["views"][mode]["arch"])
        spec = view_spec(arch, fields)
        for name, sub in spec.items():
            relation = fields[name].get("relation")
            if sub.get("fields") and relation in views["models"]:
                sub["fields"] = {
                    key: value
                    for key, value in sub["fields"].items()
                    if key in views["models"][relation]["fields"]
                    or key == "display_name"
                }
        result[mode] = spec
    result["kanban_group_by"] = etree.fromstring(views["views"]["kanban"]["arch"]).get(
        "default_group_by", "stage_id"
    )
    result["context"] = ast.literal_eval(action["context"])
    return result


def pivot_layout(env):
    """Rows, columns and measures of the Case Analysis pivot."""
    views = env["crm.case"].get_views([[False, "pivot"]], {})
    arch = etree.fromstring(views["views"]["pivot"]["arch"])
    rows, cols, measures = [], [], []
    if arch.get("display_quantity") in ("1", "True", "true"):
        measures.append("__count")
    for node in arch.iter("field"):
        name = node.get("name")
        if node.get("interval"):
            name = f"{name}:{node.get('interval')}"
        kind = node.get("type")
        if kind == "row":
            rows.append(name)
        elif kind == "col":
            cols.append(name)
        elif kind == "measure":
            measures.append(
                f"{name}:{views['models']['crm.case']['fields'][node.get('name')]['aggregator']}"
            )
    return rows, cols, measures


def hierarchy_fields(env):
    views = env["crm.case.section"].get_views([[False, "hierarchy"]], {})
    arch = etree.fromstring(views["views"]["hierarchy"]["arch"])
    names = {node.get("name") for node in arch.iter("field")}
    return sorted(names | {"parent_id", "child_ids", "display_name"})


class Screens:
    """The calls of each screen, as a given user makes them."""

    def __init__(self, registry, uid):
        self.registry = registry
        self.uid = uid
        with registry.cursor() as cr:
            env = self.env(cr)
            self.specs = specs(env)
            self.pivot = pivot_layout(env)
            self.hierarchy = hierarchy_fields(env)
            action = env["ir.actions.act_window"]._for_xml_id(BY_SECTION)
            self.by_section_domain = ast.literal_eval(action["domain"])
            # the All Cases search opens with the "Open" filter on
            self.open_domain = [("is_closed", "=", False)]
            first = env["crm.case"].search(self.open_domain, limit=1)
            self.case_id = first.id
            self.number = first.number
            self.email = (
                env["crm.case"]
                .search([("email_from", "!=", False)], limit=1)
                .email_from
            )

    def env(self, cr):
        user = api.Environment(cr, odoo.SUPERUSER_ID, {})["res.users"].browse(self.uid)
        context = {
            "lang": "en_US",
            "tz": "Europe/Madrid",
            "uid": self.uid,
            "allowed_company_ids": user.company_id.ids,
        }
        return api.Environment(cr, self.uid, context)

    def calls(self):
        """(label, callable taking an env) of every screen."""
        list_spec, kanban_spec = self.specs["list"], self.specs["kanban"]
        group_by = self.specs["kanban_group_by"]
        rows, cols, measures = self.pivot
        domain = self.open_domain

        def cases(env):
            return env["crm.case"].with_context(**self.specs["context"])

        def kanban_column(group_domain):
            return lambda env: cases(env).web_search_read(
                group_domain, kanban_spec, limit=KANBAN_LIMIT, count_limit=COUNT_LIMIT
            )

        # after the columns, the web client asks each unfolded column for its
        # first cards, all at once
        with self.registry.cursor() as cr:
            groups = cases(self.env(cr)).web_read_group(
                domain, ["__count"], [group_by]
            )["groups"]
        columns = [
            (f"kanban cards {group[group_by][1]}", group["__domain"])
            for group in groups
            if group[group_by]
            and not group.get("__fold")
            and group.get(f"{group_by}_count")
        ]

        def pivot_headers(groupby):
            return lambda env: env["crm.case"].read_group(
                [], measures, groupby, lazy=False
            )

        # the pivot reads one group per combination of its row and column
        # headers, each in a request of its own, sent at once
        pivot = [
            (f"pivot {' x '.join(rows[:i] + cols[:j]) or 'total'}", rows[:i] + cols[:j])
            for i in range(len(rows) + 1)
            for j in range(len(cols) + 1)
        ]

        def by_section(env):
            Section = env["crm.case.section"]
            result = Section.hierarchy_read(
                [("parent_id", "=", False), *self.by_section_domain],
                self.hierarchy,
                "parent_id",
                "child_ids",
            )
            if not result:
                Section.hierarchy_read(
                    self.by_section_domain, self.hierarchy, "parent_id", "child_ids"
                )

        return [
            (
                "list",
                lambda env: cases(env).web_search_read(
                    domain, list_spec, limit=LIST_LIMIT, count_limit=COUNT_LIMIT
                ),
            ),
            (
                "kanban columns",
                lambda env: cases(env).web_read_group(domain, ["__count"], [group_by]),
            ),
            *((label, kanban_column(d)) for label, d in columns),
            *((label, pivot_headers(groupby)) for label, groupby in pivot),
            (
                "name_search number",
                lambda env: env["crm.case"].name_search(self.number, limit=8),
            ),
            (
                "search e-mail",
                lambda env: cases(env).web_search_read(
                    [("email_from", "ilike", self.email)],
                    list_spec,
                    limit=LIST_LIMIT,
                    count_limit=COUNT_LIMIT,
                ),
            ),
            ("cases by section", by_section),
            (
                "form",
                lambda env: env["crm.case"]
                .browse(self.case_id)
                .web_read(self.specs["form"]),
            ),
        ]

    def measure(self, call):
        """Median seconds and queries of ``call`` over RUNS transactions."""
        seconds, queries = [], []
        for _run in range(RUNS):
            with self.registry.cursor() as cr:
                env = self.env(cr)
                count, start = odoo.sql_db.sql_counter, time.perf_counter()
                call(env)
                seconds.append(time.perf_counter() - start)
                queries.append(odoo.sql_db.sql_counter - count)
                cr.rollback()
        return statistics.median(seconds), statistics.median(queries)


def run_screens(registry, users, errors):
    table = {}
    for role in ROLES:
        screens = Screens(registry, users[role])
        for label, call in screens.calls():
            seconds, queries = screens.measure(call)
            table[role, label] = (seconds, queries)
            if seconds >= MAX_SCREEN_SECONDS:
                errors.append(f"{label} as the {role} user took {seconds:.2f} s")
    labels = list(dict.fromkeys(label for _role, label in table))
    print("\nscreens: median ms (queries) of each call, as each user")
    print(f"{'call':<40}" + "".join(f"{role:>18}" for role in ROLES))
    for label in labels:
        cells = [table.get((role, label)) for role in ROLES]
        print(
            f"{label:<40}"
            + "".join(
                f"{cell[0] * 1000:11.0f} ({cell[1]:3})" if cell else f"{'-':>18}"
                for cell in cells
            )
        )
    return {f"{role}/{label}": value for (role, label), value in table.items()}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_portal(args, portal_partner, errors):
    """/my/cases and a case page through odoo-bin's HTTP server, as the
    portal customer; the queries from the server's request log."""
    with odoo.modules.registry.Registry(args.database).cursor() as cr:
        cr.execute(
            "SELECT count(*), min(c.id) FROM crm_case c JOIN res_partner p "
            "ON p.id = c.partner_id WHERE p.commercial_partner_id = %s",
            [portal_partner],
        )
        company_cases, case_id = cr.fetchone()
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = subprocess.Popen(
        [
            sys.executable,
            os.path.join(os.path.dirname(odoo.__path__[0]), "odoo-bin"),
            "--addons-path",
            args.addons_path,
            "-d",
            args.database,
            "--db-filter",
            f"^{args.database}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(port),
            "--max-cron-threads",
            "0",
            "--log-level",
            "info",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    figures = {}
    try:
        session = requests.Session()
        for _attempt in range(120):
            try:
                page = session.get(f"{url}/web/login", timeout=30)
                break
            except requests.ConnectionError:
                time.sleep(1)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        session.post(
            f"{url}/web/login",
            data={
                "login": "bench.portal",
                "password": "bench.portal",
                "csrf_token": csrf,
            },
            timeout=60,
        )
        for label, path in (
            ("/my/cases", "/my/cases"),
            ("case page", f"/my/cases/{case_id}"),
        ):
            session.get(url + path, timeout=60)  # warm-up
            times = []
            for _run in range(RUNS):
                start = time.perf_counter()
                response = session.get(url + path, timeout=60)
                times.append(time.perf_counter() - start)
                if response.status_code != 200 or "/web/login" in response.url:
                    errors.append(
                        f"portal {path}: {response.status_code} {response.url}"
                    )
            figures[label] = {"path": path, "seconds": statistics.median(times)}
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.seek(0)
        requests_log = REQUEST_LOG.findall(log.read())
        log.close()
        os.unlink(log.name)
    for row in figures.values():
        counts = [
            int(q) for path, _status, q, *_ in requests_log if path == row["path"]
        ]
        row["queries"] = statistics.median(counts[-RUNS:]) if counts else None
        if row["seconds"] >= MAX_PORTAL_SECONDS:
            errors.append(f"portal {row['path']} took {row['seconds']:.2f} s")
    print(
        f"\nportal, a customer whose company holds {company_cases:,} cases "
        "(odoo-bin over HTTP, median of 3)"
    )
    for label, row in figures.items():
        print(
            f"  {label:<12} {row['seconds'] * 1000:7.0f} ms  {row['queries']} queries"
        )
    return dict(figures, company_cases=company_cases)


def main():
    parser = arguments(__doc__)
    parser.add_argument("--json", metavar="FILE", help="write the figures there")
    args = parser.parse_args()
    registry = open_registry(args)
    errors = []
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        users = {
            role: env["res.users"].search([("login", "=", f"bench.{role}")]).id
            for role in ROLES
        }
        portal_partner = (
            env["res.users"]
            .search([("login", "=", "bench.portal")])
            .commercial_partner_id.id
        )
        cr.execute("SELECT count(*) FROM crm_case")
        (cases,) = cr.fetchone()
        sections = env["crm.case.section"].search_count([])
        cr.execute("SHOW jit")
        (jit,) = cr.fetchone()
    print(
        f"\nscreens on {sections:,} sections and {cases:,} cases (PostgreSQL jit={jit})"
    )
    figures = {"screens": run_screens(registry, users, errors)}
    figures["portal"] = run_portal(args, portal_partner, errors)
    if args.json:
        with open(args.json, "w") as file:
            json.dump(figures, file, indent=2)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
