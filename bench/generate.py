"""Data of the benchmarks at scale, shared by the gateway, crons, service
levels and screens benchmarks: 1,000 sections, their responsibles, the users
of the screens and a portal customer through the ORM; then the case rows by
SQL (plain columns only); then the addon computes every stored computed field
of those cases with its own code, by batches, committing between them.

Where each case goes, by ``g % 200`` (g = 1 .. number of cases):
  0  deadline passed: escalation due        1  unanswered too long: escalation due
  2  deadline within 24 h: reminder due     3  next action within 24 h: reminder due
  4-63    closed (some were waiting for an answer, deadlines passed)
  64-99   open, deadline passed, already escalated and reminded
  100     open, deadline passed, in a department: nowhere to escalate to
  101-120 open, unanswered and already escalated
  121-130 open, deadline and next action within 24 h, already reminded
  131-199 open, dates days ahead or none; a few waiting for an answer since
          minutes; the portal customer's company holds 150 and 151
"""

import json
import time
from contextlib import closing

import psycopg2
from common import arguments, open_registry

import odoo
from odoo import api
from odoo.tools import split_every

# 10 departments of 9 teams of 10 desks: 1,000 sections
TOPS, TEAMS, DESKS = 10, 9, 10
SECTIONS = TOPS * (1 + TEAMS * (1 + DESKS))
RESPONSIBLES = 10
DUE_SHARE = 200  # for each of the 4 causes, 1 case in 200 is due
PORTAL_SLOTS = (150, 151)  # 10,000 cases of 1,000,000
# editable fields whose compute re-arms a cron: what the crons did is data
HISTORY_FIELDS = (
    "deadline_escalated",
    "unanswered_escalated",
    "deadline_reminded",
    "action_reminded",
)
SUBJECTS = [
    "Quote for drums of hydraulic oil",
    "Delivery delayed",
    "Cloudy gear oil",
    "Invoice does not match",
    "Safety data sheet",
]
USER_GROUP = "crm_case_sections.group_case_user"
MANAGER_GROUP = "crm_case_sections.group_case_manager"

