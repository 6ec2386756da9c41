# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from unittest.mock import patch

import psycopg2

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools import MailRoutingRefused
from .common import (
    CONTROL,
    DATA,
    GATEWAY_LOGGERS,
    InboundCommon,
    break_record_creation,
)


@tagged("post_install", "-at_install", "mail_inbound_guard")
class TestMailInboundGuard(InboundCommon):
    """Every mail ends as a record, a message on a record, a deliberate
    refusal or a row of unprocessed mail, and nothing a sender writes in a
    header breaks the answers."""

    def _gateway_outcome(self, raw):
        """What the gateway made of ``raw``: the counts of contacts, mails
        on contacts and unprocessed mails it added, or the refusal it
        raised."""
        Message = self.env["mail.message"].sudo()
        domain = [("model", "=", "res.partner"), ("message_type", "=", "email")]
        before = (
            len(self._contacts()),
            Message.search_count(domain),
            self.Unprocessed.search_count([]),
        )
        try:
            self.env["mail.thread"].message_process(None, raw)
        except MailRoutingRefused:
            return "refused"
        after = (
            len(self._contacts()),
            Message.search_count(domain),
            self.Unprocessed.search_count([]),
        )
        return tuple(new - old for new, old in zip(after, before, strict=True))

    def _last_mail(self):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("message_type", "=", "email")],
            order="id desc",
            limit=1,
        )

    # A mail that cannot become a record -----------------------------------------

    @mute_logger(*GATEWAY_LOGGERS, "odoo.addons.mail.models.mail_alias")
    def test_mail_that_cannot_become_a_record_is_kept(self):
        # the alias' defaults make every contact it creates invalid
        self.alias.alias_defaults = repr({"ref": "inbound", "type": "no-such-type"})
        raw = self._raw("new_plain.eml")
        # Odoo tells the sender on a cursor of its own, which must see the
        # alias as a committed one
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        with self.mock_mail_gateway():
            self.assertEqual(self._gateway_outcome(raw), (0, 0, 1))
        kept = self.Unprocessed.with_user(self.user_admin_mail).search([])
        self.assertEqual(kept.name, "The oil pump leaks at the coupling")
        self.assertIn("no-such-type", kept.error)
        self.assertEqual(kept.alias_id, self.alias)
        self.assertEqual(kept.company_id, self.env.company)
        self.assertEqual(base64.b64decode(kept.raw_message), raw)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mail_to_the_default_model_that_cannot_become_a_record_is_kept(self):
        # an incoming mail server's model, with values no record accepts
        raw = self._raw("unknown_alias.eml")
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(
                "res.partner", raw, custom_values={"type": "no-such-type"}
            )
        self.assertFalse(self._new_mails, "no answer to anybody")
        kept = self.Unprocessed.search([])
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.name, "Where does this go?")
        self.assertEqual(kept.model, "res.partner")
        self.assertFalse(kept.alias_id)
        self.assertIn("no-such-type", kept.error)

    # The three ways a mail used to be lost ------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_broken_delivery_report_is_handled_as_a_bounce(self):
        with self.mock_mail_gateway():
            outcome = self._gateway_outcome(self._raw("broken_delivery_report.eml"))
        # a delivery report is recognised and consumed, as Odoo does with
        # well-formed ones: no record, no answer, nothing left unprocessed
        self.assertEqual(outcome, (0, 0, 0))
        self.assertFalse(self._new_mails)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_line_break_in_subject_is_cleaned(self):
        with self.mock_mail_gateway():
            self.assertEqual(
                self._gateway_outcome(self._raw("crlf_subject.eml")), (1, 1, 0)
            )
        mail = self._last_mail()
        self.assertEqual(mail.subject, "Pump leaks Bcc: x@evil.example.com")
        self.assertIn("carl@cust.example.com", mail.email_from)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_unknown_charset_is_read_as_utf8(self):
        with self.mock_mail_gateway():
            outcome = self._gateway_outcome(self._raw("new_wrong_charset.eml"))
        self.assertEqual(outcome, (1, 1, 0))
        mail = self._last_mail()
        self.assertEqual(mail.subject, "Declared charset does not exist")
        self.assertIn("Lieferung fehlt", mail.body)

    # The malformed corpus ------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_every_malformed_mail_has_an_outcome(self):
        names = sorted(path.name for path in (DATA / "malformed").glob("*.eml"))
        self.assertGreaterEqual(len(names), 20)
        for name in names:
            with self.subTest(message=name), self.mock_mail_gateway():
                outcome = self._gateway_outcome(
                    (DATA / "malformed" / name).read_bytes()
                )
                self.assertNotEqual(outcome, "refused")
                self.assertEqual(outcome, (1, 1, 0), "one record, its first mail")
                mail = self._last_mail()
                contact = self.env["res.partner"].browse(mail.res_id)
                self.assertEqual(contact.ref, "inbound")
                self.assertFalse(CONTROL & set(mail.subject or ""), mail.subject)
                self.assertFalse(CONTROL & set(mail.email_from or ""))
                self.assertFalse(CONTROL & set(contact.email or ""))
                self.assertNotIn("<script", mail.body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mail_without_message_id_fetched_twice_is_one_record(self):
        raw = (DATA / "malformed" / "09_missing_message_id.eml").read_bytes()
        with self.mock_mail_gateway():
            self.assertEqual(self._gateway_outcome(raw), (1, 1, 0))
            self.assertEqual(self._gateway_outcome(raw), (0, 0, 0))

    # What the receiving records learn ------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_receiving_record_learns_a_robot_sent_the_mail(self):
        Partner = type(self.env["res.partner"])
        seen = []
        original = Partner.message_new

        def message_new(partner, msg_dict, custom_values=None):
            seen.append(
                (
                    partner.env.context.get("mail_gateway_automated"),
                    partner.env.context.get("mail_gateway_recipients"),
                )
            )
            return original(partner, msg_dict, custom_values=custom_values)

        with (
            self.mock_mail_gateway(),
            patch.object(Partner, "message_new", message_new, create=True),
        ):
            self._gateway_outcome(self._raw("auto_submitted.eml"))
            self._gateway_outcome(self._raw("new_plain.eml"))
        self.assertEqual(seen[0], (True, ["support@test.mycompany.com"]))
        self.assertFalse(seen[1][0])
        self.assertIn("quality@customer.example.com", seen[1][1])

    @mute_logger(*GATEWAY_LOGGERS)
    def test_extension_points_see_the_replied_records(self):
        with self.mock_mail_gateway():
            self._gateway_outcome(self._raw("new_plain.eml"))
        contact = self._contacts()
        reply = self._raw("new_plain.eml").replace(
            b"Message-ID: <plain-0001@mail.example.com>",
            b"Message-ID: <plain-0002@mail.example.com>\n"
            b"In-Reply-To: <plain-0001@mail.example.com>",
        )
        Partner = type(self.env["res.partner"])
        untrusted_seen = []
        original = Partner.message_update

        def message_update(partner, msg_dict, update_vals=None):
            untrusted_seen.append(partner._mail_inbound_get_untrusted_ids())
            return original(partner, msg_dict, update_vals=update_vals)

        with (
            self.mock_mail_gateway(),
            patch.object(
                Partner,
                "_mail_inbound_untrusted_reply_ids",
                lambda partner, ids, msg: tuple(ids),
                create=True,
            ),
            patch.object(Partner, "message_update", message_update, create=True),
        ):
            # a reply by its headers lands on the contact, which distrusts it
            self.assertEqual(self._gateway_outcome(reply), (0, 1, 0))
        self.assertEqual(untrusted_seen, [(contact.id,)])
        self.assertEqual(self._last_mail().res_id, contact.id)
        third = reply.replace(b"plain-0002@", b"plain-0003@")
        with (
            self.mock_mail_gateway(),
            patch.object(
                Partner,
                "_mail_inbound_route_as_new",
                lambda partner, ids, msg: contact.id in ids,
                create=True,
            ),
        ):
            # the contact wants the reply as a new record
            self.assertEqual(self._gateway_outcome(third), (1, 1, 0))
        self.assertNotEqual(self._last_mail().res_id, contact.id)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_wanted_as_new_without_alias_goes_to_the_replied_model(self):
        with self.mock_mail_gateway():
            self._gateway_outcome(self._raw("new_plain.eml"))
        contact = self._contacts()
        # answered to an address that is no alias, e.g. the catchall
        reply = (
            self._raw("new_plain.eml")
            .replace(b"To: support@", b"To: nobody@")
            .replace(
                b"Message-ID: <plain-0001@mail.example.com>",
                b"Message-ID: <plain-0004@mail.example.com>\n"
                b"In-Reply-To: <plain-0001@mail.example.com>",
            )
        )
        with (
            self.mock_mail_gateway(),
            patch.object(
                type(self.env["res.partner"]),
                "_mail_inbound_route_as_new",
                lambda partner, ids, msg: contact.id in ids,
                create=True,
            ),
        ):
            new_id = self.env["mail.thread"].message_process(None, reply)
        self.assertTrue(new_id, "a new record rather than a refusal")
        self.assertNotEqual(new_id, contact.id)
        self.assertEqual(self._last_mail().res_id, new_id)

    # Unprocessed mail -----------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failing_mail_is_kept_for_the_administrator(self):
        raw = self._raw("new_plain.eml")
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self.assertEqual(self._gateway_outcome(raw), (0, 0, 1))
        kept = self.Unprocessed.with_user(self.user_admin_mail).search([])
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.name, "The oil pump leaks at the coupling")
        self.assertIn("ana.torres@customer.example.com", kept.email_from)
        self.assertEqual(kept.message_id, "<plain-0001@mail.example.com>")
        self.assertIn("pump_model", kept.error)
        self.assertTrue(kept.date)
        self.assertEqual(base64.b64decode(kept.raw_message), raw)
        self.assertEqual(kept.alias_id, self.alias)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_same_failing_mail_twice_is_one_row(self):
        raw = self._raw("new_plain.eml")
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._gateway_outcome(raw)
            self._gateway_outcome(raw)
        kept = self.Unprocessed.search([])
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.attempt_count, 2)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_administrator_reprocesses_kept_mail_into_a_record(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._gateway_outcome(self._raw("new_plain.eml"))
        kept = self.Unprocessed.with_user(self.user_admin_mail).search([])
        with self.mock_mail_gateway():
            action = kept.action_reprocess()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(kept.exists())
        contact = self._contacts()
        self.assertEqual(len(contact), 1)
        self.assertIn("ana.torres@customer.example.com", contact.email)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reprocess_failing_again_keeps_the_mail(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._gateway_outcome(self._raw("new_plain.eml"))
        kept = self.Unprocessed.with_user(self.user_admin_mail).search([])
        with (
            self.mock_mail_gateway(),
            break_record_creation(self.env, KeyError("still broken")),
        ):
            action = kept.action_reprocess()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertTrue(kept.exists())
        self.assertIn("still broken", kept.error)
        self.assertEqual(kept.attempt_count, 2)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_administrator_discards_kept_mail(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._gateway_outcome(self._raw("new_plain.eml"))
        kept = self.Unprocessed.with_user(self.user_admin_mail).search([])
        action = kept.action_discard()
        self.assertEqual(action["res_model"], "mail.inbound.unprocessed")
        self.assertFalse(kept.exists())

    @mute_logger(*GATEWAY_LOGGERS)
    def test_internal_users_cannot_read_kept_mail(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._gateway_outcome(self._raw("new_plain.eml"))
        with self.assertRaises(AccessError):
            self.Unprocessed.with_user(self.user_internal).search([])
        menu = self.env.ref("mail_inbound_guard.menu_mail_inbound_unprocessed")
        self.assertFalse(menu.with_user(self.user_internal)._filter_visible_menus())
        self.assertTrue(menu.with_user(self.user_admin_mail)._filter_visible_menus())

    @mute_logger(*GATEWAY_LOGGERS)
    def test_database_failure_is_raised_for_a_later_delivery(self):
        error = psycopg2.OperationalError("server closed the connection")
        with (
            self.mock_mail_gateway(),
            break_record_creation(self.env, error),
            self.assertRaises(psycopg2.OperationalError),
        ):
            self.env["mail.thread"].message_process(None, self._raw("new_plain.eml"))
        self.assertFalse(self.Unprocessed.search([]))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_routing_refusal_is_still_odoos(self):
        with self.mock_mail_gateway(), self.assertRaises(MailRoutingRefused):
            self.env["mail.thread"].message_process(
                None, self._raw("unknown_alias.eml")
            )
        self.assertFalse(self.Unprocessed.search([]))
