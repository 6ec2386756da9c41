# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What mail_inbound_guard's protections mean for cases: headers cleaned
before the acknowledgement and the watchers, unprocessed mail counted on
its section and handled by the case managers."""

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail_inbound_guard.tests.common import (
    CONTROL,
    GATEWAY_LOGGERS,
    break_record_creation,
)
from odoo.addons.mail_inbound_guard.tests.common import (
    DATA as INBOUND_DATA,
)

from .common import GatewayCommon, new_case_user


@tagged("mail_gateway")
class TestMailGatewayUnprocessed(GatewayCommon):
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
        cls.Unprocessed = cls.env["mail.inbound.unprocessed"]
        # rows kept before the tests, e.g. on a copy of a live database
        cls.Unprocessed.search([]).unlink()

    def _send_acknowledgement(self, case):
        """Send the queued acknowledgement the way the mail queue does."""
        self.env["crm.case"]._cron_send_acknowledgements()
        ack = self._acknowledgements(case)
        self.assertEqual(len(ack), 1)
        ack.send(raise_exception=True)
        return next(mail for mail in self._mails if mail["subject"] == ack.subject)

    # Headers cleaned before anything answers -------------------------------------

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

    @mute_logger(*GATEWAY_LOGGERS)
    def test_every_malformed_mail_opens_a_case(self):
        names = sorted(path.name for path in (INBOUND_DATA / "malformed").glob("*.eml"))
        self.assertGreaterEqual(len(names), 20)
        for name in names:
            with self.subTest(message=name), self.mock_mail_gateway():
                case = self._process(INBOUND_DATA / "malformed" / name)
                self.assertEqual(len(case), 1, "one case")
                self.assertEqual(len(self._incoming(case)), 1, "its first mail")
                self.assertEqual(case.section_id, self.support)
                self.assertFalse(CONTROL & set(case.name), case.name)
                self.assertFalse(CONTROL & set(case.email_from or ""))
                self.assertFalse(CONTROL & set(case.email_cc or ""))
                self.assertNotIn("<script", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_hidden_bcc_in_cc_name_adds_no_watcher(self):
        with self.mock_mail_gateway():
            case = self._process(
                INBOUND_DATA / "malformed" / "26_crlf_in_cc_and_reply_to.eml"
            )
        self.assertEqual(case._get_watcher_emails(), {"watcher.26@broken.example.com"})

    # Unprocessed mail of the sections ---------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_failing_mail_is_counted_on_its_section(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self.assertFalse(self._process("new_plain.eml"))
        kept = self.Unprocessed.with_user(self.user_manager).search([])
        self.assertEqual(len(kept), 1)
        self.assertEqual(kept.alias_id, self.support.alias_id)
        support = self.support.with_user(self.user_manager)
        self.assertEqual(support.unprocessed_mail_count, 1)
        self.assertEqual(
            self.sales.with_user(self.user_manager).unprocessed_mail_count, 0
        )
        action = support.action_open_unprocessed_mail()
        self.assertEqual(
            self.Unprocessed.with_user(self.user_manager).search(action["domain"]),
            kept,
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_manager_reprocesses_kept_mail_into_a_case(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._process("new_plain.eml")
        kept = self.Unprocessed.with_user(self.user_manager).search([])
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
    def test_manager_discards_kept_mail(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._process("new_plain.eml")
        kept = self.Unprocessed.with_user(self.user_manager).search([])
        kept.action_discard()
        self.assertFalse(kept.exists())
        self.assertEqual(
            self.support.with_user(self.user_manager).unprocessed_mail_count, 0
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_case_users_cannot_read_kept_mail(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self._process("new_plain.eml")
        with self.assertRaises(AccessError):
            self.Unprocessed.with_user(self.user_support).search([])
        menu = self.env.ref("crm_case_sections.menu_crm_case_unprocessed_mail")
        self.assertFalse(menu.with_user(self.user_support)._filter_visible_menus())
        self.assertTrue(menu.with_user(self.user_manager)._filter_visible_menus())