CASES_SQL = """
WITH plan AS (
    SELECT g, g %% 200 AS slot, g / 200 AS k,
           %(now)s::timestamp AS now,
           %(now)s::timestamp - interval '30 seconds' * (%(cases)s - g) AS created
      FROM generate_series(%(first)s, %(last)s) AS g
), placed AS (
    SELECT plan.*,
           CASE WHEN slot = 0 THEN esc[1 + k %% cardinality(esc)]
                WHEN slot = 1 THEN waiting[1 + k %% cardinality(waiting)]
                WHEN slot = 100 THEN tops[1 + k %% cardinality(tops)]
                WHEN slot = ANY(%(portal_slots)s)
                     THEN desks[1 + k %% cardinality(desks)]
                ELSE every[1 + (k + 37 * slot) %% cardinality(every)] END
               AS section_id,
           slot BETWEEN 4 AND 63 AS closed,
           slot = ANY(%(portal_slots)s) AS portal,
           CASE WHEN slot = 0 THEN now - interval '1 hour' * (1 + k %% 720)
                WHEN slot = 1 AND k %% 2 = 1
                     THEN now + interval '1 day' * (10 + k %% 50)
                WHEN slot = 2 OR slot BETWEEN 121 AND 130
                     THEN now + interval '1 minute' * (120 + k %% 1080)
                WHEN slot = 3 AND k %% 2 = 1
                     THEN now + interval '1 day' * (30 + k %% 300)
                WHEN slot BETWEEN 4 AND 100
                     THEN now - interval '1 day' * (1 + k %% 400)
                WHEN slot BETWEEN 101 AND 120 AND k %% 2 = 1
                     THEN now + interval '1 day' * (3 + k %% 300)
                WHEN slot >= 131 AND k %% 3 > 0
                     THEN now + interval '1 day' * (3 + k %% 360) END
               AS date_deadline,
           CASE WHEN slot = 3 OR slot BETWEEN 121 AND 130
                     THEN now + interval '1 minute' * (120 + k %% 1080)
                WHEN slot BETWEEN 4 AND 63 AND k %% 5 = 0
                     THEN now - interval '1 day' * (1 + k %% 400)
                WHEN slot >= 131 AND k %% 4 = 0
                     THEN now + interval '1 day' * (2 + k %% 60) END
               AS date_action_next,
           -- a week back at least: past any section's delay in working hours
           CASE WHEN slot = 1 THEN now - interval '1 hour' * (168 + k %% 168)
                WHEN slot BETWEEN 4 AND 13
                     THEN now - interval '1 day' * (5 + k %% 100)
                WHEN slot BETWEEN 101 AND 120
                     THEN now - interval '1 day' * (8 + k %% 30)
                WHEN slot >= 131 AND k %% 5 = 0
                     THEN now - interval '1 minute' * (k %% 60) END
               AS waiting_since
      FROM plan, (SELECT %(every)s::int[] AS every, %(tops)s::int[] AS tops,
                         %(desks)s::int[] AS desks, %(escalating)s::int[] AS esc,
                         %(waiting)s::int[] AS waiting) AS pool
)
INSERT INTO crm_case (
    number, name, section_id, type_id, stage_id, priority, user_id,
    partner_id, active, color, contact_name, email_from, channel_id,
    expected_revenue, planned_cost, probability, date_closed,
    date_deadline, date_action_next, waiting_since,
    deadline_escalated, unanswered_escalated, deadline_reminded, action_reminded,
    create_uid, write_uid, create_date, write_date)
SELECT 'B' || lpad(g::text, 7, '0'),
       (%(subjects)s::text[])[1 + g %% cardinality(%(subjects)s::text[])]
           || ' #' || g,
       section_id,
       CASE WHEN portal THEN %(portal_type)s
            ELSE (%(types)s::int[])[1 + g %% cardinality(%(types)s::int[])] END,
       CASE WHEN closed THEN (%(closed_stages)s::int[])[1 + k %% 2]
            ELSE (%(open_stages)s::int[])[1 + k %% 3] END,
       ((g / 7) %% 4)::text,
       -- the section's responsible, as create() sets it; a few unassigned
       CASE WHEN k %% 10 <> 9
            THEN (%(responsibles)s::int[])[array_position(%(every)s::int[], section_id)]
       END,
       CASE WHEN portal THEN (%(portal_partners)s::int[])[1 + k %% 2] END,
       true, 0,
       CASE WHEN NOT portal THEN 'Customer ' || g %% 50000 END,
       CASE WHEN NOT portal AND k %% 20 <> 19
            THEN 'customer' || g %% 50000 || '@example.com' END,
       (%(channels)s::int[])[1 + g %% cardinality(%(channels)s::int[])],
       (g %% 100) * 150, (g %% 100) * 50, (g %% 11) * 10,
       CASE WHEN closed THEN LEAST(created + interval '2 days', now) END,
       date_deadline, date_action_next, waiting_since,
       slot BETWEEN 64 AND 99,
       slot BETWEEN 101 AND 120,
       slot = 0 OR slot BETWEEN 64 AND 100 OR slot BETWEEN 121 AND 130,
       slot BETWEEN 121 AND 130,
       %(uid)s, %(uid)s, created, created
  FROM placed
"""


class Measure:
    """Wall time and SQL queries of a block."""

    def __enter__(self):
        self.queries, self.start = odoo.sql_db.sql_counter, time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.queries = odoo.sql_db.sql_counter - self.queries


