# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mail the gateway could not turn into a record, kept with its raw source
for a manager to reprocess or discard."""

import base64
import email
import email.header
import email.parser
import email.policy
import hashlib
import logging
import traceback

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_normalize, email_split

from ..tools import INFRASTRUCTURE_ERRORS, clean_header_value

_logger = logging.getLogger(__name__)


class MailInboundUnprocessed(models.Model):
    _name = "mail.inbound.unprocessed"
    _description = "Unprocessed Mail"
    _order = "date desc, id desc"

    name = fields.Char("Subject", readonly=True)
    email_from = fields.Char("From", readonly=True)
    message_id = fields.Char("Message-Id", readonly=True, index=True)
    date = fields.Datetime(
        "Received On", readonly=True, default=fields.Datetime.now, index=True
    )
    error = fields.Text(readonly=True, help="Why the mail could not be processed.")
    error_details = fields.Text(readonly=True)
    raw_message = fields.Binary(attachment=True, readonly=True)
    raw_filename = fields.Char(compute="_compute_raw_filename")
    checksum = fields.Char(readonly=True, index=True, copy=False)
    model = fields.Char(
        "Default Model",
        readonly=True,
        help="Where the mail goes when it matches no alias (incoming mail "
        "servers set one).",
    )
    alias_id = fields.Many2one(
        "mail.alias",
        readonly=True,
        index=True,
        ondelete="set null",
        help="The alias the mail was sent to (Delivered-To, To or Cc).",
    )
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    attempt_count = fields.Integer("Attempts", readonly=True, default=1)
    is_spam = fields.Boolean(
        "Spam",
        readonly=True,
        index=True,
        help="Mail from a blocked sender, refused before it became anything.",
    )

    def _compute_raw_filename(self):
        for mail in self:
            mail.raw_filename = f"unprocessed-mail-{mail.id}.eml"

    @api.model
    def _keep(self, raw, error, model=False):
        """Keep ``raw``, the source of a mail that ``error`` stopped; the
        same mail kept twice is one row."""
        checksum = hashlib.sha1(raw).hexdigest()
        # sudo: the gateway runs as any user; the row is for managers
        Unprocessed = self.sudo()
        existing = Unprocessed.search([("checksum", "=", checksum)], limit=1)
        values = {
            "error": clean_header_value(str(error))[:1000] or type(error).__name__,
            "error_details": "".join(traceback.format_exception(error))[-20000:],
        }
        if existing:
            existing.write(dict(values, attempt_count=existing.attempt_count + 1))
            return existing
        headers = self._read_headers(raw)
        alias = self._find_alias(headers)
        return Unprocessed.create(
            dict(
                values,
                name=headers.get("subject"),
                email_from=headers.get("from"),
                message_id=headers.get("message-id"),
                raw_message=base64.b64encode(raw),
                checksum=checksum,
                model=model or False,
                alias_id=alias.id,
                company_id=(self._get_alias_company(alias) or self.env.company).id,
            )
        )

    @api.model
    def _keep_spam(self, raw, headers, alias, company, pattern, model=False):
        """Keep the mail of a blocked sender, refused before routing: no
        record, no answer; a manager may release it."""
        checksum = hashlib.sha1(raw).hexdigest()
        # sudo: the gateway runs as any user; the row is for managers
        Unprocessed = self.sudo()
        existing = Unprocessed.search([("checksum", "=", checksum)], limit=1)
        if existing:
            existing.attempt_count += 1
            return existing
        return Unprocessed.create(
            {
                "name": headers.get("subject"),
                "email_from": headers.get("from"),
                "message_id": headers.get("message-id"),
                "raw_message": base64.b64encode(raw),
                "checksum": checksum,
                "model": model or False,
                "alias_id": alias.id,
                "company_id": company.id,
                "is_spam": True,
                "error": self.env._("Blocked sender (%s)", pattern),
            }
        )

    @api.model
    def _read_headers(self, raw):
        """A few headers of ``raw`` read the lenient way: the mail is broken
        in some way already."""
        headers = {}
        try:
            # the headers only: the body may be large, and is not read here
            message = email.parser.BytesHeaderParser(
                policy=email.policy.compat32
            ).parsebytes(raw)
            for name in ("subject", "from", "message-id", "to", "cc", "delivered-to"):
                value = message.get(name)
                if value is not None:
                    decoded = email.header.make_header(
                        email.header.decode_header(value)
                    )
                    headers[name] = clean_header_value(str(decoded))[:500]
        except Exception:  # the row is kept without them
            _logger.info(
                "Could not read the headers of an unprocessed mail", exc_info=True
            )
        return headers

    @api.model
    def _find_alias(self, headers):
        """The first alias (in the aliases' order) among the recipients."""
        return self._find_aliases(headers, limit=1)

    @api.model
    def _find_aliases(self, headers, limit=None):
        """The aliases among the recipients (Delivered-To, To, Cc): Odoo
        routes the mail to each of them."""
        recipients = [
            address.lower()
            for name in ("delivered-to", "to", "cc")
            for address in email_split(headers.get(name) or "")
        ]
        if not recipients:
            return self.env["mail.alias"]
        # sudo: aliases are the administrator's; the gateway runs as anyone
        return (
            self.env["mail.alias"]
            .sudo()
            .search_fetch(
                [("alias_full_name", "in", recipients)],
                ["alias_parent_model_id", "alias_parent_thread_id"],
                limit=limit,
            )
        )

    @api.model
    def _get_alias_company(self, alias):
        """The company of the record owning ``alias`` (a team, a section),
        if its model has one."""
        if not (alias.alias_parent_model_id and alias.alias_parent_thread_id):
            return self.env["res.company"]
        owner = self.env[alias.alias_parent_model_id.model].sudo()
        company_field = owner._mail_get_company_field()
        if not company_field:
            return self.env["res.company"]
        # one query, the record's existence and its company (a flood of spam
        # asks it for every mail)
        return owner.search_fetch(
            [("id", "=", alias.alias_parent_thread_id)], [company_field]
        )[company_field]

    def action_reprocess(self):
        """Feed the mails to the gateway again, spam included (the block list
        is not checked again); those that pass are removed, the others keep
        their new error."""
        done = self.browse()
        for mail in self:
            raw = base64.b64decode(mail.raw_message or b"")
            try:
                # sudo: as the mail server's delivery would, the routes then
                # act as the alias' user
                with self.env.cr.savepoint():
                    self.env["mail.thread"].sudo().with_context(
                        mail_inbound_reprocessing=True
                    ).message_process(mail.model or False, raw)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception as error:  # kept with its new error
                _logger.info(
                    "Reprocessing unprocessed mail %s failed", mail.id, exc_info=True
                )
                mail.write(
                    {
                        "error": clean_header_value(str(error))[:1000]
                        or type(error).__name__,
                        "error_details": "".join(traceback.format_exception(error)),
                        "attempt_count": mail.attempt_count + 1,
                    }
                )
            else:
                done |= mail
        failed = len(self) - len(done)
        done.unlink()
        if failed:
            message = self.env._(
                "%(failed)s of %(total)s mails could not be processed: see their "
                "error.",
                failed=failed,
                total=len(self),
            )
        else:
            message = self.env._("%(total)s mails processed.", total=len(self))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "warning" if failed else "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_discard(self):
        self.unlink()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "mail_inbound_guard.mail_inbound_unprocessed_action"
        )

    def action_release(self):
        """Spam that was not: processed as any mail, the sender stays
        blocked for his next mails until removed from the list."""
        return self.action_reprocess()

    def action_mark_spam(self):
        """Block the senders of the selected mails for their company and
        keep the mails as spam."""
        Blocked = self.env["mail.inbound.blocked.sender"]
        unknown = self.filtered(lambda mail: not email_normalize(mail.email_from))
        if unknown:
            raise UserError(
                self.env._(
                    "These mails have no sender address to block: %s",
                    ", ".join(unknown.mapped(lambda mail: mail.name or "?")),
                )
            )
        for company, mails in self.grouped("company_id").items():
            Blocked._block(
                {email_normalize(mail.email_from) for mail in mails},
                company,
                note=self.env._("Marked as spam in the unprocessed mail"),
            )
        self.is_spam = True
        return True

    def action_purge_spam(self):
        """Delete all the spam of the user's companies, whatever the
        selection: a flood is too long to select page by page."""
        spam = self.search(
            [
                ("is_spam", "=", True),
                ("company_id", "in", [*self.env.companies.ids, False]),
            ]
        )
        count = len(spam)
        spam.unlink()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._("%(count)s spam mails deleted.", count=count),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
