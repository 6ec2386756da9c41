# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The mail gateway of cases: creation from a section's alias,
acknowledgement, threading, watchers, and what every message of a case
sets off. The database-wide guards of incoming mail are mail_inbound_guard's;
this mixin implements its two extension points for cases."""

import logging
import re

from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import MissingError
from odoo.osv import expression
from odoo.tools import (
    SQL,
    email_normalize,
    email_normalize_all,
    email_split,
    parse_contact_from_email,
)

from odoo.addons.mail_inbound_guard.tools import clean_header_value

_logger = logging.getLogger(__name__)

# "[C00042] Pump leaks", also behind any "Re:", "Fwd:", "RV:" ... prefix.
SUBJECT_REFERENCE = re.compile(
    r"^\s*(?:(?:re|fwd?|rv|tr|aw|sv|wg|rif|r)\s*:\s*)*\[([^\[\]\s]{1,32})\]", re.I
)


class CrmCaseGatewayMixin(models.AbstractModel):
    """The mail gateway and the conversation with the customer of
    ``crm.case``, which inherits it before ``mail.thread.cc``."""

    _name = "crm.case.gateway.mixin"
    _description = "Case Mail Gateway"
    _inherit = ["mail.thread.cc"]

    acknowledgement_reference = fields.Char(
        copy=False,
        index="btree_not_null",
        help="Message-Id of the mail that opened the case, while its "
        "acknowledgement waits to be sent.",
    )

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail quoting a case's reference lands on that case; any other
        starts a new case in the alias' section."""
        case = self._find_case_from_subject(msg_dict)
        if case:
            case.message_update(msg_dict)
            return case
        values = {
            "name": clean_header_value(msg_dict.get("subject"))
            or self.env._("No Subject"),
            "description": msg_dict.get("body"),
            "email_from": clean_header_value(msg_dict.get("email_from")),
            "contact_name": clean_header_value(
                self._get_contact_name(msg_dict.get("email_from"))
            ),
            "partner_id": msg_dict.get("author_id", False),
            "channel_id": self.env["ir.model.data"]._xmlid_to_res_id(
                "utm.utm_medium_email"
            ),
            **(custom_values or {}),
        }
        if not values.get("section_id"):
            # an incoming mail server set on cases has no alias to say where
            values["section_id"] = self._get_gateway_default_section().id
        if not self.env.context.get("mail_gateway_automated"):
            # a person wrote: he waits for an answer, and gets his
            # acknowledgement from a cron; robots get neither
            values["waiting_since"] = msg_dict.get("date") or fields.Datetime.now()
            if values["email_from"]:
                values["acknowledgement_reference"] = msg_dict.get("message_id")
        # the responsible hears of the case through the mail itself, as a
        # follower: no second "you have been assigned" mail
        return super(
            CrmCaseGatewayMixin, self.with_context(mail_auto_subscribe_no_notify=True)
        ).message_new(msg_dict, custom_values=values)

    def message_update(self, msg_dict, update_vals=None):
        """A reply found by its headers from someone who takes no part in
        the case is recorded, but brings nobody in: neither his Cc as
        watchers nor himself as follower; the responsible reviews it."""
        if self.id not in self._mail_inbound_get_untrusted_ids():
            new_cc = self._mail_cc_sanitized_raw_dict(msg_dict.get("cc"))
            if new_cc and new_cc.keys() <= self._get_watcher_emails():
                # the Cc of a reply to all brings nobody new: rewriting the
                # same watchers would only cost an UPDATE of the case
                msg_dict = dict(msg_dict, cc=False)
            return super().message_update(msg_dict, update_vals=update_vals)
        res = super().message_update(dict(msg_dict, cc=False), update_vals=update_vals)
        responsible = self.user_id or self.section_id._get_responsible()
        if responsible:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=responsible.id,
                summary=self.env._("Review a reply from a non-participant"),
                note=Markup("<p>%s</p>")
                % self.env._(
                    "%(sender)s answered this case by e-mail without being its "
                    "customer, a watcher or a follower. The addresses in copy "
                    "were not added to the watchers.",
                    sender=clean_header_value(msg_dict.get("email_from"))
                    or self.env._("An unknown sender"),
                ),
            )
        return res

    def message_post(self, **kwargs):
        case = self
        if self.id and self.id in self._mail_inbound_get_untrusted_ids():
            # the sender of an unchecked reply does not become a follower
            case = self.with_context(mail_create_nosubscribe=True)
        elif (
            self.id
            and not self.env.user.active
            and kwargs.get("author_id")
            and self.env.cache.contains(self, self._fields["message_partner_ids"])
            and kwargs["author_id"] in self.message_partner_ids.ids
        ):
            # a reply's routing read the followers: an author who follows
            # already needs no subscription (see mail.thread.message_post),
            # which would cost two queries to add nobody
            case = self.with_context(mail_create_nosubscribe=True)
        return super(CrmCaseGatewayMixin, case).message_post(**kwargs)

    def _fallback_lang(self):
        # the language Odoo gives the user on every request, from the
        # registry's cache (res.users.context_get), rather than reading the
        # gateway user's partner again for every message of a case
        if not self.env.context.get("lang"):
            return self.with_context(lang=self.env["res.users"].context_get()["lang"])
        return super()._fallback_lang()

    def _message_create(self, values_list):
        messages = super()._message_create(values_list)
        # a new message has the recipients it was created with: the ORM
        # forgets an empty list, and the gateway, which adds the mail's To
        # and Cc right after, would read them back
        field = messages._fields["partner_ids"]
        empty = messages.browse(
            message.id
            for message, values in zip(messages, values_list, strict=True)
            if not values.get("partner_ids")
            and not self.env.cache.contains(message, field)
        )
        self.env.cache.update(empty, field, [()] * len(empty))
        return messages

    def _message_compute_parent_id(self, parent_id):
        if parent_id and self._mail_flat_thread:
            # the gateway read the replied message already: walk up to its
            # first ancestor in the cache rather than searching it again
            ancestor = self.env["mail.message"].sudo().browse(parent_id)
            seen = set()
            try:
                while ancestor.parent_id and ancestor.parent_id not in seen:
                    seen.add(ancestor)
                    ancestor = ancestor.parent_id
            except MissingError:
                return super()._message_compute_parent_id(parent_id)
            return ancestor.id
        return super()._message_compute_parent_id(parent_id)

    def _mail_cc_sanitized_raw_dict(self, cc_string):
        """Watchers never include the company's own addresses: copies sent
        there would come back as new cases."""
        watchers = super()._mail_cc_sanitized_raw_dict(cc_string)
        # current watchers were checked when they joined
        known = self._get_watcher_emails() if len(self) == 1 else set()
        own = self._get_company_addresses(set(watchers) - known)
        return {email: raw for email, raw in watchers.items() if email not in own}

    def _message_post_after_hook(self, message, msg_vals):
        """Every message of a case, by mail, on the portal or from the
        chatter: the watchers get their copy, and an exchange with the
        customer moves the clock of his wait (crm_case_escalation)."""
        res = super()._message_post_after_hook(message, msg_vals)
        if (
            self.email_cc
            and not self.env.context.get("mail_gateway_automated")
            and self.id not in self._mail_inbound_get_untrusted_ids()
        ):
            self._send_watcher_copy(message)
        if self._is_conversation_message(message):
            self._update_waiting_for_answer(message)
        return res

    def _track_template(self, changes):
        res = super()._track_template(changes)
        case = self[0]
        template = case.stage_id.mail_template_id
        if "stage_id" in changes and template:
            # the watchers get their copy from the posted message
            res["stage_id"] = (
                template,
                {
                    "auto_delete_keep_log": False,
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "mail.mt_comment"
                    ),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    def _notify_get_reply_to(self, default=None):
        """Replies go to the section's address, or its nearest parent's."""
        res = {}
        for case in self:
            email = case.section_id._get_reply_to_email()
            if email:
                res[case.id] = case._notify_get_reply_to_formatted_email(
                    email, case.section_id.name, company=case.company_id
                )
        leftover = self.filtered(lambda case: case.id not in res)
        if leftover or not self:
            res.update(
                super(CrmCaseGatewayMixin, leftover)._notify_get_reply_to(
                    default=default
                )
            )
        return res

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id:
            self._message_add_suggested_recipient(
                recipients, partner=self.partner_id, reason=self.env._("Customer")
            )
        elif self.email_from:
            self._message_add_suggested_recipient(
                recipients, email=self.email_from, reason=self.env._("Customer Email")
            )
        return recipients

    def mail_allowed_qweb_expressions(self):
        # plain field paths of the acknowledgement: rendered without eval
        return (
            *super().mail_allowed_qweb_expressions(),
            "object.number",
            "object.section_id.name",
            "object.company_id.name",
        )

    @api.model
    def _mail_inbound_untrusted_reply_ids(self, thread_ids, message_dict):
        """Cases the mail replies to (found by its headers) although its
        sender takes no part in them."""
        res = super()._mail_inbound_untrusted_reply_ids(thread_ids, message_dict)
        # sudo: the sender decides nothing here, the cases' participants do
        return (
            *res,
            *(
                case.id
                # no exists(): message_route dropped the routes to missing records
                for case in self.sudo().browse(thread_ids)
                if not case._accepts_mail_from(message_dict.get("email_from"))
            ),
        )

    @api.model
    def _mail_inbound_route_as_new(self, thread_ids, message_dict):
        """A reply by its headers to a case of another company than the
        section it was sent to starts a new case there instead."""
        if super()._mail_inbound_route_as_new(thread_ids, message_dict):
            return True
        recipients = [
            email.lower() for email in email_split(message_dict.get("recipients"))
        ]
        sections = (
            self.env["crm.case.section"]
            .sudo()
            # with what the reply-to address reads of them (_get_reply_to_email)
            .search_fetch(
                [("alias_id.alias_full_name", "in", recipients)],
                ["company_id", "parent_path", "alias_id", "name"],
            )
        )
        companies = sections.company_id
        cases = self.sudo().browse(thread_ids)
        return bool(companies) and any(
            case.company_id not in companies for case in cases
        )

    @api.model
    def _get_contact_name(self, email_from):
        """The sender's name, or his address when he gives none."""
        name, email = parse_contact_from_email(email_from)
        return name or email or False

    @api.model
    def _find_case_from_subject(self, msg_dict):
        match = SUBJECT_REFERENCE.match(msg_dict.get("subject") or "")
        if not match:
            return self.browse()
        case = self.search([("number", "=", match[1])], limit=1)
        if case and case._accepts_mail_from(msg_dict.get("email_from")):
            return case
        return self.browse()

    def _accepts_mail_from(self, email_from):
        """Whether a mail quoting this case's reference may join it: the
        customer, a watcher, a follower or an internal user wrote it."""
        self.ensure_one()
        email = email_normalize(email_from or "")
        if not email:
            return False
        if self._is_customer_address(email) or email in self._get_watcher_emails():
            return True
        if email in self.message_partner_ids.mapped("email_normalized"):
            return True
        return bool(
            self.env["res.users"]
            .sudo()
            .search_count(
                [("email_normalized", "=", email), ("share", "=", False)], limit=1
            )
        )

    def _is_customer_address(self, email_from):
        email = email_normalize(email_from or "")
        return bool(email) and email in (
            self.email_normalized,
            self.partner_id.email_normalized,
        )

    def _get_watcher_emails(self):
        return set(email_normalize_all(self.email_cc or ""))

    def _get_reopen_stage(self):
        return self.env["crm.case.stage"].search(
            expression.AND(
                [self._stage_domain(self.section_id), [("is_closed", "=", False)]]
            ),
            limit=1,
        )

    @api.model
    def _get_gateway_default_section(self):
        section = self.env["crm.case.section"].search(
            [
                ("parent_id", "=", False),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="sequence, id",
            limit=1,
        )
        if not section:
            raise ValueError(
                "No case section exists to receive the mail: create a section."
            )
        return section

    @api.model
    def _get_company_addresses(self, emails):
        """Those of ``emails`` that are the company's own: the catchall and
        bounce addresses of its alias domains, and its aliases."""
        alias_domains = self.env["mail.alias.domain"]._get_own_addresses()
        own = {
            email
            for email in emails
            if email in alias_domains.get(email.rpartition("@")[2], ())
        }
        # addresses on the alias domains (rarely a customer's) may be aliases
        on_domains = [
            email
            for email in emails
            if email not in own and email.rpartition("@")[2] in alias_domains
        ]
        if on_domains:
            aliases = (
                self.env["mail.alias"]
                .sudo()
                .search_fetch(
                    [("alias_full_name", "in", on_domains)], ["alias_full_name"]
                )
            )
            own.update(aliases.mapped("alias_full_name"))
        return own

    def _send_acknowledgements(self):
        """Mail each case's sender its acknowledgement, never to the company
        itself, through the section's template. A cron does it every minute,
        in batches, so that the gateway stays fast and a broken template can
        never make it refuse a mail."""
        own = self._get_company_addresses(
            set(self.mapped("email_normalized")) - {False}
        )
        cases = self.filtered(
            lambda case: case._get_acknowledgement_template()
            and case.email_normalized
            and case.email_normalized not in own
        )
        reply_to = cases._notify_get_reply_to()
        # one batch per template and reply-to address (the section's)
        for (template, address), batch in cases.grouped(
            lambda case: (
                case._get_acknowledgement_template(),
                reply_to[case.id],
            )
        ).items():
            try:
                with self.env.cr.savepoint():
                    batch._send_acknowledgement(template.sudo(), address)
            except Exception:
                _logger.exception(
                    "Acknowledgement template %r failed for cases %s",
                    template.name,
                    ", ".join(batch.mapped("number")),
                )
        self.write({"acknowledgement_reference": False})

    def _get_acknowledgement_template(self):
        """The template that acknowledges this case: its section's."""
        return self.section_id.acknowledgement_template_id

    def _send_acknowledgement(self, template, reply_to):
        mails = template.send_mail_batch(
            self.ids,
            email_values={
                "reply_to": reply_to,
                # logged in the case's chatter as what the customer got: a
                # message to him only (no follower, no watcher is notified),
                # kept when the sent mail is deleted
                "message_type": "auto_comment",
                "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                    "mail.mt_comment"
                ),
                "is_notification": True,
                # the author Odoo would give it, without reading his e-mail
                # address to compute a sender the template gives already
                "author_id": self.env.user.partner_id.id,
            },
        )
        # the sender's mail client shows the acknowledgement under his mail
        references = {case.id: case.acknowledgement_reference for case in self}
        for mail in mails:
            reference = references.get(mail.res_id)
            # RFC 3834: other robots must not answer an automatic reply
            headers = {"Auto-Submitted": "auto-replied"}
            if reference:
                headers["In-Reply-To"] = reference
            mail.write({"references": reference, "headers": repr(headers)})
        self._send_mail_queue_soon()

    @api.model
    def _is_conversation_message(self, message):
        """A mail or comment exchanged with the customer: notes, internal
        subtypes and system notifications are not."""
        return (
            message.message_type in ("email", "comment")
            and not message.is_internal
            and not self._is_internal_subtype(message.subtype_id.id)
        )

    @api.model
    @tools.ormcache("subtype_id")
    def _is_internal_subtype(self, subtype_id):
        # asked on every message of a case; subtypes clear the registry's
        # cache when they change (mail.message.subtype create, write, unlink)
        return bool(
            subtype_id
            and self.env["mail.message.subtype"].sudo().browse(subtype_id).internal
        )

    def _send_watcher_copy(self, message):
        """Mail every message of the conversation, notes excepted, to the
        watchers who did not get it already."""
        # a stage's template mails the customer too
        automatic = message.message_type == "auto_comment" and not (
            message.is_internal or message.subtype_id.internal
        )
        if not (automatic or self._is_conversation_message(message)):
            return
        # cheapest first: those who got the mail itself, then the recipients
        # and followers Odoo notifies
        watchers = self._get_watcher_emails()
        watchers -= set(self.env.context.get("mail_gateway_recipients") or [])
        watchers -= set(email_normalize_all(message.email_from or ""))
        if watchers:
            partners = message.partner_ids | self.message_partner_ids
            watchers -= set(partners.mapped("email_normalized"))
        if not watchers:
            return
        self.env["mail.mail"].sudo().create(
            {
                "mail_message_id": message.id,
                "email_to": ",".join(sorted(watchers)),
                "body_html": message.body,
                "auto_delete": True,
            }
        )
        self._send_mail_queue_soon()

    @api.model
    def _send_mail_queue_soon(self):
        """Queued mail leaves with the next run of the mail queue, which Odoo
        schedules hourly: run it now."""
        # by its id: env.ref would check first that the cron exists, a query
        # on every incoming mail
        self.env["ir.cron"].browse(
            self.env["ir.model.data"]._xmlid_to_res_id(
                "mail.ir_cron_mail_scheduler_action"
            )
        )._trigger()

    @api.model
    def _cron_send_acknowledgements(self, batch_size=200):
        cases = self._lock_pending_acknowledgements(batch_size)
        cases._send_acknowledgements()
        remaining = (
            self.with_context(active_test=False).search_count(
                [("acknowledgement_reference", "!=", False)]
            )
            if len(cases) == batch_size
            else 0
        )
        self.env["ir.cron"]._notify_progress(done=len(cases), remaining=remaining)

    @api.model
    def _lock_pending_acknowledgements(self, limit):
        """Up to ``limit`` cases waiting for their acknowledgement that this
        transaction could lock: a case the escalation cron or a mail is
        changing meanwhile waits for the next run, so that it is acknowledged
        once and the run does not fail."""
        return self._lock_cases(
            SQL("acknowledgement_reference != ''"),
            order=SQL("priority DESC, id DESC"),
            limit=limit,
        )
