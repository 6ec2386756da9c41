# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class CrmCaseSpamMixin(models.AbstractModel):
    """*Mark as spam* on cases: the case leaves every list and count, and its
    sender joins the company's block list of mail_inbound_guard, which keeps
    his later mail as spam before it becomes a case."""

    _name = "crm.case.spam.mixin"
    _description = "Case Spam"

    is_spam = fields.Boolean(
        "Spam",
        readonly=True,
        copy=False,
        help="Marked as spam: archived, and its sender's mail is refused.",
    )

    def action_mark_spam(self):
        """Archive the cases and block their senders for the cases'
        companies; any user who may write the cases may do it."""
        self.check_access("write")
        emails = set(self.mapped("email_normalized")) - {False}
        self._check_spam_senders(emails)
        Blocked = self.env["mail.inbound.blocked.sender"]
        for company, cases in self.grouped("company_id").items():
            senders = set(cases.mapped("email_normalized")) - {False}
            if senders:
                # sudo: the block list is the managers'; a case user adds to
                # it only through this action
                Blocked.sudo()._block(
                    senders,
                    company or self.env.company,
                    note=self.env._(
                        "Marked as spam by %(user)s on case %(cases)s",
                        user=self.env.user.name,
                        cases=", ".join(cases.mapped("number")),
                    ),
                )
        for case in self:
            case._message_log(
                body=Markup("<p>%s</p>")
                % (
                    self.env._(
                        "Marked as spam by %(user)s: later mail from %(sender)s "
                        "is kept as spam.",
                        user=self.env.user.name,
                        sender=case.email_normalized,
                    )
                    if case.email_normalized
                    else self.env._(
                        "Marked as spam by %s: the case has no sender to block.",
                        self.env.user.name,
                    )
                )
            )
        # no acknowledgement leaves for a case marked before its cron ran
        self.write(
            {"active": False, "is_spam": True, "acknowledgement_reference": False}
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s cases marked as spam; their senders are blocked.",
                    count=len(self),
                ),
                "next": dict(
                    self.env["ir.actions.act_window"]._for_xml_id(
                        "crm_case_sections.crm_case_action"
                    ),
                    target="main",
                ),
            },
        }

    def _check_spam_senders(self, emails):
        """Never block the company's own addresses nor its users': their
        mail would be lost for every case."""
        own = self._get_company_addresses(emails)
        # sudo: whether an address is a user's, not who he is
        users = (
            self.env["res.users"]
            .sudo()
            .search_fetch(
                [("email_normalized", "in", list(emails - own)), ("share", "=", False)],
                ["email_normalized"],
            )
        )
        refused = sorted(own | set(users.mapped("email_normalized")))
        if refused:
            raise UserError(
                self.env._(
                    "%s is an address of the company or of one of its users: "
                    "it cannot be blocked. Archive the case instead.",
                    ", ".join(refused),
                )
            )
