# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The acknowledgement a customer receives is in the case's chatter, answers
his mail (In-Reply-To and References) and links to the case on the portal."""

import ast

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GatewayCommon

GATEWAY_LOGGERS = ("odoo.addons.mail.models.mail_thread", "odoo.models.unlink")


@tagged("post_install", "-at_install", "mail_gateway")
class TestAcknowledgement(GatewayCommon):
    @mute_logger(*GATEWAY_LOGGERS)
    def test_acknowledgement_in_chatter_answering_the_customer(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
            ack = self._acknowledgements(case)
            self.assertEqual(len(ack), 1)
            headers = ast.literal_eval(ack.headers)
            self.assertEqual(headers["In-Reply-To"], "<plain-0001@mail.example.com>")
            self.assertEqual(ack.references, "<plain-0001@mail.example.com>")
            self.assertEqual(headers["Auto-Submitted"], "auto-replied")
            # the link to the case on the portal, with its access token
            self.assertIn(
                f"{case.get_base_url()}/my/cases/{case.id}?access_token="
                f"{case.access_token}",
                ack.body_html,
            )
            message = ack.mail_message_id
        # once sent, the mail is deleted (auto_delete); the acknowledgement
        # stays in the chatter, to the customer only: no follower is
        # notified of it
        self.assertTrue(ack.auto_delete)
        ack.unlink()
        self.assertTrue(message.exists())
        self.assertFalse(message.partner_ids)
        self.assertFalse(message.notification_ids)
        self.assertFalse(message.is_internal)
        # what the support agent reads in the case's chatter
        messages = (
            self.env["mail.message"]
            .with_user(self.user_support)
            .search([("model", "=", "crm.case"), ("res_id", "=", case.id)])
        )
        self.assertIn(message, messages)
        self.assertTrue(message.subject.startswith(f"[{case.number}]"))
        self.assertEqual(message.message_type, "auto_comment")
        # sent by whoever runs the cron, from the company's address
        self.assertEqual(message.author_id, self.env.user.partner_id)
        self.assertEqual(message.email_from, case.company_id.email_formatted)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
