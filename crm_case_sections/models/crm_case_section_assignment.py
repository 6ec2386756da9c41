# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who gets the new cases of a section: its responsible, or one of the
members at work, the least loaded or the next in turn."""

import math
from collections import defaultdict
from datetime import datetime, timedelta
from itertools import repeat

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

AUTOMATIC_METHODS = ("balanced", "round_robin")

# a member who starts work within this time shares the night's queue: the
# first one to arrive takes his part of it, not all of it
SPREAD_HORIZON = timedelta(hours=12)


class CrmCaseSectionAssignmentMixin(models.AbstractModel):
    _name = "crm.case.section.assignment.mixin"
    _description = "Section Case Assignment"

    # completed by crm.case.section
    parent_id = fields.Many2one("crm.case.section")
    assign_method = fields.Selection(
        [
            ("parent", "As the Parent Section"),
            ("manual", "Section Responsible"),
            ("balanced", "Balanced Workload"),
            ("round_robin", "Round Robin"),
        ],
        string="Assignment",
        required=True,
        default="parent",
        help="Who gets the new cases: the section's responsible; the member "
        "at work with the fewest open cases (a tie goes to the one who has "
        "waited longest for a case); or the members at work in turn. A top "
        "section set as its parent assigns to its responsible.",
    )
    assign_max_open = fields.Integer(
        "Maximum Open Cases",
        help="A member with this many open cases in the section gets no more "
        "until he closes some. 0 means no maximum.",
    )
    assign_section_id = fields.Many2one(
        "crm.case.section",
        string="Assignment From",
        compute="_compute_assign_section_id",
        recursive=True,
        store=True,
        index="btree_not_null",
        help="The section whose assignment method applies: this one, or the "
        "nearest parent that has one.",
    )
    member_open_cases = fields.Char(
        "Open Cases by Member",
        compute="_compute_member_open_cases",
        help="Open cases of each member in the section and its sub-sections.",
    )

    @api.depends("assign_method", "parent_id.assign_section_id")
    def _compute_assign_section_id(self):
        for section in self:
            if section.assign_method == "parent":
                section.assign_section_id = section.parent_id.assign_section_id
            else:
                section.assign_section_id = section

    @api.constrains("assign_max_open")
    def _check_assign_max_open(self):
        if any(section.assign_max_open < 0 for section in self):
            raise ValidationError(
                self.env._(
                    "The maximum of open cases per member cannot be negative: "
                    "use 0 for no maximum."
                )
            )

    def _compute_member_open_cases(self):
        """``Ana Soporte: 2 · Bruno: 0`` for the members of each section, the
        open cases of its whole sub-tree counted in one grouped query."""
        self.member_open_cases = False
        sections = self.filtered(lambda section: section.id and section.member_ids)
        if not sections:
            return
        # sudo: a member's load counts every case, seen by the reader or not
        groups = (
            self.env["crm.case"]
            .sudo()
            ._read_group(
                [
                    ("section_id", "child_of", sections.ids),
                    ("is_closed", "=", False),
                    ("user_id", "in", sections.member_ids.ids),
                ],
                ["section_id", "user_id"],
                ["__count"],
            )
        )
        loads = defaultdict(int)
        for section, user, count in groups:
            for ancestor_id in section._get_ancestor_ids():
                loads[ancestor_id, user.id] += count
        for section in sections:
            section.member_open_cases = " · ".join(
                f"{user.name}: {loads[section.id, user.id]}"
                for user in section.member_ids.sorted("name")
            )

    # ------------------------------------------------------------
    # Assignment
    # ------------------------------------------------------------

    def _assigns_automatically(self):
        """Cases of this section go to a member chosen by the method of its
        assignment section, rather than to its responsible."""
        return self.assign_section_id.assign_method in AUTOMATIC_METHODS

    @api.model
    @tools.ormcache("section_id")
    def _get_subtree_ids(self, section_id):
        """Ids of the section and of all its sub-sections. Cached: the
        members' loads are counted on every assignment, and the ids given
        to PostgreSQL find the open cases by index (a sub-query on the tree
        makes it read every case of the members). The section's create and
        write clear the cache when the tree changes."""
        # sudo, active_test: the tree itself, whoever assigns
        return tuple(
            self.sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", section_id)])
            .ids
        )

    def _assign_pick(self, count):
        """A member (or nobody) and the note saying why, for each of
        ``count`` new cases of this section, chosen together."""
        self.ensure_one()
        state = self._assign_prepare()
        picks = [self._assign_next(state) for _index in range(count)]
        self._assign_save_turns(state)
        return picks

    def _assign_prepare(self, waiting=0):
        """What the choice of a member for this section's cases needs: the
        members at work now, their open cases and when each last got
        one. ``waiting``: the size of a queue handed out at once; each member
        present then gets at most his share of it, counted among the
        members who work within ``SPREAD_HORIZON``."""
        self.ensure_one()
        source = self.assign_section_id
        now = fields.Datetime.now()
        until = now + SPREAD_HORIZON if waiting else None
        members = self._get_assign_candidates(
            source, now, until or now + timedelta(minutes=1)
        )
        working, expected = self._get_members_at_work(members, now, until)
        member_of = {
            self.env["res.users"].browse(member["user_id"]): member
            for member in members
        }
        loads = {user: member_of[user]["open_cases"] for user in working | expected}
        allowance = {
            user: source.assign_max_open - loads[user]
            if source.assign_max_open
            else math.inf
            for user in working
        }
        if waiting and expected:
            share = math.ceil((sum(loads.values()) + waiting) / len(expected))
            for user in working:
                allowance[user] = min(allowance[user], share - loads[user])
        return {
            "source": source,
            "now": now,
            "loads": loads,
            "allowance": allowance,
            "turns": {
                user: member["last_assigned"]
                for user, member in member_of.items()
                if member["last_assigned"]
            },
            "picked": {},
        }

    def _get_assign_candidates(self, source, moment, until):
        """The active internal members of this section, or of its nearest
        parent that has members, with all the assignment needs of each, in
        one query (it runs on each new mail): name, resource and working
        hours (calendar, time zone), leaves from ``moment`` to ``until``,
        open cases in ``source``'s sub-tree and last turn there. Without a
        resource, a member works the section's hours."""
        # the bookkeeping of assignment itself: every case counts, whoever
        # reads; the members' records are not shown to anyone
        for model, fnames in (
            ("crm.case", ["user_id", "section_id", "active", "is_closed"]),
            ("crm.case.section", ["member_ids"]),
            ("res.users", ["active", "share", "partner_id"]),
            ("res.partner", ["name", "lang"]),
            ("resource.resource", None),
            ("resource.calendar", ["tz"]),
            ("resource.calendar.leaves", None),
            ("crm.case.assignment.turn", None),
        ):
            self.env[model].flush_model(fnames)
        self.env.cr.execute(
            SQL(
                """
            WITH member AS (
                SELECT rel.section_id, rel.user_id
                  FROM crm_case_section_member_rel rel
                  JOIN res_users usr ON usr.id = rel.user_id AND usr.active
                 WHERE rel.section_id = ANY(%(ancestors)s)
            )
            SELECT usr.id AS user_id, usr.partner_id, partner.name, partner.lang,
                   resource.id AS resource_id,
                   CASE WHEN resource.id IS NULL THEN %(section_calendar)s
                        ELSE resource.calendar_id END AS calendar_id,
                   COALESCE(resource.tz, calendar.tz) AS tz,
                   (SELECT COUNT(*) FROM crm_case
                     WHERE crm_case.user_id = usr.id AND crm_case.active
                       AND crm_case.section_id = ANY(%(subtree)s)
                       -- as crm_case_open_section_user_index's predicate
                       -- says it, for PostgreSQL to use that index
                       AND (crm_case.is_closed IS NULL
                            OR NOT crm_case.is_closed)) AS open_cases,
                   turn.last_assigned,
                   ARRAY(SELECT ARRAY[leave.date_from, leave.date_to]
                           FROM resource_calendar_leaves leave
                          WHERE leave.time_type = 'leave'
                            AND leave.date_from <= %(until)s
                            AND leave.date_to >= %(moment)s
                            AND (leave.calendar_id IS NULL
                                 OR leave.calendar_id = calendar.id)
                            AND (leave.resource_id = resource.id
                                 OR (leave.resource_id IS NULL
                                     AND (resource.id IS NULL
                                          OR leave.company_id IS NOT DISTINCT
                                             FROM resource.company_id)))
                   ) AS leaves
              FROM member
              JOIN res_users usr ON usr.id = member.user_id AND NOT usr.share
              JOIN res_partner partner ON partner.id = usr.partner_id
              LEFT JOIN LATERAL (
                    SELECT id, calendar_id, tz, company_id
                      FROM resource_resource
                     WHERE user_id = usr.id AND active
                       AND (company_id IS NULL OR company_id = %(company)s)
                     ORDER BY company_id NULLS LAST, id
                     LIMIT 1
                   ) resource ON TRUE
              LEFT JOIN resource_calendar calendar
                     ON calendar.id = CASE WHEN resource.id IS NULL
                                           THEN %(section_calendar)s
                                           ELSE resource.calendar_id END
              LEFT JOIN crm_case_assignment_turn turn
                     ON turn.section_id = %(source)s AND turn.user_id = usr.id
             -- the nearest section (last of the ancestors) with members
             WHERE member.section_id = (
                   SELECT section_id FROM member
                    ORDER BY array_position(%(ancestors)s, section_id) DESC
                    LIMIT 1)
             ORDER BY usr.id
                """,
                ancestors=self._get_ancestor_ids(),
                section_calendar=self.resource_calendar_id.id or None,
                subtree=list(self._get_subtree_ids(source.id)),
                moment=moment,
                until=until,
                company=self.company_id.id or None,
                source=source.id,
            )
        )
        members = self.env.cr.dictfetchall()
        # what the note and the member's assignment notice read of him, as
        # just read: no second query for them (see ir.ui.view's
        # _get_inheriting_views for the same use of the cache)
        users = self.env["res.users"].browse([row["user_id"] for row in members])
        partners = self.env["res.partner"].browse(
            [row["partner_id"] for row in members]
        )
        self.env.cache.update(users, users._fields["partner_id"], partners.ids)
        self.env.cache.update(users, users._fields["active"], repeat(True))
        for fname in ("name", "lang"):
            self.env.cache.update(
                partners, partners._fields[fname], [row[fname] for row in members]
            )
        return members

    def _assign_next(self, state):
        """The member who gets the next case, and the note that says why;
        an empty user when nobody can take it. ``state`` (_assign_prepare)
        follows each choice, so that a batch is spread as one by one."""
        source, loads = state["source"], state["loads"]
        eligible = [user for user, left in state["allowance"].items() if left > 0]
        if not eligible:
            return self.env["res.users"], self.env._(
                "No member of %(section)s can take this case now (outside working "
                "hours, on time off or at the maximum of open cases): it waits "
                "for the next one who can.",
                section=source.display_name,
            )

        def waited(user):
            return state["turns"].get(user) or datetime.min

        if source.assign_method == "balanced":
            fewest = min(loads[user] for user in eligible)
            tied = [user for user in eligible if loads[user] == fewest]
            # the turns matter only to break a tie
            user = (
                min(tied, key=lambda user: (waited(user), user.id))
                if len(tied) > 1
                else tied[0]
            )
            cases = (
                self.env._("1 open case")
                if loads[user] == 1
                else self.env._("%s open cases", loads[user])
            )
            if len(tied) > 1:
                note = self.env._(
                    "Assigned to %(user)s: %(cases)s, the fewest in %(section)s, "
                    "and the longest wait since a case was assigned.",
                    user=user.name,
                    cases=cases,
                    section=source.display_name,
                )
            else:
                note = self.env._(
                    "Assigned to %(user)s: %(cases)s, the fewest in %(section)s.",
                    user=user.name,
                    cases=cases,
                    section=source.display_name,
                )
        else:
            user = min(eligible, key=lambda user: (waited(user), user.id))
            note = self.env._(
                "Assigned to %(user)s: next in turn in %(section)s.",
                user=user.name,
                section=source.display_name,
            )
        loads[user] += 1
        state["allowance"][user] -= 1
        # always after the last turn given, even within the same instant:
        # the order of the turns holds for the next case
        latest = max(state["turns"].values(), default=state["now"])
        stamp = max(state["now"], latest + timedelta(microseconds=1))
        state["picked"][user] = stamp
        state["turns"][user] = stamp
        return user, note

    def _assign_save_turns(self, state):
        """Record when each member picked in ``state`` got his last case."""
        if not state["picked"]:
            return
        # one upsert: two workers assigning at once both keep their turn
        self.env.cr.execute(
            SQL(
                "INSERT INTO crm_case_assignment_turn "
                "(section_id, user_id, last_assigned, create_uid, create_date, "
                "write_uid, write_date) "
                "SELECT %(section)s, user_id, last, %(uid)s, %(now)s, %(uid)s, %(now)s "
                "FROM unnest(%(users)s::int[], %(lasts)s::timestamp[]) "
                "AS turn(user_id, last) "
                "ON CONFLICT (section_id, user_id) DO UPDATE "
                "SET last_assigned = GREATEST(crm_case_assignment_turn.last_assigned, "
                "EXCLUDED.last_assigned), write_date = EXCLUDED.write_date",
                section=state["source"].id,
                uid=self.env.uid,
                now=state["now"],
                users=[user.id for user in state["picked"]],
                lasts=list(state["picked"].values()),
            )
        )
        self.env["crm.case.assignment.turn"].invalidate_model()
        state["picked"] = {}

    def _get_members_at_work(self, members, moment, until=None):
        """Of ``members`` (_get_assign_candidates), the users at work at
        ``moment`` by their working hours and not on leave; and, with
        ``until``, those who work some time before it. No calendar: any
        time."""
        working = expected = self.env["res.users"]
        calendars = self.env["resource.calendar"].sudo()
        for member in members:
            user = self.env["res.users"].browse(member["user_id"])
            if not member["calendar_id"]:
                now, later = True, True
            else:
                now, later = calendars.browse(member["calendar_id"])._is_at_work(
                    member["resource_id"] or False,
                    member["tz"],
                    member["leaves"],
                    moment,
                    until,
                )
            if now:
                working |= user
            if later:
                expected |= user
        return working, (expected if until else working)
