# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Who gets the new cases of a section: its responsible, or one of the
members at work, the least loaded or the next in turn."""

import math
from collections import defaultdict
from datetime import datetime, timedelta

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

    def _get_assign_members(self):
        """The active internal members of this section, or of its nearest
        parent that has members."""
        self.ensure_one()
        for section in self.browse(reversed(self._get_ancestor_ids())):
            if section.member_ids:
                return section.member_ids.filtered(
                    lambda user: user.active and not user.share
                )
        return self.env["res.users"]

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
        members at work now, their open cases and when each last got one.
        ``waiting``: the size of a queue handed out at once; each member
        present then gets at most his share of it, counted among the
        members who work within ``SPREAD_HORIZON``."""
        self.ensure_one()
        source = self.assign_section_id
        now = fields.Datetime.now()
        members = self._get_assign_members()
        working, expected = self._get_members_at_work(
            members, now, now + SPREAD_HORIZON if waiting else None
        )
        # sudo: a member's load counts every case, seen by the user or not
        loads = dict(
            self.env["crm.case"]
            .sudo()
            ._read_group(
                [
                    ("section_id", "in", self._get_subtree_ids(source.id)),
                    ("is_closed", "=", False),
                    ("user_id", "in", (working | expected).ids),
                ],
                ["user_id"],
                ["__count"],
            )
        )
        loads = {user: loads.get(user, 0) for user in working | expected}
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
            "members": working,
            "turns": None,  # read when needed: round robin, or a tie
            "picked": {},
        }

    def _assign_get_turns(self, state):
        """When each member at work last got a case of the section, this
        run's choices included."""
        if state["turns"] is None:
            # sudo: the turns are the assignment's own bookkeeping
            state["turns"] = {
                turn.user_id: turn.last_assigned
                for turn in self.env["crm.case.assignment.turn"]
                .sudo()
                .search_fetch(
                    [
                        ("section_id", "=", state["source"].id),
                        ("user_id", "in", state["members"].ids),
                    ],
                    ["user_id", "last_assigned"],
                )
            }
            state["turns"].update(state["picked"])
        return state["turns"]

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
            return self._assign_get_turns(state).get(user) or datetime.min

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
        turns = state["turns"] if state["turns"] is not None else state["picked"]
        latest = max(turns.values(), default=state["now"])
        stamp = max(state["now"], latest + timedelta(microseconds=1))
        state["picked"][user] = stamp
        if state["turns"] is not None:
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

    def _get_members_at_work(self, users, moment, until=None):
        """Of ``users``, those at work at ``moment`` by their working hours
        (their resource's calendar, else the section's) and not on time off;
        and, with ``until``, those who work some time before it."""
        if not users:
            return users, users
        # sudo: the resources of other users; only their calendar is read
        resources = (
            self.env["resource.resource"]
            .sudo()
            .search_fetch(
                [
                    ("user_id", "in", users.ids),
                    ("company_id", "in", [False, self.company_id.id]),
                ],
                ["user_id", "calendar_id"],
            )
        )
        resource_of = {resource.user_id: resource for resource in resources}
        by_calendar = defaultdict(lambda: self.env["resource.resource"].sudo())
        flexible = self.env["res.users"]
        without_resource = self.env["res.users"]
        for user in users:
            resource = resource_of.get(user)
            if not resource:
                without_resource |= user
            elif resource.calendar_id:
                by_calendar[resource.calendar_id] |= resource
            else:
                flexible |= user  # no calendar: works any time
        section_calendar = self.resource_calendar_id.sudo()
        if without_resource and section_calendar:
            by_calendar.setdefault(section_calendar, by_calendar[section_calendar])
        elif without_resource:
            flexible |= without_resource
        working, expected = flexible, flexible
        for calendar, calendar_resources in by_calendar.items():
            now_ids, later_ids = calendar.sudo()._get_resources_at_work(
                moment, calendar_resources, until
            )
            for user in users:
                resource = resource_of.get(user)
                if resource and resource.calendar_id == calendar:
                    key = resource.id
                elif not resource and calendar == section_calendar:
                    key = False
                else:
                    continue
                if key in now_ids:
                    working |= user
                if key in later_ids:
                    expected |= user
        return working, (expected if until else working)
