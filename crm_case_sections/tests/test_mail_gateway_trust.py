# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GatewayCommon

GATEWAY_LOGGERS = ("odoo.addons.mail.models.mail_thread", "odoo.models.unlink")


@tagged("mail_gateway")
class TestMailGatewayTrust(GatewayCommon):
    """Who may join a case by quoting one of its Message-Ids."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a contact Odoo knows: Odoo would make him a follower of what he writes to
        cls.mallory = cls.env["res.partner"].create(
            {"name": "Mallory", "email": "mallory@intruder.example.com"}
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_stranger_reply_by_headers_is_recorded_on_the_case(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            new = self._process("reply_in_reply_to_stranger.eml")
        self.assertFalse(new)
        self.assertIn("copy my friend", self._incoming(case).body)
        self.assertEqual(self._incoming(case).author_id, self.mallory)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_stranger_reply_adds_no_watcher_and_no_follower(self):
        case = self._open_plain_case()
        watchers = case._get_watcher_emails()
        followers = case.message_partner_ids
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to_stranger.eml")
        self.assertEqual(case._get_watcher_emails(), watchers)
        self.assertEqual(case.message_partner_ids, followers)
        self.assertNotIn(self.mallory, case.message_partner_ids)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_stranger_cc_gets_no_copy_of_the_next_answer(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to_stranger.eml")
            case.with_user(self.user_support).message_post(
                body="We send a technician tomorrow.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(self._mails_to("accomplice@intruder.example.com"))
        self.assertFalse(self._mails_to("mallory@intruder.example.com"))
        # the watchers got neither the stranger's mail nor anything of his
        self.assertEqual(len(self._mails_to("luis.gil@customer.example.com")), 1)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_stranger_reply_is_put_before_the_responsible(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to_stranger.eml")
        activity = case.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_support)
        self.assertIn("mallory@intruder.example.com", activity.note)
        self.assertIn(
            case,
            self.env["crm.case"]
            .with_user(self.user_support)
            .search([("activity_user_id", "=", self.user_support.id)]),
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_participant_reply_by_headers_still_brings_watchers(self):
        case = self._open_plain_case()
        case.email_cc = False
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to.eml")
        self.assertEqual(
            case._get_watcher_emails(),
            {"quality@customer.example.com", "maintenance@customer.example.com"},
        )
        self.assertFalse(case.activity_ids)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_known_partner_participant_becomes_follower(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        ana = self.env["res.partner"].create(
            {"name": "Ana Torres", "email": "ana.torres@customer.example.com"}
        )
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to.eml")
        self.assertIn(ana, case.message_partner_ids)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_by_headers_to_another_company_opens_a_case_there(self):
        case = self._open_plain_case()
        export_company = self.env["res.company"].create({"name": "Oil Export"})
        export_company.alias_domain_id = self.env["mail.alias.domain"].create(
            {"name": "export.example.com"}
        )
        export = (
            self.env["crm.case.section"]
            .with_company(export_company)
            .create(
                {
                    "name": "Export support",
                    "alias_name": "export",
                    "company_id": export_company.id,
                }
            )
        )
        self.assertEqual(export.alias_id.alias_full_name, "export@export.example.com")
        with self.mock_mail_gateway():
            new = self._process("reply_in_reply_to_other_company.eml")
        self.assertEqual(len(new), 1)
        self.assertEqual(new.section_id, export)
        self.assertEqual(new.company_id, export_company)
        self.assertNotIn("export department", self._incoming(case).body)
