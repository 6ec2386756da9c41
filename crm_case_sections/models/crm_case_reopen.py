# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Replies to closed cases: within the section's ``reopen_days`` of the close
the customer's reply reopens the case (crm_case_escalation); after them it
opens a new case in the same section, linked to the old one."""

import re
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .crm_case_gateway import SUBJECT_REFERENCE

REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|rv|tr|aw|sv|wg|rif|r)\s*:\s*)+", re.I)


class CrmCaseReopenMixin(models.AbstractModel):
    """Listed first in ``crm.case``'s ``_inherit``: it decides, before the
    gateway threads a reply by its headers or its subject, whether the reply
    comes too late for the closed case."""

    _name = "crm.case.reopen.mixin"
    _description = "Case Follow-up of a Closed Case"
    _inherit = ["mail.thread"]

    origin_case_id = fields.Many2one(
        "crm.case",
        "Follow-up of",
        index="btree_not_null",
        readonly=True,
        copy=False,
        ondelete="set null",
        help="The closed case the customer answered, long after its close, "
        "with the mail that opened this one.",
    )
    followup_case_ids = fields.One2many(
        "crm.case",
        "origin_case_id",
        "Follow-up Cases",
        help="Cases opened by the customer's replies to this case after its close.",
    )
    reopen_within_days = fields.Integer(
        compute="_compute_reopen_within_days",
        help="Days after the close within which the customer's reply reopens "
        "the case, from its section; 0: always.",
    )

    def _compute_reopen_within_days(self):
        # the solved mail promises a reopening only within these days
        for case in self:
            case.reopen_within_days = (
                case.section_id._get_reopen_days() if case.section_id else 0
            )

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A late reply to a closed case, found by its headers (see
        _mail_inbound_route_as_new) or by the reference in its subject: a new
        case in the old one's section, for the same customer, and a note on
        the old one."""
        # popped: message_post refuses values it does not know
        origin_id = msg_dict.pop("crm_case_origin_id", None)
        # sudo: where the reply goes is the old case's business, not the
        # sender's nor the gateway user's
        origin = self.sudo().browse(origin_id)
        if not origin:
            found = self._find_case_from_subject(msg_dict)
            if found and found._is_late_reply(msg_dict):
                origin = found.sudo()
        if not origin:
            return super().message_new(msg_dict, custom_values)
        values = dict(custom_values or {}, section_id=origin.section_id.id)
        name = self._get_followup_name(msg_dict.get("subject"))
        if name:
            values["name"] = name
        if not values.get("partner_id"):
            values["partner_id"] = origin.partner_id.id
        case = super(
            CrmCaseReopenMixin, self.with_context(crm_case_followup=True)
        ).message_new(msg_dict, custom_values=values)
        # sudo: the only way origin_case_id is set (_check_origin_by_gateway),
        # whoever runs the gateway (the mailgate may log in as any user)
        case.sudo().write({"origin_case_id": origin.id})
        origin._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "The customer wrote %(days)s days after the close: the mail "
                "opened case %(case)s.",
                days=(fields.Datetime.now() - origin.date_closed).days,
                case=case._get_html_link(title=case.number),
            )
        )
        return case.with_env(self.env)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_origin_by_gateway(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_origin_by_gateway([vals])
        return super().write(vals)

    @api.model
    def _check_origin_by_gateway(self, vals_list):
        """The closed case a case follows up shows its number to the
        customer: only the gateway sets it (under sudo), never a value sent
        by a client."""
        if not self.env.su and any(vals.get("origin_case_id") for vals in vals_list):
            raise UserError(
                self.env._(
                    "The closed case a case follows up is set by the customer's "
                    "late reply, not by hand."
                )
            )

    @api.model
    def _find_case_from_subject(self, msg_dict):
        # a follow-up case is new, whatever reference its subject quotes
        if self.env.context.get("crm_case_followup"):
            return self.browse()
        return super()._find_case_from_subject(msg_dict)

    @api.model
    def _mail_inbound_route_as_new(self, thread_ids, message_dict):
        """A reply by its headers to a case closed too long ago is routed as
        a new mail; the new case learns which from ``message_dict``."""
        if super()._mail_inbound_route_as_new(thread_ids, message_dict):
            return True
        # sudo: the sender decides nothing here, the case's section does
        for case in self.sudo().browse(thread_ids):
            if case._is_late_reply(message_dict):
                message_dict["crm_case_origin_id"] = case.id
                return True
        return False

    def _get_acknowledgement_template(self):
        """A follow-up case tells the customer his old case stays closed."""
        template = super()._get_acknowledgement_template()
        if template and self.origin_case_id:
            return (
                self.env.ref(
                    "crm_case_sections.mail_template_case_followup",
                    raise_if_not_found=False,
                )
                or template
            )
        return template

    def mail_allowed_qweb_expressions(self):
        return (
            *super().mail_allowed_qweb_expressions(),
            "object.origin_case_id.number",
        )

    def message_post(self, **kwargs):
        """The portal's answer to a case closed longer than its section
        reopens it would land on a case nobody looks at: it is refused, and
        the page offers a new case instead (portal_case_page)."""
        if (
            len(self) == 1
            and self.env.user.share
            # whatever message type the client sends (/mail/message/post
            # passes it on); a rating from the mail's faces stays welcome
            and not kwargs.get("rating_id")
            and self._is_reopen_period_over()
        ):
            raise UserError(
                self.env._(
                    "Case %(case)s was closed on %(date)s and can no longer be "
                    "answered: please open a new case.",
                    case=self.number,
                    date=format_date(self.env, self.date_closed),
                )
            )
        return super().message_post(**kwargs)

    def _is_reopen_period_over(self):
        """Whether this case is closed for longer than its section lets the
        customer's answer reopen it."""
        self.ensure_one()
        if not (self.is_closed and self.date_closed):
            return False
        if not self.section_id.reopen_on_reply:
            return False  # answers stay on the closed case, as always
        days = self.section_id._get_reopen_days()
        return (
            bool(days)
            and self.date_closed + timedelta(days=days) < fields.Datetime.now()
        )

    def _is_late_reply(self, msg_dict):
        """Whether the mail of ``msg_dict`` is the customer's reply to this
        closed case, later than its section reopens it."""
        self.ensure_one()
        return self._is_reopen_period_over() and self._is_customer_address(
            msg_dict.get("email_from")
        )

    @api.model
    def _get_followup_name(self, subject):
        """The reply's subject without its "Re:" and the old reference."""
        name = SUBJECT_REFERENCE.sub("", subject or "", count=1)
        return REPLY_PREFIX.sub("", name).strip()
