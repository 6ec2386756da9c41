"""Assignment benchmark on the database the follow-up benchmark filled (1,000
sections, 1,000,000 cases): what a new case costs when its department
assigns it by balanced workload rather than to the section's responsible,
and the cron handing out a night's queue of 5,000 waiting cases.

The department, its members and its method are set through the ORM, the new
cases made through ``create``, one at a time as the gateway makes them; the
only SQL takes the responsible off 5,000 open cases, the queue a night
without anyone at work would leave. Which member gets a case is the
addon's business, proved by its tests: this benchmark counts the queries,
the time, and how evenly the queue was spread.
"""

import sys
from collections import Counter

from common import arguments, open_registry
from generate import Measure

import odoo
from odoo import api

NEW_CASES = 300
QUEUE = 5_000
MEMBERS = 10


def per_case(env, section, count):
    """Queries and milliseconds of ``count`` cases created one at a time."""
    Case = env["crm.case"]
    with Measure() as measure:
        for index in range(count):
            Case.create({"name": f"Assignment bench {index}", "section_id": section.id})
            env.flush_all()
    return measure.queries / count, measure.seconds * 1000 / count


def new_cases(registry, errors):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        Section = env["crm.case.section"]
        department = Section.search([("parent_id", "=", False)], limit=1)
        desk = Section.search([("id", "child_of", department.id)], order="id desc")[0]
        members = env["res.users"].search(
            [("login", "like", "bench.responsible%")], limit=MEMBERS
        )
        # no working hours: the members are at work whenever it runs
        department.member_ids = members
        # a desk with members of its own hands its cases to them
        members |= Section.search([("id", "child_of", department.id)]).member_ids
        Section.search([("id", "child_of", department.id)]).resource_calendar_id = False
        department.assign_method = "manual"
        manual = per_case(env, desk, NEW_CASES)
        department.assign_method = "balanced"
        balanced = per_case(env, desk, NEW_CASES)
        cr.commit()
        open_cases = env["crm.case"].search_count(
            [("section_id", "child_of", department.id), ("is_closed", "=", False)]
        )
    extra = balanced[0] - manual[0]
    print(
        f"assignment: a new case in a department of {open_cases:,} open cases, "
        f"{balanced[0]:.1f} queries and {balanced[1]:.1f} ms by balanced workload "
        f"against {manual[0]:.1f} queries and {manual[1]:.1f} ms to the section's "
        f"responsible (+{extra:.1f} queries)"
    )
    if extra > 15:
        errors.append(f"balanced assignment costs {extra:.1f} more queries per case")
    return department.id, members.ids


def night_queue(registry, department_id, member_ids, errors):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(
            """
            UPDATE crm_case SET user_id = NULL
             WHERE id IN (
                SELECT id FROM crm_case
                 WHERE section_id IN (
                        SELECT id FROM crm_case_section
                         WHERE parent_path LIKE %s)
                   AND is_closed IS NOT TRUE AND active
                 ORDER BY id DESC LIMIT %s)
            RETURNING id
            """,
            [f"{department_id}/%", QUEUE],
        )
        ids = [row[0] for row in cr.fetchall()]
        cr.commit()
        env.invalidate_all()
        with Measure() as measure:
            assigned = env["crm.case"]._cron_assign_waiting()
        cr.execute(
            "SELECT user_id, count(*) FROM crm_case WHERE id = ANY(%s) "
            "GROUP BY user_id",
            [ids],
        )
        spread = Counter(dict(cr.fetchall()))
    waiting = spread.pop(None, 0)
    counts = sorted(spread.values())
    print(
        f"assignment cron: {assigned:,} of {len(ids):,} waiting cases handed to "
        f"{len(spread)} members in {measure.seconds:.1f} s and {measure.queries:,} "
        f"queries ({measure.queries / max(assigned, 1):.2f} per case); per member "
        f"{counts}, {waiting} left waiting"
    )
    if waiting:
        errors.append(f"cron: {waiting} cases left waiting with every member at work")
    if not set(spread) <= set(member_ids):
        errors.append("cron: cases handed to users who are not members")


def main():
    args = arguments(__doc__).parse_args()
    registry = open_registry(args)
    errors = []
    department_id, member_ids = new_cases(registry, errors)
    night_queue(registry, department_id, member_ids, errors)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
