# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import codecs
import logging

from odoo import api, models
from odoo.tools import email_normalize_all

_logger = logging.getLogger(__name__)

# Headers by which mail robots (auto-replies, lists, bulk senders) announce
# themselves (RFC 3834 and common practice): such mail is never acknowledged.
AUTOMATED_HEADERS = ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe")
AUTOMATED_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Tell the records receiving the mail whether a robot sent it and who
        already received it, facts that only the raw headers hold."""
        recipients = email_normalize_all(
            f"{message_dict.get('to') or ''},{message_dict.get('cc') or ''}"
        )
        return super(
            MailThread,
            self.with_context(
                mail_gateway_automated=self._is_automated_message(message),
                mail_gateway_recipients=recipients,
            ),
        )._message_route_process(message, message_dict, routes)

    @api.model
    def message_parse(self, message, save_original=False):
        """Read parts declared in a charset Python does not know as UTF-8
        (with replacement characters) rather than failing on the whole mail."""
        for part in message.walk():
            charset = part.get_param("charset")
            if isinstance(charset, str) and not self._is_known_charset(charset):
                _logger.info(
                    "Mail %s: unknown charset %r read as utf-8",
                    message.get("Message-Id"),
                    charset,
                )
                part.set_param("charset", "utf-8")
        return super().message_parse(message, save_original=save_original)

    @api.model
    def _is_known_charset(self, charset):
        try:
            codecs.lookup(charset)
        except LookupError:
            return False
        return True

    @api.model
    def _is_automated_message(self, message):
        auto_submitted = (message.get("Auto-Submitted") or "no").strip().lower()
        precedence = (message.get("Precedence") or "").strip().lower()
        return_path = message.get("Return-Path")
        return (
            auto_submitted != "no"
            or precedence in AUTOMATED_PRECEDENCE
            or any(message.get(header) for header in AUTOMATED_HEADERS)
            or (return_path is not None and return_path.strip() in ("", "<>"))
        )
