# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cases born or moved without a chosen responsible go to a member of their
section by its assignment method (crm.case.section.assignment.mixin); those
nobody can take wait, and a cron hands them out as members come to work."""

import threading
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.tools import SQL

from .crm_case_section_assignment import AUTOMATIC_METHODS


class CrmCaseAssignmentMixin(models.AbstractModel):
    _name = "crm.case.assignment.mixin"
    _description = "Case Assignment"

    # completed by crm.case
    section_id = fields.Many2one("crm.case.section")

    def init(self):
        res = super().init()
        if self._abstract:
            return res
        # the members' loads: their open cases in a section's sub-tree,
        # counted on every assignment; the index holds open cases only
        tools.create_index(
            self.env.cr,
            "crm_case_open_section_user_index",
            self._table,
            ["section_id", "user_id"],
            where='("is_closed" IS NULL OR NOT "is_closed") AND "active" '
            'AND "user_id" IS NOT NULL',
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        """Mail, portal, form: a case without a responsible chosen by the
        user goes to a member of a section that assigns automatically."""
        notes = {}
        if not self.env.context.get("default_user_id"):
            default_section = self.env.context.get("default_section_id")
            todo = defaultdict(list)
            for index, vals in enumerate(vals_list):
                section_id = vals.get("section_id") or default_section
                if section_id and not vals.get("user_id"):
                    todo[section_id].append(index)
            for section_id, indexes in todo.items():
                section = self.env["crm.case.section"].browse(section_id)
                if not section._assigns_automatically():
                    continue
                for index, (user, note) in zip(
                    indexes, section._assign_pick(len(indexes)), strict=True
                ):
                    vals_list[index] = dict(vals_list[index], user_id=user.id)
                    notes[index] = note
        cases = super().create(vals_list)
        if notes:
            cases._log_assignment(
                {cases[index].id: note for index, note in notes.items()}
            )
        return cases

    def write(self, vals):
        """Hand-over and escalation: cases moved without a responsible into
        a section that assigns automatically go to one of its members."""
        section = self.env["crm.case.section"].browse(vals.get("section_id"))
        if vals.get("user_id") or not section or not section._assigns_automatically():
            return super().write(vals)
        moving = self.filtered(lambda case: case.section_id != section)
        if not moving:
            return super().write(vals)
        if self - moving:
            super(CrmCaseAssignmentMixin, self - moving).write(vals)
        picks = section._assign_pick(len(moving))
        notes = {}
        by_user = defaultdict(list)
        for case, (user, note) in zip(moving, picks, strict=True):
            by_user[user].append(case.id)
            notes[case.id] = note
        for user, case_ids in by_user.items():
            super(CrmCaseAssignmentMixin, self.browse(case_ids)).write(
                dict(vals, user_id=user.id)
            )
        moving._log_assignment(notes)
        return True

    def _log_assignment(self, notes):
        """Say in the chatter of each case why it went to whom."""
        self._message_log_batch(
            bodies={
                case_id: Markup("<p>%s</p>") % note for case_id, note in notes.items()
            },
            author_id=self.env["ir.model.data"]._xmlid_to_res_id("base.partner_root"),
        )

    def _notify_assignment(self, user):
        """One notification to ``user`` for all the cases of ``self``, in
        his language (the cron's user is not the one who reads it)."""
        cases = self.with_context(lang=user.lang)
        lines = Markup("").join(
            Markup("<li>%s</li>") % case._get_mail_link() for case in cases
        )
        cases.env["mail.thread"].sudo().message_notify(
            partner_ids=user.partner_id.ids,
            subject=cases.env._("Cases assigned to you: %s", len(cases)),
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (cases.env._("These waiting cases are now yours:"), lines),
        )

    @api.model
    def _cron_assign_waiting(self, batch_size=200):
        """Hand out the open cases that wait for a member, by their section's
        method, as members come to work: each member present gets his share
        of the queue (counted among those working within the next hours),
        the oldest cases first, in bounded batches; each member is told
        once of all the cases he got."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        waiting_domain = [
            ("user_id", "=", False),
            ("is_closed", "=", False),
            ("section_id.assign_section_id.assign_method", "in", AUTOMATIC_METHODS),
        ]
        groups = self._read_group(waiting_domain, ["section_id"], ["__count"])
        waiting = defaultdict(int)
        for section, count in groups:
            waiting[section.assign_section_id] += count
        given_by_user = defaultdict(list)
        for section, count in groups:
            left = count
            while left > 0:
                source = section.assign_section_id
                state = section._assign_prepare(waiting=waiting[source])
                room = sum(max(n, 0) for n in state["allowance"].values())
                if not room:
                    break  # nobody at work can take one now
                cases = self._lock_cases(
                    SQL(
                        "section_id = %s AND user_id IS NULL AND active "
                        "AND NOT COALESCE(is_closed, FALSE)",
                        section.id,
                    ),
                    order=SQL("id"),
                    limit=min(batch_size, room, left),
                )
                if not cases:
                    break
                given = cases._assign_batch(section, state)
                for case_id, user in given.items():
                    given_by_user[user].append(case_id)
                waiting[source] -= len(given)
                left -= len(cases)
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                if len(given) < len(cases):
                    break  # the members at work are full
        for user, case_ids in given_by_user.items():
            self.browse(case_ids)._notify_assignment(user)
        return sum(len(case_ids) for case_ids in given_by_user.values())

    def _assign_batch(self, section, state):
        """Give the cases of ``self``, waiting in ``section``, to its members
        by ``state`` (_assign_prepare); return the member of each case
        given."""
        picks = dict(
            zip(self, [section._assign_next(state) for _case in self], strict=False)
        )
        section._assign_save_turns(state)
        given = {case: pick for case, pick in picks.items() if pick[0]}
        by_user = defaultdict(lambda: self.browse())
        for case, (user, _note) in given.items():
            by_user[user] |= case
        for user, cases in by_user.items():
            # the note says who and why: no tracking message; the member is
            # told once at the end of the run, as crm's lead assignment does
            cases.with_context(
                mail_auto_subscribe_no_notify=True, mail_notrack=True
            ).write({"user_id": user.id})
        self.browse([case.id for case in given])._log_assignment(
            {case.id: note for case, (_user, note) in given.items()}
        )
        return {case.id: user for case, (user, _note) in given.items()}
