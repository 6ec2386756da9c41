# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cases waiting on a silent customer: reminded, then closed, counted in
working days of the section's calendar."""

from odoo import api, fields, models
from odoo.osv import expression


class CrmCaseAutoCloseMixin(models.AbstractModel):
    """A case in a stage that waits on the customer, without word from
    him for the reminder delay of its section (or the nearest one above
    that has one), gets a reminder mail; still without word for the
    closing delay after it, it is closed with a last mail saying so. The
    customer's answer stops the clock; the company's answer, or entering
    such a stage again, starts it anew."""

    _name = "crm.case.auto.close.mixin"
    _description = "Case Auto-close"

    # what the methods below read; crm.case completes these fields
    section_id = fields.Many2one("crm.case.section")
    stage_id = fields.Many2one("crm.case.stage")
    is_closed = fields.Boolean()
    auto_close_since = fields.Datetime(
        "Waiting on the Customer Since",
        readonly=True,
        copy=False,
        help="Since when the case waits for word from the customer.",
    )
    date_auto_close_reminder = fields.Datetime(
        "Customer Reminder Due",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    date_auto_close = fields.Datetime(
        "Auto-close Due",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the case is closed if the customer still says nothing.",
    )
    auto_closed = fields.Boolean("Closed for Lack of Answer", readonly=True, copy=False)

    def write(self, vals):
        res = super().write(vals)
        if "stage_id" in vals:
            self._update_auto_close_on_stage()
        return res

    def _update_auto_close_on_stage(self):
        """A case entering a stage that waits on the customer starts its
        clock; one leaving it stops it; one reopened is no longer closed
        for lack of answer."""
        waiting = self.filtered("stage_id.is_waiting_for_customer")
        waiting.filtered(lambda case: not case.auto_close_since)._start_auto_close(
            fields.Datetime.now()
        )
        (self - waiting)._stop_auto_close()
        self.filtered(lambda case: case.auto_closed and not case.is_closed).write(
            {"auto_closed": False}
        )

    def _message_post_after_hook(self, message, msg_vals):
        """The customer's word stops the clock; the company's answer to him
        while the case waits on him starts it anew."""
        res = super()._message_post_after_hook(message, msg_vals)
        if self.env.context.get(
            "mail_gateway_automated"
        ) or not self._is_conversation_message(message):
            return res
        if message.author_id and not message.author_id.partner_share:
            if self.stage_id.is_waiting_for_customer:
                self._start_auto_close(message.date)
        elif self.auto_close_since:
            self._stop_auto_close()
        return res

    def _message_track_post_template(self, changes):
        # the auto-close mail tells the customer why his case closed: the
        # closing stage's own mail would say it a second time
        if changes and "stage_id" in changes and self.auto_closed:
            changes = set(changes) - {"stage_id"}
        return super()._message_track_post_template(changes)

    def _start_auto_close(self, since):
        """Start the clock of the cases at ``since``: the reminder is due
        that many working days later, as their section says."""
        for calendar, delays, cases in self._group_by_auto_close_clock():
            [due] = calendar._plan_working_days_batch([(since, delays[0])])
            cases.write(
                {
                    "auto_close_since": since,
                    "date_auto_close_reminder": due,
                    "date_auto_close": False,
                }
            )

    def _group_by_auto_close_clock(self):
        """The cases by their section's calendar and auto-close delays; the
        clock of those whose section no longer closes silent cases stops."""
        for (calendar, delays), cases in self.grouped(
            lambda case: (
                case.section_id.resource_calendar_id,
                case.section_id._get_auto_close_delays(),
            )
        ).items():
            if delays:
                yield calendar, delays, cases
            else:
                cases._stop_auto_close()

    def _stop_auto_close(self):
        self.filtered(
            lambda case: case.auto_close_since
            or case.date_auto_close_reminder
            or case.date_auto_close
        ).write(
            {
                "auto_close_since": False,
                "date_auto_close_reminder": False,
                "date_auto_close": False,
            }
        )

    def _get_auto_close_stage(self):
        """The first closing stage of the case's section."""
        self.ensure_one()
        return self.env["crm.case.stage"].search(
            expression.AND(
                [self._stage_domain(self.section_id), [("is_closed", "=", True)]]
            ),
            limit=1,
        )

    def _send_auto_close_mail(self, xmlid):
        """Mail the customers the template ``xmlid``, logged in the chatter
        as what they received."""
        template = self.env.ref(xmlid, raise_if_not_found=False)
        cases = self.filtered(lambda case: case.partner_id.email or case.email_from)
        if not (template and cases):
            return
        reply_to = cases._notify_get_reply_to()
        for address, batch in cases.grouped(lambda case: reply_to[case.id]).items():
            template.sudo().send_mail_batch(
                batch.ids,
                email_values={
                    "reply_to": address,
                    "message_type": "auto_comment",
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "mail.mt_comment"
                    ),
                    "is_notification": True,
                },
                email_layout_xmlid="mail.mail_notification_light",
            )
        self._send_mail_queue_soon()

    def _send_auto_close_reminders(self, now):
        """Remind the silent customers, and plan the close of their cases
        the section's closing delay after the reminder."""
        due = self.filtered(
            lambda case: not case.is_closed
            and case.date_auto_close_reminder
            and case.date_auto_close_reminder <= now
        )
        for calendar, delays, cases in due._group_by_auto_close_clock():
            closes = calendar._plan_working_days_batch(
                [(case.date_auto_close_reminder, delays[1]) for case in cases]
            )
            by_date = {}
            for case, close in zip(cases, closes, strict=True):
                by_date.setdefault(close, self.browse())
                by_date[close] |= case
            for close, batch in by_date.items():
                batch.write(
                    {"date_auto_close_reminder": False, "date_auto_close": close}
                )
            cases._send_auto_close_mail(
                "crm_case_sections.mail_template_case_auto_close_reminder"
            )

    def _auto_close(self, now):
        """Close the cases whose customer stayed silent, and tell him."""
        due = self.filtered(
            lambda case: not case.is_closed
            and case.date_auto_close
            and case.date_auto_close <= now
        )
        for stage, cases in due.grouped(
            lambda case: case._get_auto_close_stage()
        ).items():
            if not stage:
                continue
            cases.write({"stage_id": stage.id, "auto_closed": True})
            cases._send_auto_close_mail(
                "crm_case_sections.mail_template_case_auto_closed"
            )

    @api.model
    def _cron_auto_close(self, batch_size=200):
        """Remind the customers who left a case waiting on them, then close
        the cases they still leave waiting."""
        now = fields.Datetime.now()
        open_ = [("is_closed", "=", False)]
        self._process_in_batches(
            [*open_, ("date_auto_close_reminder", "<=", now)],
            batch_size,
            lambda cases: cases._send_auto_close_reminders(now),
        )
        self._process_in_batches(
            [*open_, ("date_auto_close", "<=", now)],
            batch_size,
            lambda cases: cases._auto_close(now),
        )
