# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64
from unittest.mock import patch

import psycopg2

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.mail_thread import MailRoutingRefused
from .common import DATA, GatewayCommon, new_case_user

GATEWAY_LOGGERS = (
    "odoo.addons.mail.models.mail_thread",
    "odoo.addons.crm_case_sections.models.mail_thread",
    "odoo.models.unlink",
)
CONTROL = {chr(code) for code in range(32)} | {"\x7f"}


@tagged("mail_gateway")
class TestMailQuarantine(GatewayCommon):
    """Every mail ends as a case, a message on a case, a deliberate refusal
    or a row of unprocessed mail, and nothing a sender writes in a header
    breaks the answers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = new_case_user(
            cls.env,
            "marta",
            "Marta Manager",
            manager=True,
            email="marta@test.mycompany.com",
        )
        cls.Quarantine = cls.env["crm.case.mail.quarantine"]

    def _gateway_outcome(self, raw):
        """What the gateway made of ``raw``: the counts of cases, mails on
        cases and unprocessed mails it added, or the refusal it raised."""
        Message = self.env["mail.message"].sudo()
        domain = [("model", "=", "crm.case"), ("message_type", "=", "email")]
        before = (
            self.env["crm.case"].search_count([]),
            Message.search_count(domain),
            self.Quarantine.search_count([]),
        )
        try:
            self.env["mail.thread"].message_process(None, raw)
        except MailRoutingRefused:
            return "refused"
        after = (
            self.env["crm.case"].search_count([]),
            Message.search_count(domain),
            self.Quarantine.search_count([]),
        )
        return tuple(new - old for new, old in zip(after, before, strict=True))

    def _send_acknowledgement(self, case):
        """Send the queued acknowledgement the way the mail queue does."""
        self.env["crm.case"]._cron_send_acknowledgements()
        ack = self._acknowledgements(case)
        self.assertEqual(len(ack), 1)
        ack.send(raise_exception=True)
        return next(mail for mail in self._mails if mail["subject"] == ack.subject)

    # The three ways a mail used to be lost ------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_broken_delivery_report_is_handled_as_a_bounce(self):
        with self.mock_mail_gateway():
            outcome = self._gateway_outcome(self._raw("broken_delivery_report.eml"))
        # a delivery report is recognised and consumed, as Odoo does with
        # well-formed ones: no case, no answer, nothing left unprocessed
        self.assertEqual(outcome, (0, 0, 0))
        self.assertFalse(self._new_mails)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_line_break_in_sender_name_opens_a_case(self):
        with self.mock_mail_gateway():
            case = self._process("crlf_sender.eml")
            self.assertEqual(len(case), 1)
            self.assertEqual(case.name, "Pump question")
            for value in (case.contact_name, case.email_from):
                self.assertFalse(CONTROL & set(value), value)
            self.assertIn("eve@cust.example.com", case.email_from)
            sent = self._send_acknowledgement(case)
        self.assertEqual(sent["email_to"], [case.email_from])
        self.assertNotIn("x@evil.example.com", sent.get("email_cc") or [])
        self.assertNotIn("x@evil.example.com", sent.get("email_bcc") or [])

    @mute_logger(*GATEWAY_LOGGERS)
    def test_line_break_in_subject_still_acknowledged(self):
        with self.mock_mail_gateway():
            case = self._process("crlf_subject.eml")
            self.assertEqual(case.name, "Pump leaks Bcc: x@evil.example.com")
            sent = self._send_acknowledgement(case)
        self.assertEqual(
            sent["subject"], f"[{case.number}] Pump leaks Bcc: x@evil.example.com"
        )
        self.assertIn("carl@cust.example.com", sent["email_to"][0])
        self.assertFalse(sent.get("email_bcc"))

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
                self.assertEqual(sum(outcome), 2, f"{name}: {outcome}")
                case = self.env["crm.case"].search([], order="id desc", limit=1)
                self.assertEqual(outcome[:2], (1, 1), "one case, its first mail")
                self.assertEqual(case.section_id, self.support)
                self.assertFalse(CONTROL & set(case.name), case.name)
                self.assertFalse(CONTROL & set(case.email_from or ""))
                self.assertFalse(CONTROL & set(case.email_cc or ""))
                self.assertNotIn("<script", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_hidden_bcc_in_cc_name_adds_no_watcher(self):
        with self.mock_mail_gateway():
            case = self._process("malformed/26_crlf_in_cc_and_reply_to.eml")
        self.assertEqual(case._get_watcher_emails(), {"watcher.26@broken.example.com"})

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mail_without_message_id_fetched_twice_is_one_case(self):
        raw = (DATA / "malformed" / "09_missing_message_id.eml").read_bytes()
        with self.mock_mail_gateway():
            self.assertEqual(self._gateway_outcome(raw), (1, 1, 0))
            self.assertEqual(self._gateway_outcome(raw), (0, 0, 0))

    # Unprocessed mail -----------------------------------------------------------

    def _break_case_creation(self, error=None):
        """Make reading the mail's body fail, as an unforeseen mail would."""
        return patch.object(
            type(self.env["mail.thread"]),
            "_message_parse_extract_payload",
            side_effect=error or KeyError("pump_model"),
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failing_mail_is_kept_for_the_manager(self):
        raw = self._raw("new_plain.eml")
        with self.mock_mail_gateway(), self._break_case_creation():
            self.assertEqual(self._gateway_outcome(raw), (0, 0, 1))
        kept = self.Quarantine.with_user(self.user_manager).search([])
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.name, "The oil pump leaks at the coupling")
        self.assertIn("ana.torres@customer.example.com", kept.email_from)
        self.assertEqual(kept.message_id, "<plain-0001@mail.example.com>")
        self.assertIn("pump_model", kept.error)
        self.assertTrue(kept.date)
        self.assertEqual(base64.b64decode(kept.raw_message), raw)
        self.assertEqual(kept.section_id, self.support)
        self.assertEqual(
            self.support.with_user(self.user_manager).mail_quarantine_count, 1
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_same_failing_mail_twice_is_one_row(self):
        raw = self._raw("new_plain.eml")
        with self.mock_mail_gateway(), self._break_case_creation():
            self._gateway_outcome(raw)
            self._gateway_outcome(raw)
        kept = self.Quarantine.search([])
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.attempt_count, 2)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_manager_reprocesses_kept_mail_into_a_case(self):
        with self.mock_mail_gateway(), self._break_case_creation():
            self._gateway_outcome(self._raw("new_plain.eml"))
        kept = self.Quarantine.with_user(self.user_manager).search([])
        with self.mock_mail_gateway():
            action = kept.action_reprocess()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(kept.exists())
        case = self.env["crm.case"].search(
            [("email_from", "ilike", "ana.torres@customer.example.com")]
        )
        self.assertEqual(len(case), 1)
        self.assertEqual(case.section_id, self.support)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reprocess_failing_again_keeps_the_mail(self):
        with self.mock_mail_gateway(), self._break_case_creation():
            self._gateway_outcome(self._raw("new_plain.eml"))
        kept = self.Quarantine.with_user(self.user_manager).search([])
        with (
            self.mock_mail_gateway(),
            self._break_case_creation(KeyError("still broken")),
        ):
            action = kept.action_reprocess()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertTrue(kept.exists())
        self.assertIn("still broken", kept.error)
        self.assertEqual(kept.attempt_count, 2)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_manager_discards_kept_mail(self):
        with self.mock_mail_gateway(), self._break_case_creation():
            self._gateway_outcome(self._raw("new_plain.eml"))
        kept = self.Quarantine.with_user(self.user_manager).search([])
        kept.action_discard()
        self.assertFalse(kept.exists())
        self.assertEqual(
            self.support.with_user(self.user_manager).mail_quarantine_count, 0
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_case_users_cannot_read_kept_mail(self):
        with self.mock_mail_gateway(), self._break_case_creation():
            self._gateway_outcome(self._raw("new_plain.eml"))
        with self.assertRaises(AccessError):
            self.Quarantine.with_user(self.user_support).search([])
        self.assertFalse(
            self.env.ref("crm_case_sections.menu_crm_case_mail_quarantine")
            .with_user(self.user_support)
            ._filter_visible_menus()
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_database_failure_is_raised_for_a_later_delivery(self):
        error = psycopg2.OperationalError("server closed the connection")
        with (
            self.mock_mail_gateway(),
            self._break_case_creation(error),
            self.assertRaises(psycopg2.OperationalError),
        ):
            self.env["mail.thread"].message_process(None, self._raw("new_plain.eml"))
        self.assertFalse(self.Quarantine.search([]))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_routing_refusal_is_still_odoos(self):
        with self.mock_mail_gateway(), self.assertRaises(MailRoutingRefused):
            self.env["mail.thread"].message_process(
                None, self._raw("unknown_alias.eml")
            )
        self.assertFalse(self.Quarantine.search([]))
