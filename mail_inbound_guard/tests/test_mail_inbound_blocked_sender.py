# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged, warmup
from odoo.tools import mute_logger

from .common import GATEWAY_LOGGERS, InboundCommon

SENDER = "ana.torres@customer.example.com"
MESSAGE = """From: "Ana Torres" <{sender}>
To: support@test.mycompany.com
Subject: Cheap pumps {index}
Message-ID: <blocked-{index}@customer.example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Buy our pumps.
"""


@tagged("post_install", "-at_install", "mail_inbound_guard")
class TestMailInboundBlockedSender(InboundCommon):
    """Mail from a blocked sender makes no record and no answer: it is kept
    as spam, for the administrator to release or purge."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Blocked = cls.env["mail.inbound.blocked.sender"]
        cls.Blocked.with_context(active_test=False).search([]).unlink()
        cls.other_company = cls.env["res.company"].create({"name": "Other Oils"})

    def _block(self, pattern, company=None, user=None):
        return self.Blocked.with_user(user or self.user_admin_mail).create(
            {"pattern": pattern, "company_id": (company or self.env.company).id}
        )

    def _deliver(self, raw):
        """Feed ``raw`` to the gateway; return the contacts it made."""
        before = self._contacts()
        self.env["mail.thread"].message_process(None, raw)
        return self._contacts() - before

    def _other_company_alias(self):
        """aaa-help@, an alias of the other company, sorted before support@:
        the alias looked at first."""
        other_partner = self.env["res.partner"].create(
            {"name": "Other Oils Help Desk", "company_id": self.other_company.id}
        )
        partner_model = self.env["ir.model"]._get_id("res.partner")
        return self.env["mail.alias"].create(
            {
                "alias_name": "aaa-help",
                "alias_domain_id": self.alias.alias_domain_id.id,
                "alias_model_id": partner_model,
                "alias_parent_model_id": partner_model,
                "alias_parent_thread_id": other_partner.id,
                "alias_contact": "everyone",
                "alias_defaults": repr({"name": "Mail contact", "ref": "inbound"}),
            }
        )

    def _mail(self, index=0, sender=SENDER):
        return MESSAGE.format(sender=sender, index=index)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_blocked_address_makes_no_record_and_no_answer(self):
        self._block(SENDER)
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._raw("new_plain.eml")))
        self.assertFalse(self._new_mails, "no answer, no bounce")
        spam = self.Unprocessed.with_user(self.user_admin_mail).search([])
        self.assertEqual(len(spam), 1)
        self.assertTrue(spam.is_spam)
        self.assertEqual(spam.name, "The oil pump leaks at the coupling")
        self.assertEqual(spam.alias_id, self.alias)
        self.assertEqual(spam.company_id, self.env.company)
        self.assertIn(SENDER, spam.error)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_blocked_domain_blocks_every_address_of_it(self):
        self._block("@Customer.Example.com")
        with self.mock_mail_gateway():
            self.assertFalse(
                self._deliver(self._mail(sender="luis@customer.example.com"))
            )
            # a sub-domain is another domain
            self.assertTrue(
                self._deliver(self._mail(1, "luis@eu.customer.example.com"))
            )
        self.assertEqual(self.Unprocessed.search([]).mapped("is_spam"), [True])

    @mute_logger(*GATEWAY_LOGGERS)
    def test_block_of_another_company_lets_the_mail_in(self):
        self._block(SENDER, company=self.other_company, user=self.env.user)
        with self.mock_mail_gateway():
            self.assertTrue(self._deliver(self._mail()))
        self.assertFalse(self.Unprocessed.search([]))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_other_company_alias_in_cc_does_not_get_around_the_block(self):
        """Odoo routes the mail to every alias among its recipients: the
        alias of a company that did not block the sender, in Cc, does not
        open the way to the one that did."""
        other_alias = self._other_company_alias()
        self.assertEqual(
            self.Unprocessed._find_alias({"cc": other_alias.alias_full_name}),
            other_alias,
        )
        self._block(SENDER)
        raw = self._mail().replace(
            "To: support@test.mycompany.com\n",
            f"To: support@test.mycompany.com\nCc: {other_alias.alias_full_name}\n",
        )
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(raw))
        self.assertFalse(self._new_mails, "no answer, no bounce")
        spam = self.Unprocessed.search([])
        self.assertEqual(len(spam), 1)
        self.assertTrue(spam.is_spam)
        # kept for the company that blocked the sender, with its alias
        self.assertEqual(spam.company_id, self.env.company)
        self.assertEqual(spam.alias_id, self.alias)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_other_company_alias_alone_lets_the_mail_in(self):
        other_alias = self._other_company_alias()
        self._block(SENDER)
        raw = self._mail().replace(
            "To: support@test.mycompany.com", f"To: {other_alias.alias_full_name}"
        )
        with self.mock_mail_gateway():
            self.assertEqual(len(self._deliver(raw)), 1)
        self.assertFalse(self.Unprocessed.search([]))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_block_of_every_company(self):
        self.Blocked.create({"pattern": SENDER, "company_id": False})
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail()))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_archived_block_lets_the_mail_in_again(self):
        blocked = self._block(SENDER)
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail()))
            # the cached list follows the change
            blocked.with_user(self.user_admin_mail).active = False
            self.assertTrue(self._deliver(self._mail(1)))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_release_makes_the_record(self):
        self._block(SENDER)
        with self.mock_mail_gateway():
            self._deliver(self._raw("new_plain.eml"))
        spam = self.Unprocessed.with_user(self.user_admin_mail).search([])
        with self.mock_mail_gateway():
            action = spam.action_release()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(spam.exists())
        self.assertEqual(len(self._contacts()), 1)
        # the sender himself stays blocked
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail()))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mark_unprocessed_mail_as_spam_blocks_its_sender(self):
        self.alias.alias_defaults = repr({"ref": "inbound", "type": "no-such-type"})
        self.registry.enter_test_mode(self.cr)
        self.addCleanup(self.registry.leave_test_mode)
        with self.mock_mail_gateway():
            self._deliver(self._raw("new_plain.eml"))
        kept = self.Unprocessed.with_user(self.user_admin_mail).search([])
        self.assertFalse(kept.is_spam)
        kept.action_mark_spam()
        self.assertTrue(kept.is_spam)
        blocked = self.Blocked.search([])
        self.assertEqual(blocked.pattern, SENDER)
        self.assertEqual(blocked.company_id, self.env.company)
        self.alias.alias_defaults = repr({"ref": "inbound"})
        with self.mock_mail_gateway():
            self.assertFalse(self._deliver(self._mail()))
        self.assertEqual(self.Unprocessed.search_count([("is_spam", "=", True)]), 2)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_purge_deletes_the_spam_only(self):
        self._block(SENDER)
        with self.mock_mail_gateway():
            for index in range(3):
                self._deliver(self._mail(index))
        self.Unprocessed.create({"name": "Broken", "error": "KeyError"})
        Unprocessed = self.Unprocessed.with_user(self.user_admin_mail)
        action = Unprocessed.browse().action_purge_spam()
        self.assertIn("3", action["params"]["message"])
        self.assertEqual(Unprocessed.search([]).mapped("name"), ["Broken"])

    def test_pattern_is_an_address_or_a_domain(self):
        self.assertEqual(
            self._block(" Spammer@Spam.Example ").pattern, "spammer@spam.example"
        )
        self.assertEqual(self._block("@SPAM.example").pattern, "@spam.example")
        for bad in (
            "spam.example",
            "@spam",
            "someone@",
            "a@b@c.example",
            "@sp am.example",
        ):
            with (
                self.subTest(pattern=bad),
                self.assertRaisesRegex(ValidationError, "neither an e-mail address"),
            ):
                self._block(bad)

    def test_internal_users_cannot_read_the_block_list(self):
        self._block(SENDER)
        with self.assertRaises(AccessError):
            self.Blocked.with_user(self.user_internal).search([])
        menu = self.env.ref("mail_inbound_guard.menu_mail_inbound_blocked_sender")
        self.assertFalse(menu.with_user(self.user_internal)._filter_visible_menus())
        self.assertTrue(menu.with_user(self.user_admin_mail)._filter_visible_menus())

    def test_kept_mail_of_another_company_is_not_visible(self):
        """A manager of the kept mail sees, releases and deletes only the mail
        of his companies: spam included, it holds the raw source."""
        mine = self.Unprocessed.create(
            {"name": "Mine", "error": "KeyError", "company_id": self.env.company.id}
        )
        shared = self.Unprocessed.create(
            {"name": "Shared", "error": "KeyError", "company_id": False}
        )
        theirs = self.Unprocessed.create(
            {
                "name": "Theirs",
                "error": "KeyError",
                "is_spam": True,
                "company_id": self.other_company.id,
            }
        )
        manager = self.user_admin_mail
        self.assertEqual(manager.company_ids, self.env.company)
        Unprocessed = self.Unprocessed.with_user(manager)
        self.assertEqual(Unprocessed.search([]), mine | shared)
        self.assertFalse(
            Unprocessed.search([("company_id", "=", self.other_company.id)])
        )
        with self.assertRaises(AccessError):
            theirs.with_user(manager).read(["name", "raw_message"])
        with self.assertRaises(AccessError):
            theirs.with_user(manager).action_discard()
        with self.assertRaises(AccessError):
            theirs.with_user(manager).action_release()
        Unprocessed.browse().action_purge_spam()
        self.assertTrue(theirs.exists())
        # a manager of both companies sees it
        manager.company_ids = self.env.company | self.other_company
        Unprocessed = self.Unprocessed.with_user(manager).with_context(
            allowed_company_ids=manager.company_ids.ids
        )
        self.assertEqual(Unprocessed.search([]), mine | shared | theirs)
        self.assertEqual(Unprocessed.browse(theirs.id).name, "Theirs")

    @mute_logger(*GATEWAY_LOGGERS)
    @warmup
    def test_query_count_blocked_mail(self):
        self._block("@customer.example.com")
        self._deliver(self._mail(0))
        # the alias found (a contact alias has no company), the same mail
        # looked for, the spam row and its source saved; nothing parsed,
        # routed or answered
        with self.mock_mail_gateway(), self.assertQueryCount(__system__=4):
            self.env["mail.thread"].message_process(None, self._mail(1))
        self.assertFalse(self._new_mails)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_block_list_costs_no_query_to_other_mail(self):
        with self.mock_mail_gateway():
            self._deliver(self._mail(0, "first@elsewhere.example.com"))
            before = self.env.cr.sql_log_count
            self._deliver(self._mail(1, "second@elsewhere.example.com"))
            free = self.env.cr.sql_log_count - before
            self._block(SENDER)
            self._deliver(self._mail(2, "third@elsewhere.example.com"))  # cache
            before = self.env.cr.sql_log_count
            self._deliver(self._mail(3, "fourth@elsewhere.example.com"))
            guarded = self.env.cr.sql_log_count - before
        self.assertEqual(guarded, free)