def create_users(env):
    """The responsibles of the sections, the users of the screens and a
    portal customer of a company; return them by role."""
    Users = env["res.users"].with_context(no_reset_password=True)
    user_group, manager_group = env.ref(USER_GROUP), env.ref(MANAGER_GROUP)
    responsibles = Users.create(
        [
            {
                "name": f"Responsible {index}",
                "login": f"bench.responsible{index}",
                "email": f"responsible{index}@bench.example.com",
                "groups_id": [(4, user_group.id)],
            }
            for index in range(1, RESPONSIBLES + 1)
        ]
    )
    screen_users = Users.create(
        [
            {
                "name": f"Bench {role}",
                "login": f"bench.{role}",
                "email": f"{role}@bench.example.com",
                "groups_id": [(4, group.id)],
            }
            for role, group in (
                ("support", user_group),
                ("department", user_group),
                ("manager", manager_group),
            )
        ]
    )
    company = env["res.partner"].create(
        {"name": "Talleres Bench S.L.", "is_company": True}
    )
    contacts = env["res.partner"].create(
        [
            {
                "name": name,
                "email": f"{login}@talleres-bench.example.com",
                "parent_id": company.id,
            }
            for name, login in (("Carmen Bench", "carmen"), ("Luis Bench", "luis"))
        ]
    )
    portal_user = Users.create(
        {
            "name": contacts[0].name,
            "login": "bench.portal",
            "password": "bench.portal",
            "partner_id": contacts[0].id,
            "groups_id": [(6, 0, env.ref("base.group_portal").ids)],
        }
    )
    return responsibles, screen_users, portal_user, contacts


def create_sections(env, responsibles, screen_users):
    """The tree through the ORM: a responsible on every department and on
    the first team of each; delays on half the teams and desks; the
    next-to-last desk of each team escalates straight to its department; the
    last one reminds customers too."""
    Section = env["crm.case.section"]
    types = env["crm.case.type"].search([])
    tops = Section.create(
        [
            {
                "name": f"Department {t + 1}",
                "user_id": responsibles[t % len(responsibles)].id,
                "default_type_id": types[t % len(types)].id,
            }
            for t in range(TOPS)
        ]
    )
    teams = Section.create(
        [
            {
                "name": f"Team {t + 1}.{m + 1}",
                "parent_id": top.id,
                "user_id": m == 0 and responsibles[(t + 1) % len(responsibles)].id,
                "escalation_delay_hours": 16 if (t * TEAMS + m) % 2 == 0 else 0,
            }
            for t, top in enumerate(tops)
            for m in range(TEAMS)
        ]
    )
    desks = Section.create(
        [
            {
                "name": f"{team.name.replace('Team', 'Desk')}.{d + 1}",
                "parent_id": team.id,
                "escalation_section_id": d == DESKS - 2 and team.parent_id.id,
                "escalation_delay_hours": 8 if d < DESKS // 2 else 0,
                "remind_customer": d == DESKS - 1,
            }
            for team in teams
            for d in range(DESKS)
        ]
    )
    support, department, _manager = screen_users
    desks[0].member_ids = support
    tops[0].member_ids = department
    return tops, teams, desks


def insert_cases(env, cases, sections, portal_partners, batch=100_000):
    """The case rows, plain columns only, ``batch`` per statement."""
    every = sections.sorted("id")
    stages = env["crm.case.stage"].search([])
    support_type = env["crm.case.type"].search([("kind", "=", "support")], limit=1)
    env.cr.execute("SELECT now() AT TIME ZONE 'UTC'")
    params = {
        "cases": cases,
        "now": env.cr.fetchone()[0],
        "every": every.ids,
        # the addon's own answers, asked section by section
        "responsibles": [s._get_responsible().id or None for s in every],
        "tops": every.filtered(lambda s: not s.parent_id).ids,
        "desks": every.filtered(lambda s: not s.child_ids).ids,
        "escalating": every.filtered(lambda s: s._get_escalation_target()).ids,
        "waiting": every.filtered(
            lambda s: s._get_escalation_target() and s.escalation_delay_hours
        ).ids,
        "types": env["crm.case.type"].search([]).ids,
        "portal_type": support_type.id,
        "portal_slots": list(PORTAL_SLOTS),
        "portal_partners": portal_partners.ids,
        "open_stages": stages.filtered(lambda s: not s.is_closed).ids[:3],
        "closed_stages": stages.filtered("is_closed").ids[:2],
        "channels": [
            env.ref(f"utm.utm_medium_{name}").id
            for name in ("email", "phone", "website", "direct")
        ],
        "subjects": SUBJECTS,
        "uid": env.ref("base.user_admin").id,
    }
    env.flush_all()
    for first in range(1, cases + 1, batch):
        env.cr.execute(
            CASES_SQL, dict(params, first=first, last=min(first + batch - 1, cases))
        )
        env.cr.commit()
    return params["now"]


