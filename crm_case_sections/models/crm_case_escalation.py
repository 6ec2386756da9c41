# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Escalation of cases up the sections tree, and reminders."""

from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmCaseEscalationMixin(models.AbstractModel):
    """Escalation of cases up the sections tree when a deadline passes or a
    customer waits too long for an answer (counted in the working hours of
    the section's calendar), and reminders of coming dates."""

    _name = "crm.case.escalation.mixin"
    _description = "Case Escalation and Reminders"

    # what the computes below depend on; crm.case completes these fields
    section_id = fields.Many2one("crm.case.section")
    date_deadline = fields.Datetime("Closing Date")
    date_action_next = fields.Datetime("Next Meeting")
    is_escalable = fields.Boolean(
        compute="_compute_is_escalable",
        help="The section has a section above it to escalate to.",
    )
    waiting_since = fields.Datetime(
        "Waiting for an Answer Since",
        copy=False,
        readonly=True,
        help="When the customer's mail that nobody has answered yet arrived.",
    )
    # the stored computes below are precomputed: a new case gets them in
    # its INSERT, not in an UPDATE right after it
    date_escalation_due = fields.Datetime(
        "Unanswered Escalation Due",
        compute="_compute_date_escalation_due",
        store=True,
        index="btree_not_null",
        help="When the case escalates if nobody answers the customer, counted "
        "in the working hours of its section.",
        precompute=True,
    )
    deadline_escalated = fields.Boolean(
        compute="_compute_deadline_flags",
        store=True,
        readonly=False,
        copy=False,
        precompute=True,
    )
    unanswered_escalated = fields.Boolean(
        compute="_compute_unanswered_escalated",
        store=True,
        readonly=False,
        copy=False,
        precompute=True,
    )
    date_deadline_reminder = fields.Datetime(
        compute="_compute_date_reminders",
        store=True,
        index="btree_not_null",
        precompute=True,
    )
    date_action_reminder = fields.Datetime(
        compute="_compute_date_reminders",
        store=True,
        index="btree_not_null",
        precompute=True,
    )
    deadline_reminded = fields.Boolean(
        compute="_compute_deadline_flags",
        store=True,
        readonly=False,
        copy=False,
        precompute=True,
    )
    action_reminded = fields.Boolean(
        compute="_compute_action_reminded",
        store=True,
        readonly=False,
        copy=False,
        precompute=True,
    )

    @api.depends("section_id.parent_id", "section_id.escalation_section_id")
    def _compute_is_escalable(self):
        for case in self:
            case.is_escalable = bool(
                case.section_id and case.section_id._get_escalation_target()
            )

    @api.depends(
        "waiting_since",
        "section_id.escalation_delay_hours",
        "section_id.resource_calendar_id",
    )
    def _compute_date_escalation_due(self):
        # nights, week-ends and public holidays do not count: one read of
        # each calendar's working time for all its cases
        waiting = self.filtered(
            lambda case: case.waiting_since and case.section_id.escalation_delay_hours
        )
        (self - waiting).date_escalation_due = False
        for calendar, cases in waiting.grouped(
            lambda case: case.section_id.resource_calendar_id
        ).items():
            dues = calendar._plan_working_hours_batch(
                [
                    (case.waiting_since, case.section_id.escalation_delay_hours)
                    for case in cases
                ]
            )
            for case, due in zip(cases, dues, strict=True):
                case.date_escalation_due = due

    @api.depends("date_deadline")
    def _compute_deadline_flags(self):
        # a new deadline is a new cause of escalation and re-arms its reminder
        self.deadline_escalated = False
        self.deadline_reminded = False

    @api.depends("waiting_since")
    def _compute_unanswered_escalated(self):
        self.unanswered_escalated = False

    @api.depends("date_deadline", "date_action_next", "section_id.reminder_delay_hours")
    def _compute_date_reminders(self):
        for case in self:
            before = timedelta(hours=case.section_id.reminder_delay_hours)
            case.date_deadline_reminder = (
                case.date_deadline and case.date_deadline - before
            )
            case.date_action_reminder = (
                case.date_action_next and case.date_action_next - before
            )

    @api.depends("date_action_next")
    def _compute_action_reminded(self):
        # a new date re-arms its reminder
        self.action_reminded = False

    # ------------------------------------------------------------
    # Waiting for an answer
    # ------------------------------------------------------------

    def _update_waiting_for_answer(self, message):
        """The clock of an unanswered case, on a message of the conversation
        (see _message_post_after_hook): the company's answer stops it, the
        customer's mail or portal answer starts it and reopens the case."""
        if message.author_id and not message.author_id.partner_share:
            # the company answered
            if self.waiting_since:
                self.waiting_since = False
            self._register_first_response(message)
        elif not self.env.context.get("mail_gateway_automated"):
            if not self.waiting_since:
                self.waiting_since = message.date
            # the customer's answer, by mail or on the portal, reopens a
            # closed case; anyone else's mail does not
            if (
                self.is_closed
                and self.section_id.reopen_on_reply
                and (
                    message.message_type == "comment"
                    or self._is_customer_address(message.email_from)
                )
            ):
                self.stage_id = self._get_reopen_stage()

    # ------------------------------------------------------------
    # Escalation
    # ------------------------------------------------------------

    def action_escalate(self):
        """Escalate by hand: to the section's escalation target, by default
        its parent section. A user who escalates a case out of his sight is
        told where it went and taken back to the cases he can see."""
        for case in self:
            if not case.section_id._get_escalation_target():
                raise UserError(
                    self.env._(
                        "Case %(case)s cannot be escalated: section %(section)s has "
                        "no escalation section and no parent section.",
                        case=case.display_name,
                        section=case.section_id.display_name,
                    )
                )
        self._escalate()
        gone = self - self._filtered_access("read")
        # sudo: where the cases went, though the user may no longer read them
        notices = [
            self.env._(
                "%(case)s escalated to %(section)s (%(user)s)",
                case=case.number,
                section=case.section_id.display_name,
                user=case.user_id.name or self.env._("unassigned"),
            )
            for case in self.sudo()
        ]
        if gone:
            # out of his sight: back to the cases he sees
            next_action = dict(
                self.env["ir.actions.act_window"]._for_xml_id(
                    "crm_case_sections.crm_case_action"
                ),
                target="main",
            )
        else:
            # the form shows the case in its new section
            next_action = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": "\n".join(notices),
                "next": next_action,
            },
        }

    def _escalate(self, reason=None, flag=None):
        """Move each case one level up, give it to the new section's
        responsible, raise its priority one step, and tell everyone why.
        The moves are flushed together, the notes logged in one go, and each
        new responsible notified once: a cron escalating thousands of cases
        costs queries per batch, not per case."""
        bodies, newcomers = {}, defaultdict(lambda: self.browse())
        for case in self.with_context(tracking_disable=True):
            source = case.section_id
            target = source._get_escalation_target()
            if not target:
                continue
            values = {
                "section_id": target.id,
                "priority": str(min(int(case.priority or 0) + 1, 3)),
            }
            if not target._assigns_automatically():
                # else a member of the target, by its method (see write)
                values["user_id"] = (target._get_responsible() or case.user_id).id
            if flag:
                values[flag] = True
            # the note says what moved: no tracking message on top of it
            case.write(values)
            responsible = case.user_id
            if reason:
                note = self.env._(
                    "Escalated from %(origin)s to %(target)s: %(reason)s.",
                    origin=source.display_name,
                    target=target.display_name,
                    reason=reason,
                )
            else:
                note = self.env._(
                    "Escalated from %(origin)s to %(target)s by %(user)s.",
                    origin=source.display_name,
                    target=target.display_name,
                    user=self.env.user.name,
                )
            bodies[case.id] = Markup("<p>%s</p>") % note
            newcomers[responsible] |= case
        escalated = self.browse(bodies)
        escalated._message_log_batch(
            bodies=bodies, author_id=self.env.user.partner_id.id
        )
        for responsible, cases in newcomers.items():
            if responsible.partner_id:
                # sudo: the new responsible follows the cases even when the
                # user who escalated them may no longer see them
                cases.sudo().message_subscribe(partner_ids=responsible.partner_id.ids)
                cases._notify_escalation(
                    responsible,
                    reason or self.env._("escalated by %s", self.env.user.name),
                )

    def _notify_escalation(self, responsible, reason):
        """One notification to the new responsible for all the cases."""
        lines = Markup("").join(
            Markup("<li>%s</li>") % case._get_mail_link() for case in self
        )
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=responsible.partner_id.ids,
            subject=self.env._("Cases escalated to you: %s", len(self)),
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (self.env._("These cases are now yours (%s):", reason), lines),
        )

    def _get_mail_link(self):
        """Odoo's link to a record, ``_get_html_link()``, opens it from the
        chatter and Discuss only (``href="#"``): this one also opens it from
        the e-mail the notification becomes, through Odoo's /mail/view."""
        self.ensure_one()
        return Markup("<a href='%s' data-oe-model='%s' data-oe-id='%s'>%s</a>") % (
            self._notify_get_action_link("view"),
            self._name,
            self.id,
            self.display_name,
        )

    @api.model
    def _cron_escalate(self, batch_size=500):
        """Escalate the open cases whose deadline passed and those nobody
        answered within their section's delay; each cause once."""
        now = fields.Datetime.now()
        escalatable = [
            ("is_closed", "=", False),
            ("section_id.active", "=", True),
            "|",
            ("section_id.escalation_section_id", "!=", False),
            ("section_id.parent_id", "!=", False),
        ]
        causes = [
            (
                [("date_deadline", "<", now), ("deadline_escalated", "=", False)],
                "deadline_escalated",
                self.env._("the deadline passed"),
            ),
            (
                [
                    ("date_escalation_due", "<=", now),
                    ("unanswered_escalated", "=", False),
                ],
                "unanswered_escalated",
                self.env._("the customer waited for an answer too long"),
            ),
        ]
        for domain, flag, reason in causes:
            self._process_in_batches(
                escalatable + domain,
                batch_size,
                lambda cases, flag=flag, reason=reason: cases._escalate_once(
                    flag, reason
                ),
            )

    def _escalate_once(self, flag, reason):
        self.filtered(lambda case: not case[flag])._escalate(reason, flag=flag)

    # ------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self, batch_size=500):
        """Remind the responsible (and the customer, if the section says so)
        of a coming deadline or next action, once per date."""
        now = fields.Datetime.now()
        for date_field, reminder_field, flag in (
            ("date_deadline", "date_deadline_reminder", "deadline_reminded"),
            ("date_action_next", "date_action_reminder", "action_reminded"),
        ):
            domain = [
                ("is_closed", "=", False),
                (reminder_field, "<=", now),
                (date_field, ">=", now),
                (flag, "=", False),
            ]
            self._process_in_batches(
                domain,
                batch_size,
                lambda cases, flag=flag, date_field=date_field: cases._remind_once(
                    flag, date_field
                ),
            )

    def _remind_once(self, flag, date_field):
        cases = self.filtered(lambda case: not case[flag])
        cases.write({flag: True})
        template = self.env.ref(
            "crm_case_sections.mail_template_case_reminder", raise_if_not_found=False
        )
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        label = self._fields[date_field].get_description(self.env)["string"]
        assigned = cases.filtered("user_id")
        activities = []
        for case in assigned:
            activities.append(
                {
                    "res_model_id": model_id,
                    "res_id": case.id,
                    "activity_type_id": activity_type.id,
                    "user_id": case.user_id.id,
                    "summary": self.env._(
                        "%(date)s of %(case)s", date=label, case=case.number
                    ),
                    "date_deadline": fields.Date.context_today(case, case[date_field]),
                }
            )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            activities
        )
        if template:
            template.sudo().send_mail_batch(
                assigned.ids,
                email_layout_xmlid="mail.mail_notification_light",
            )
        customers = cases.filtered(
            lambda case: case.section_id.remind_customer
            and case.section_id.customer_reminder_template_id
            and case.email_from
        )
        for customer_template in customers.section_id.customer_reminder_template_id:
            customer_template.sudo().send_mail_batch(
                customers.filtered(
                    lambda case,
                    t=customer_template: case.section_id.customer_reminder_template_id
                    == t
                ).ids
            )
