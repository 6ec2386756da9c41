# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mail gateway of the whole database.

``message_process``, ``message_parse`` and ``message_route`` run before Odoo
knows which model a mail goes to, so what this file changes applies to every
incoming mail of the database, whatever alias or incoming mail server it
comes through:

- a mail that cannot become a record, for any reason but Odoo's own refusal
  (no route), is kept as unprocessed mail (``mail.inbound.unprocessed``)
  instead of being lost; database failures still raise, for a later retry;
- parts in a charset Python does not know are read as UTF-8, and names,
  subjects and addresses lose their control characters (encoded CR/LF);
- a delivery report whose MIME structure is broken is read anyway;
- mail from a sender of the block list (``mail.inbound.blocked.sender``)
  is kept as spam before it is parsed: no record, no answer;
- whether a robot sent the mail, and who received it already, are put in
  the context of whatever record receives it (``mail_gateway_automated``,
  ``mail_gateway_recipients``).

Two extension points let a model act on the routes to its own records:
``_mail_inbound_route_as_new`` and ``_mail_inbound_untrusted_reply_ids``.
"""

import codecs
import hashlib
import logging
from email.header import Header, decode_header
from email.message import EmailMessage, Message
from xmlrpc import client as xmlrpclib

from odoo import api, models
from odoo.tools import email_normalize, email_normalize_all

from ..tools import (
    CONTROL_CHARACTERS,
    INFRASTRUCTURE_ERRORS,
    RAW_CONTROL_CHARACTERS,
    MailRoutingRefused,
    clean_header_value,
)

_logger = logging.getLogger(__name__)

# Headers by which mail robots (auto-replies, lists, bulk senders) announce
# themselves (RFC 3834 and common practice).
AUTOMATED_HEADERS = ("X-Autoreply", "X-Autorespond", "List-Id", "List-Unsubscribe")
AUTOMATED_PRECEDENCE = ("bulk", "junk", "list", "auto_reply")


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        """Keep every mail: one that cannot be turned into a record for any
        reason but Odoo's own refusal (no route) is stored, raw, for a
        manager to reprocess. Database failures still raise, so that the
        mail server delivers the mail again later."""
        if isinstance(message, xmlrpclib.Binary):
            message = bytes(message.data)
        if isinstance(message, str):
            message = message.encode("utf-8", "surrogateescape")

        def process(thread):
            # thread: self, with the checksum in its context or without
            return super(MailThread, thread).message_process(  # noqa: UP008
                model,
                message,
                custom_values=custom_values,
                save_original=save_original,
                strip_attachments=strip_attachments,
                thread_id=thread_id,
            )

        if self.env.context.get("mail_inbound_reprocessing"):
            return process(self)
        if self._mail_inbound_refuse_blocked(message, model):
            return False
        checksum = hashlib.sha1(message).hexdigest()
        try:
            with self.env.cr.savepoint():
                return process(self.with_context(mail_gateway_checksum=checksum))
        except (MailRoutingRefused, *INFRASTRUCTURE_ERRORS):
            raise
        except Exception as error:
            _logger.warning(
                "Incoming mail %s could not be processed, kept as unprocessed "
                "mail: %s",
                checksum,
                error,
                exc_info=True,
            )
            self.env["mail.inbound.unprocessed"]._keep(message, error, model)
            return False

    @api.model
    def _mail_inbound_refuse_blocked(self, raw, model):
        """Keep the mail of a blocked sender as spam, before it is parsed or
        routed: a flood costs a few queries per mail, makes no record and
        gets no answer. Mail from anyone else costs no query once the block
        list is cached."""
        Blocked = self.env["mail.inbound.blocked.sender"]
        if not Blocked._get_blocked_patterns():
            return False
        Unprocessed = self.env["mail.inbound.unprocessed"]
        headers = Unprocessed._read_headers(raw)
        sender = email_normalize(headers.get("from") or "", strict=False)
        if not Blocked._find_block(sender)[0]:
            return False
        # blocked by some company: is it one of those the mail is sent to?
        # Odoo routes the mail to every alias among its recipients: a sender
        # blocked by one of their companies must not get around the block by
        # adding another company's alias in To or Cc
        alias_companies = [
            (alias, Unprocessed._get_alias_company(alias) or self.env.company)
            for alias in Unprocessed._find_aliases(headers)
        ] or [(self.env["mail.alias"], self.env.company)]
        companies = self.env["res.company"].union(
            *(company for _alias, company in alias_companies)
        )
        pattern, company_id = Blocked._find_block(sender, company_ids=companies.ids)
        if not pattern:
            return False
        # the row goes to the company that blocked the sender, with its alias
        alias, company = next(
            (
                (alias, company)
                for alias, company in alias_companies
                if not company_id or company.id == company_id
            ),
            alias_companies[0],
        )
        _logger.info(
            "Mail %s from blocked sender %s (%s) kept as spam",
            headers.get("message-id"),
            sender,
            pattern,
        )
        Unprocessed._keep_spam(raw, headers, alias, company, pattern, model)
        return True

    @api.model
    def message_route(
        self, message, message_dict, model=None, thread_id=None, custom_values=None
    ):
        """Tell Odoo's refusals apart from failures; a reply by its headers
        that the replied model wants as a new record
        (``_mail_inbound_route_as_new``) is routed again without them."""
        try:
            routes = super().message_route(
                message, message_dict, model, thread_id, custom_values
            )
        except ValueError as error:
            raise MailRoutingRefused(*error.args) from error
        for route_model, thread_ids in self._mail_inbound_replied_threads(
            routes
        ).items():
            if self.env[route_model]._mail_inbound_route_as_new(
                thread_ids, message_dict
            ):
                _logger.info(
                    "Mail %s replies to %s records that want it as a new "
                    "mail: routed as a new mail",
                    message_dict.get("message_id"),
                    route_model,
                )
                message_dict.update(references="", in_reply_to="")
                message_dict.pop("parent_id", None)
                # sent to no alias (e.g. the catchall): a new record of the
                # replied model rather than a refusal
                return self.message_route(
                    message,
                    message_dict,
                    model or route_model,
                    thread_id,
                    custom_values,
                )
        return routes

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Tell the records receiving the mail whether a robot sent it and who
        already received it, facts that only the raw headers hold, and which
        of them do not trust the reply (``_mail_inbound_untrusted_reply_ids``,
        ``{model: record ids}`` in ``mail_inbound_untrusted_ids``)."""
        recipients = email_normalize_all(
            f"{message_dict.get('to') or ''},{message_dict.get('cc') or ''}"
        )
        untrusted = {}
        for route_model, thread_ids in self._mail_inbound_replied_threads(
            routes
        ).items():
            ids = self.env[route_model]._mail_inbound_untrusted_reply_ids(
                thread_ids, message_dict
            )
            if ids:
                untrusted[route_model] = tuple(ids)
        return super(
            MailThread,
            self.with_context(
                mail_gateway_automated=self._is_automated_message(message),
                mail_gateway_recipients=recipients,
                mail_inbound_untrusted_ids=untrusted,
            ),
        )._message_route_process(message, message_dict, routes)

    # Extension points: a model overrides them for its own records --------------

    @api.model
    def _mail_inbound_route_as_new(self, thread_ids, message_dict):
        """Whether the mail of ``message_dict``, which replies by its headers
        to the records ``thread_ids`` of this model, must rather start a new
        record (e.g. a reply sent to another company's alias). Default: no."""
        return False

    @api.model
    def _mail_inbound_untrusted_reply_ids(self, thread_ids, message_dict):
        """Those of ``thread_ids``, records of this model the mail replies to,
        that must not trust its sender (e.g. a stranger found by headers).
        The records read them back from the context with
        ``_mail_inbound_get_untrusted_ids()``. Default: none."""
        return ()

    @api.model
    def _mail_inbound_get_untrusted_ids(self):
        """The ids of this model's records that the mail being processed
        replies to without being trusted by them."""
        untrusted = self.env.context.get("mail_inbound_untrusted_ids") or {}
        return untrusted.get(self._name, ())

    @api.model
    def _mail_inbound_replied_threads(self, routes):
        """``{model: [record ids]}`` of the routes that add the mail to
        existing records."""
        threads = {}
        for route_model, thread_id, *_rest in routes or ():
            if (
                thread_id
                and route_model in self.env
                # a route to a model without mail.thread is Odoo's to refuse
                and hasattr(self.env[route_model], "_mail_inbound_route_as_new")
            ):
                threads.setdefault(route_model, []).append(thread_id)
        return threads

    @api.model
    def message_parse(self, message, save_original=False):
        """Read parts declared in a charset Python does not know as UTF-8
        (with replacement characters) rather than failing on the whole mail;
        names, subjects and addresses come out on one line."""
        for part in message.walk():
            charset = part.get_param("charset")
            if isinstance(charset, str) and not self._is_known_charset(charset):
                _logger.info(
                    "Mail %s: unknown charset %r read as utf-8",
                    message.get("Message-Id"),
                    charset,
                )
                part.set_param("charset", "utf-8")
        self._clean_raw_headers(message)
        msg_dict = super().message_parse(message, save_original=save_original)
        for key in ("subject", "email_from", "from", "to", "cc", "recipients"):
            if msg_dict.get(key):
                msg_dict[key] = clean_header_value(msg_dict[key])
        checksum = self.env.context.get("mail_gateway_checksum")
        if checksum and not message.get("Message-Id"):
            # the same mail fetched again must be recognised as a duplicate
            msg_dict["message_id"] = f"<{checksum}@missing-message-id>"
        return msg_dict

    @api.model
    def _clean_raw_headers(self, message):
        """Rewrite the headers whose encoded words hide control characters
        (``=?utf-8?b?RXZlDQpCY2M6...?=`` is "Eve\\r\\nBcc:..."): Python's
        parser refuses such addresses, and a subject keeping them breaks the
        headers of every answer."""
        for name, raw in message.raw_items():
            if not isinstance(raw, str) or "=?" not in raw:
                continue
            try:
                chunks = decode_header(raw)
            except Exception:  # leave what cannot be decoded
                continue
            if not any(
                charset
                and CONTROL_CHARACTERS.search(self._decode_chunk(chunk, charset))
                for chunk, charset in chunks
            ):
                continue
            words = []
            for chunk, charset in chunks:
                if charset:
                    text = clean_header_value(self._decode_chunk(chunk, charset))
                    words.append(Header(text, "utf-8").encode())
                else:
                    text = (
                        chunk
                        if isinstance(chunk, str)
                        else chunk.decode("ascii", "replace")
                    )
                    words.append(RAW_CONTROL_CHARACTERS.sub("", text))
            self._replace_raw_header(
                message, name, raw, " ".join(w.strip() for w in words)
            )

    @api.model
    def _decode_chunk(self, chunk, charset):
        if isinstance(chunk, str):
            return chunk
        try:
            return chunk.decode(charset, "replace")
        except LookupError:
            return chunk.decode("utf-8", "replace")

    @api.model
    def _replace_raw_header(self, message, name, raw, value):
        # the raw list keeps the order of the headers; Message has no API to
        # replace one given occurrence of a repeated header
        message._headers = [  # pylint: disable=protected-access
            (header, value if (header, old) == (name, raw) else old)
            for header, old in message._headers  # pylint: disable=protected-access
        ]

    @api.model
    def _get_bounced_message_data(self, message, message_dict):
        """A delivery report whose MIME structure is broken hands over text
        instead of the returned message: read it as a message without
        headers rather than failing on it."""
        if not isinstance(message, Message):
            message = EmailMessage()
        return super()._get_bounced_message_data(message, message_dict)

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