def computed_fields(Case):
    """The stored computed fields of cases, as the ORM fills them at
    creation; what the crons did (their flags) is data."""
    return [
        field
        for field in Case._fields.values()
        if field.store and field.compute and field.name not in HISTORY_FIELDS
    ]


def recompute(env, ids, batch_size):
    """Compute the stored computed fields of the cases ``ids`` with the
    addon's own code, ``batch_size`` at a time, committing between batches;
    return the seconds and queries."""
    Case = env["crm.case"].with_context(active_test=False)
    fields_ = computed_fields(Case)
    with Measure() as measure:
        for batch_ids in split_every(batch_size, ids):
            batch = Case.browse(batch_ids)
            for field in fields_:
                env.add_to_compute(field, batch)
            batch.flush_recordset([field.name for field in fields_])
            env.cr.commit()
            env.invalidate_all()
    return measure


def vacuum_analyze(registry, tables):
    """VACUUM as autovacuum would after such an insert (it cannot run in a
    transaction), and ANALYZE for the planner."""
    _dbname, connection_info = odoo.sql_db.connection_info_for(registry.db_name)
    with closing(psycopg2.connect(**connection_info)) as connection:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def generate(registry, cases, batch_size=5000):
    """Fill the database; return what the benchmarks need to know of it and
    the time each step took."""
    figures = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        # no SMTP server here: notifications stay queued instead of being sent
        env["ir.config_parameter"].set_param("mail.mail.force.send.limit", 0)
        with Measure() as orm:
            responsibles, screen_users, _portal, contacts = create_users(env)
            tops, teams, desks = create_sections(env, responsibles, screen_users)
            env.cr.commit()
        figures["orm_seconds"] = orm.seconds
        cr.execute("SELECT COALESCE(max(id), 0) FROM crm_case")
        (base,) = cr.fetchone()
        with Measure() as insert:
            generated_at = insert_cases(env, cases, tops | teams | desks, contacts)
        figures["insert_seconds"] = insert.seconds
        cr.execute("SELECT id FROM crm_case WHERE id > %s ORDER BY id", [base])
        ids = [row[0] for row in cr.fetchall()]
        # the planner needs statistics before the recompute reads the rows
        vacuum_analyze(registry, ["crm_case", "crm_case_section"])
        measure = recompute(env, ids, batch_size)
        figures["recompute_seconds"] = measure.seconds
        figures["recompute_queries"] = measure.queries
        figures["computed_fields"] = len(computed_fields(env["crm.case"]))
        figures.update(
            cases=cases,
            sections=len(tops | teams | desks),
            generated_at=generated_at,
            portal_partner=contacts[0].parent_id.id,
        )
    start = time.perf_counter()
    vacuum_analyze(registry, ["crm_case", "crm_case_section", "mail_followers"])
    registry.clear_cache()  # the sections' record rules are cached
    figures["vacuum_seconds"] = time.perf_counter() - start
    figures["seconds"] = sum(
        figures[key]
        for key in (
            "orm_seconds",
            "insert_seconds",
            "recompute_seconds",
            "vacuum_seconds",
        )
    )
    return figures


def print_generation(figures):
    print(
        f"\ngenerated {figures['sections']:,} sections and users through the ORM in "
        f"{figures['orm_seconds']:.1f} s; {figures['cases']:,} case rows by SQL in "
        f"{figures['insert_seconds']:.1f} s; their {figures['computed_fields']} "
        f"stored computed fields by the addon in {figures['recompute_seconds']:.1f} s "
        f"({figures['recompute_queries']:,} queries, "
        f"{figures['cases'] / max(figures['recompute_seconds'], 0.001):,.0f} cases/s); "
        f"VACUUM ANALYZE {figures['vacuum_seconds']:.1f} s"
    )


def main():
    parser = arguments(__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--json", metavar="FILE", help="write the figures there")
    args = parser.parse_args()
    registry = open_registry(args)
    figures = generate(registry, args.cases, args.batch_size)
    print_generation(figures)
    if args.json:
        with open(args.json, "w") as file:
            json.dump(figures, file, indent=2, default=str)


if __name__ == "__main__":
    main()
