"""Service-level benchmark on the database the follow-up benchmark filled
(1,000 sections, 1,000,000 cases): the deadlines of 10,000 new cases computed
in batches, the service-level cron over 20,000 cases at risk, and the
departments' overview as a manager opens it.

Policies are created through the ORM, the cases through ``create``; the
only SQL moves 20,000 cases' opening date back in time, the way a clock
would, so that the cron finds them at risk.
"""

import ast
import sys

from common import arguments, open_registry
from generate import Measure

import odoo
from odoo import api, fields
from odoo.tools import split_every

NEW_CASES = 10_000
AT_RISK = 20_000
SLA_FIELDS = [
    "sla_ids",
    "sla_deadline_first_response",
    "sla_deadline_resolution",
    "sla_date_at_risk",
    "sla_status",
]
OVERVIEW_SPEC = {
    "complete_name": {},
    "user_id": {"fields": {"display_name": {}}},
    "open_case_count": {},
    "unassigned_case_count": {},
    "urgent_case_count": {},
    "sla_failed_case_count": {},
    "first_response_hours_week": {},
}


def setup_policies(env):
    """A policy per department, a faster one for urgent cases per team."""
    Section = env["crm.case.section"]
    waiting = env.ref("crm_case_sections.stage_waiting")
    tops = Section.search([("parent_id", "=", False)])
    teams = Section.search([("parent_id", "in", tops.ids)])
    pause = [(6, 0, waiting.ids)]
    env["crm.case.sla"].create(
        [
            {
                "name": f"{top.name}: answer in 4 h, solve in 16 h",
                "section_id": top.id,
                "time_first_response": 4,
                "time_resolution": 16,
                "stage_ids_pause": pause,
            }
            for top in tops
        ]
        + [
            {
                "name": f"{team.name}: urgent, 1 h / 4 h",
                "section_id": team.id,
                "priority": "3",
                "time_first_response": 1,
                "time_resolution": 4,
                "stage_ids_pause": pause,
            }
            for team in teams
        ]
    )
    return Section.search([("parent_id", "in", teams.ids)])


def recompute(cases, batch_size):
    """Compute the service levels of ``cases`` as the ORM does after their
    creation, ``batch_size`` at a time; the queries of each batch."""
    per_batch = []
    for ids in split_every(batch_size, cases.ids):
        batch = cases.browse(ids)
        with Measure() as measure:
            for name in SLA_FIELDS:
                cases.env.add_to_compute(cases._fields[name], batch)
            batch.flush_recordset(SLA_FIELDS)
        per_batch.append(measure.queries)
        cases.env.invalidate_all()
    return per_batch


def new_cases(env, desks, errors):
    Case = env["crm.case"]
    with Measure() as created:
        cases = Case.browse()
        for start in range(0, NEW_CASES, 1000):
            cases |= Case.create(
                [
                    {
                        "name": f"New request {start + i}",
                        "section_id": desks[(start + i) % len(desks)].id,
                        "priority": "3" if i % 10 == 0 else "1",
                    }
                    for i in range(1000)
                ]
            )
            env.cr.commit()
    with_deadline = Case.search_count(
        [("id", "in", cases.ids), ("sla_deadline_first_response", "!=", False)]
    )
    if with_deadline != NEW_CASES:
        errors.append(f"{NEW_CASES - with_deadline} new cases without a deadline")
    figures = {}
    for batch_size in (500, 1000):
        with Measure() as measure:
            per_batch = recompute(cases, batch_size)
        figures[batch_size] = (measure.seconds, measure.queries, per_batch)
    print(
        f"\n{NEW_CASES:,} new cases created through the ORM in "
        f"{created.seconds:.1f} s ({created.queries:,} queries, service levels "
        "included)"
    )
    for batch_size, (seconds, queries, per_batch) in figures.items():
        print(
            f"  their service levels recomputed by batches of {batch_size}: "
            f"{seconds:.2f} s, {queries:,} queries, "
            f"{max(per_batch)} at most per batch"
        )
    small, large = figures[500][1], figures[1000][1]
    if large > small * 0.75:
        errors.append(
            f"service-level queries grow with the cases: {small} in batches of "
            f"500, {large} in batches of 1000"
        )
    env.cr.commit()
    return {
        "create_seconds": round(created.seconds, 2),
        "recompute": {
            size: {"seconds": round(s, 2), "queries": q, "max_per_batch": max(b)}
            for size, (s, q, b) in figures.items()
        },
    }


def at_risk_cron(registry, desks_ids, errors):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        calendar = env.company.resource_calendar_id
        now = fields.Datetime.now()
        # opened 14 working hours ago, answered: the 16-hour solution target
        # is past its 80 % mark, not yet missed
        opened = calendar.plan_hours(-14, now, compute_leaves=True)
        cr.execute(
            """
            SELECT id FROM crm_case
             WHERE section_id = ANY(%s) AND is_closed IS NOT TRUE AND active
               AND priority != '3'
             ORDER BY id LIMIT %s
            """,
            [desks_ids, AT_RISK],
        )
        ids = [row[0] for row in cr.fetchall()]
        cr.execute(
            "UPDATE crm_case SET create_date = %s, date_first_response = %s "
            "WHERE id = ANY(%s)",
            [opened, opened, ids],
        )
        cases = env["crm.case"].browse(ids)
        recompute(cases, 1000)
        cr.execute(
            "UPDATE crm_case SET sla_status = 'on_time' WHERE id = ANY(%s)", [ids]
        )
        cr.commit()
        env.invalidate_all()
        with Measure() as measure:
            env["crm.case"]._cron_update_sla()
        cr.execute(
            "SELECT sla_status, count(*) FROM crm_case WHERE id = ANY(%s) "
            "GROUP BY sla_status",
            [ids],
        )
        statuses = dict(cr.fetchall())
    print(
        f"service-level cron: {len(ids):,} cases turned at risk in "
        f"{measure.seconds:.1f} s and {measure.queries:,} queries "
        f"({measure.queries / max(len(ids), 1):.3f} per case); {statuses}"
    )
    if statuses.get("at_risk") != len(ids):
        errors.append(f"cron: {statuses} instead of {len(ids)} at risk")
    # batches of 500: a few dozen queries each, none per case
    if measure.queries > len(ids) / 10:
        errors.append(
            f"cron: {measure.queries} queries for {len(ids)} cases grow with the cases"
        )
    return {
        "cases": len(ids),
        "seconds": round(measure.seconds, 2),
        "queries": measure.queries,
        "statuses": statuses,
    }


def overview(registry, errors):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        Section = env(user=admin)["crm.case.section"]
        action = env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections.crm_case_section_action_overview"
        )
        env.invalidate_all()
        domain = ast.literal_eval(action["domain"])
        with Measure() as measure:
            rows = Section.web_search_read(domain, OVERVIEW_SPEC)["records"]
    print(
        f"overview: {len(rows)} departments with open, unassigned, urgent and "
        f"failed cases and this week's first response, in {measure.seconds:.2f} s "
        f"and {measure.queries} queries"
    )
    if measure.seconds >= 1:
        errors.append(f"the overview took {measure.seconds:.2f} s")
    return {"seconds": round(measure.seconds, 3), "queries": measure.queries}


def main():
    parser = arguments(__doc__)
    args = parser.parse_args()
    registry = open_registry(args)
    errors = []
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        desks = setup_policies(env)
        cr.commit()
        new_cases(env, desks, errors)
        desks_ids = desks.ids
    at_risk_cron(registry, desks_ids, errors)
    overview(registry, errors)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
