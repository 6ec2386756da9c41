# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Mark as spam: the case leaves every list, its sender's later mail makes
no case and gets no answer, and is kept for the manager to release."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged, warmup
from odoo.tools import mute_logger

from odoo.addons.mail_inbound_guard.tests.common import (
    GATEWAY_LOGGERS,
    break_record_creation,
)

from .common import GatewayCommon, new_case_user, new_section

SPAMMER = "ana.torres@customer.example.com"
MESSAGE = """From: "Ana Torres" <{sender}>
To: support@test.mycompany.com
Subject: Cheap pumps {index}
Message-ID: <spam-{index}@customer.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Buy our pumps.
"""


@tagged("mail_gateway")
class TestCaseSpam(GatewayCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_manager = new_case_user(
            cls.env, "marta", "Marta Manager", manager=True
        )
        cls.Unprocessed = cls.env["mail.inbound.unprocessed"]
        cls.Unprocessed.search([]).unlink()
        cls.Blocked = cls.env["mail.inbound.blocked.sender"]
        cls.Blocked.with_context(active_test=False).search([]).unlink()

    def _mail(self, index, sender=SPAMMER):
        return MESSAGE.format(sender=sender, index=index)

    def _deliver(self, raw):
        """``raw`` through the gateway and the acknowledgement cron; the
        cases it made."""
        before = self.env["crm.case"].with_context(active_test=False).search([])
        self.env["mail.thread"].message_process(None, raw)
        self.env["crm.case"]._cron_send_acknowledgements()
        return self.env["crm.case"].search([("id", "not in", before.ids)])

    def _mark_from_list(self, cases, user):
        action = self.env.ref("crm_case_sections.crm_case_action_mark_spam")
        return (
            action.with_user(user)
            .with_context(active_model="crm.case", active_ids=cases.ids)
            .run()
        )

    def _visible_cases(self, user):
        return self.env["crm.case"].with_user(user).search([])

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mark_spam_from_the_list(self):
        with self.mock_mail_gateway():
            first = self._deliver(self._mail(1))
            second = self._deliver(self._mail(2))
            other = self._deliver(self._mail(3, "luis@customer.example.com"))
        self.assertLessEqual(first | second, self._visible_cases(self.user_support))
        self._mark_from_list(first | second, self.user_support)
        visible = self._visible_cases(self.user_support)
        self.assertNotIn(first, visible)
        self.assertNotIn(second, visible)
        self.assertIn(other, visible)
        self.assertEqual(
            self.support.with_user(self.user_support).case_count, len(other)
        )
        self.assertTrue(first.is_spam)
        self.assertIn("Marked as spam by Sergio Support", first.message_ids[0].body)
        blocked = self.Blocked.with_user(self.user_manager).search([])
        self.assertEqual(blocked.pattern, SPAMMER)
        self.assertEqual(blocked.company_id, first.company_id)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mark_spam_from_the_form_then_next_mail_is_kept_as_spam(self):
        with self.mock_mail_gateway():
            case = self._deliver(self._mail(1))
        action = case.with_user(self.user_support).action_mark_spam()
        self.assertEqual(action["params"]["next"]["res_model"], "crm.case")
        self.assertFalse(case.active)
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail(2)))
        self.assertFalse(self._new_mails, "no acknowledgement, no bounce")
        spam = self.Unprocessed.with_user(self.user_manager).search([])
        self.assertEqual(len(spam), 1)
        self.assertTrue(spam.is_spam)
        self.assertEqual(spam.name, "Cheap pumps 2")
        self.assertEqual(spam.alias_id, self.support.alias_id)
        # the section's counter of mail to look at leaves the spam out, as
        # the list it opens does until its filter is removed
        support = self.support.with_user(self.user_manager)
        self.assertEqual(support.unprocessed_mail_count, 0)
        action = support.action_open_unprocessed_mail()
        self.assertEqual(action["context"], {"search_default_not_spam": 1})
        search = self.Unprocessed.with_user(self.user_manager).get_views(
            [(False, "search")]
        )["views"]["search"]["arch"]
        self.assertIn('name="not_spam"', search)
        self.assertEqual(
            self.Unprocessed.with_user(self.user_manager).search(action["domain"]),
            spam,
        )
        # the manager finds it was not spam after all
        with self.mock_mail_gateway():
            spam.action_release()
        released = self._visible_cases(self.user_support).filtered(
            lambda case: case.name == "Cheap pumps 2"
        )
        self.assertEqual(len(released), 1)
        self.assertEqual(released.section_id, self.support)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_case_marked_before_its_acknowledgement_gets_none(self):
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(None, self._mail(1))
            case = self._visible_cases(self.user_support)
            self.assertTrue(case.acknowledgement_reference)
            case.with_user(self.user_support).action_mark_spam()
            self.env["crm.case"]._cron_send_acknowledgements()
        self.assertFalse(self._acknowledgements(case))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_blocked_domain_keeps_every_address_of_it_out(self):
        with Form(self.Blocked.with_user(self.user_manager)) as blocked:
            blocked.pattern = "@Customer.Example.com"
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail(1, "luis@customer.example.com")))
            self.assertFalse(self._deliver(self._mail(2)))
            self.assertTrue(self._deliver(self._mail(3, "ana@other.example.com")))
        self.assertEqual(
            self.Unprocessed.search([("is_spam", "=", True)]).mapped("email_from"),
            [
                f'"Ana Torres" <{SPAMMER}>',
                '"Ana Torres" <luis@customer.example.com>',
            ],
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_other_company_alias_in_cc_does_not_get_around_the_block(self):
        """The alias of another company's section in Cc, looked at first,
        does not open the way to the Support of the company that blocked the
        sender."""
        other_company = self.env["res.company"].create({"name": "Oil Portugal"})
        other = new_section(
            self.env, "Help", alias_name="aaa-help", company_id=other_company.id
        )
        other.alias_id.alias_domain_id = self.support.alias_id.alias_domain_id
        self.assertEqual(
            self.Unprocessed._find_alias({"cc": other.alias_id.alias_full_name}),
            other.alias_id,
        )
        self.Blocked.create({"pattern": SPAMMER, "company_id": self.env.company.id})
        raw = self._mail(1).replace(
            "To: support@test.mycompany.com\n",
            f"To: support@test.mycompany.com\nCc: {other.alias_id.alias_full_name}\n",
        )
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(raw))
        self.assertFalse(self._new_mails)
        spam = self.Unprocessed.search([])
        self.assertTrue(spam.is_spam)
        self.assertEqual(spam.company_id, self.env.company)
        self.assertEqual(spam.alias_id, self.support.alias_id)
        # to the other company alone, the mail makes its case
        raw = self._mail(2).replace(
            "support@test.mycompany.com", other.alias_id.alias_full_name
        )
        with self.mock_mail_gateway():
            case = self._deliver(raw)
        self.assertEqual(case.section_id, other)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_manager_marks_unprocessed_mail_as_spam(self):
        with self.mock_mail_gateway(), break_record_creation(self.env):
            self.assertFalse(self._deliver(self._mail(1)))
        kept = self.Unprocessed.with_user(self.user_manager).search([])
        self.assertFalse(kept.is_spam)
        kept.action_mark_spam()
        self.assertTrue(kept.is_spam)
        self.assertEqual(
            self.Blocked.with_user(self.user_manager).search([]).pattern, SPAMMER
        )
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail(2)))
        self.assertFalse(self._new_mails)
        purged = self.Unprocessed.with_user(self.user_manager).action_purge_spam()
        self.assertEqual(purged["params"]["type"], "success")
        self.assertFalse(self.Unprocessed.search([]))

    def test_bad_pattern_is_refused_clearly(self):
        with self.assertRaisesRegex(ValidationError, "neither an e-mail address"):
            with Form(self.Blocked.with_user(self.user_manager)) as blocked:
                blocked.pattern = "customer.example.com"

    def test_case_user_cannot_edit_the_block_list(self):
        Blocked = self.Blocked.with_user(self.user_support)
        with self.assertRaises(AccessError):
            Blocked.create({"pattern": SPAMMER})
        with self.assertRaises(AccessError):
            Blocked.search([])
        menu = self.env.ref("crm_case_sections.menu_crm_case_blocked_sender")
        self.assertFalse(menu.with_user(self.user_support)._filter_visible_menus())
        self.assertTrue(menu.with_user(self.user_manager)._filter_visible_menus())

    def test_company_and_user_addresses_cannot_be_blocked(self):
        case = self.env["crm.case"].create(
            {
                "name": "Internal question",
                "section_id": self.support.id,
                "email_from": self.user_support.email,
            }
        )
        with self.assertRaisesRegex(UserError, "cannot be blocked"):
            case.with_user(self.user_support).action_mark_spam()
        self.assertTrue(case.active)
        self.assertFalse(self.Blocked.search([]))

    def test_case_user_cannot_mark_a_case_he_cannot_write(self):
        case = self.env["crm.case"].create(
            {"name": "Sales", "section_id": self.sales.id, "email_from": SPAMMER}
        )
        with self.assertRaises(AccessError):
            case.with_user(self.user_support).action_mark_spam()
        self.assertFalse(self.Blocked.search([]))

    @mute_logger(*GATEWAY_LOGGERS)
    @warmup
    def test_query_count_mail_from_a_blocked_sender(self):
        self.Blocked.create({"pattern": SPAMMER})
        self.env["mail.thread"].message_process(None, self._mail(0))
        # the section's alias and its company, the same mail looked for, the
        # spam row and its source: nothing parsed, routed or answered
        with self.mock_mail_gateway(), self.assertQueryCount(__system__=6):
            self.env["mail.thread"].message_process(None, self._mail(1))
        self.assertFalse(self._new_mails)
