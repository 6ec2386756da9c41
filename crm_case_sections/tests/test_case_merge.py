# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from email.message import EmailMessage

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import GatewayCommon, new_case_user, new_section

GATEWAY_LOGGERS = ("odoo.addons.mail.models.mail_thread", "odoo.models.unlink")
ANA = '"Ana Torres" <ana.torres@customer.example.com>'


@tagged("mail_gateway")
class TestCaseMerge(GatewayCommon):
    """Ana Torres writes twice about the same leak; Sergio, who works
    Support, merges the two cases from the case list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_sales = new_case_user(cls.env, "olga", "Olga Opportunities")
        cls.opportunities = new_section(cls.env, "Opportunities", user=cls.user_sales)

    def _mail(self, message_id, subject, body, in_reply_to=None, sender=ANA, cc=None):
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "support@test.mycompany.com"
        if cc:
            message["Cc"] = cc
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message["Date"] = "Mon, 23 Nov 2026 12:00:00 +0100"
        if in_reply_to:
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        message.set_content(body)
        return message

    def _receive(self, message):
        """The gateway's answer to ``message``: the cases it created."""
        before = self.env["crm.case"].with_context(active_test=False).search([]).ids
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(None, message.as_bytes())
        return (
            self.env["crm.case"]
            .with_context(active_test=False)
            .search([("id", "not in", before)])
        )

    def setUp(self):
        super().setUp()
        first = self._mail(
            "<leak-1@customer.example.com>",
            "The oil pump leaks",
            "The pump leaks at the coupling.",
            cc="quality@customer.example.com",
        )
        first.add_attachment(
            b"%PDF-1.4 photo",
            maintype="application",
            subtype="pdf",
            filename="leak-photo.pdf",
        )
        self.case_old = self._receive(first)
        second = self._mail(
            "<leak-2@customer.example.com>",
            "Oil pump leaking again",
            "The pump still leaks, see the delivery note.",
            cc="luis.gil@customer.example.com",
        )
        second.add_attachment(
            b"%PDF-1.4 note",
            maintype="application",
            subtype="pdf",
            filename="delivery-note.pdf",
        )
        self.case_new = self._receive(second)
        self.assertEqual(len(self.case_old | self.case_new), 2)

    def _merge(self, cases, user=None, target=None, notify=False):
        """As the case list's Action > Merge Cases does, as ``user``."""
        user = user or self.user_support
        wizard = Form(
            self.env["crm.case.merge"]
            .with_user(user)
            .with_context(active_model="crm.case", active_ids=cases.ids)
        )
        if target:
            wizard.target_case_id = target.with_user(user)
        wizard.notify_customer = notify
        with self.mock_mail_gateway():
            action = wizard.save().action_merge()
        return self.env["crm.case"].browse(action["res_id"])

    # -- what the merge keeps -----------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_merge_keeps_every_message_and_attachment(self):
        cases = self.case_old | self.case_new
        messages = cases.message_ids
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.case"), ("res_id", "in", cases.ids)]
        )
        self.assertEqual(len(attachments), 2)
        target = self._merge(cases)
        self.assertEqual(target, self.case_old, "the oldest case is kept")
        self.assertLessEqual(messages, target.message_ids)
        self.assertEqual(
            set(
                self.env["ir.attachment"]
                .search([("res_model", "=", "crm.case"), ("res_id", "=", target.id)])
                .mapped("name")
            ),
            {"leak-photo.pdf", "delivery-note.pdf"},
        )
        self.assertIn("pump still leaks", "".join(target.message_ids.mapped("body")))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_merged_cases_are_archived_pointing_to_target(self):
        target = self._merge(self.case_old | self.case_new)
        self.assertFalse(self.case_new.active)
        self.assertEqual(self.case_new.merged_into_id, target)
        self.assertEqual(target.merged_case_ids, self.case_new)
        self.assertTrue(target.active)
        # the form lists the merged cases (read as the web client does)
        read = target.with_user(self.user_support).web_read(
            {"merged_case_ids": {"fields": {"number": {}}}}
        )
        self.assertEqual(
            read[0]["merged_case_ids"],
            [{"id": self.case_new.id, "number": self.case_new.number}],
        )
        # a note on both sides, each naming the other
        self.assertIn(self.case_new.number, target.message_ids[0].body)
        self.assertIn(target.number, self.case_new.message_ids[0].body)
        self.assertIn("data-oe-id", self.case_new.message_ids[0].body)
        Case = self.env["crm.case"].with_user(self.user_support)
        self.assertNotIn(self.case_new, Case.search([]), "merged cases leave the lists")
        # and are found again with the Merged filter
        search = Case.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="merged"', search)
        self.assertEqual(
            Case.search([("merged_into_id", "!=", False), ("active", "=", False)]),
            self.case_new,
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_followers_watchers_and_documents_move(self):
        order = self.env["res.partner"].create({"name": "Delivery 42"})
        self.case_new.write({"ref": f"res.partner,{order.id}"})
        self.case_new.message_subscribe(partner_ids=self.user_sales.partner_id.ids)
        target = self._merge(self.case_old | self.case_new)
        self.assertEqual(
            target._get_watcher_emails(),
            {"quality@customer.example.com", "luis.gil@customer.example.com"},
        )
        self.assertIn(self.user_sales.partner_id, target.message_partner_ids)
        self.assertEqual(target.ref, order)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_cases_without_watchers_merge(self):
        cases = self.env["crm.case"].create(
            [
                {
                    "name": name,
                    "section_id": self.support.id,
                    "partner_id": self.customer.id,
                }
                for name in ("Pump offer", "Pump offer again")
            ]
        )
        target = self._merge(cases, notify=True)
        self.assertFalse(target.email_cc)
        self.assertEqual(cases[1].merged_into_id, target)
        self.assertEqual(len(self._mails_to("buyer@oil.example.com")), 1)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_user_chooses_the_case_to_keep(self):
        target = self._merge(self.case_old | self.case_new, target=self.case_new)
        self.assertEqual(target, self.case_new)
        self.assertEqual(self.case_old.merged_into_id, self.case_new)

    # -- mail after the merge -----------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_to_merged_case_mail_lands_on_target(self):
        target = self._merge(self.case_old | self.case_new)
        reply = self._mail(
            "<leak-3@customer.example.com>",
            "Re: Oil pump leaking again",
            "Now it leaks on the floor.",
            in_reply_to="<leak-2@customer.example.com>",
        )
        self.assertFalse(self._receive(reply), "no new case")
        self.assertIn("on the floor", target.message_ids[0].body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_to_merge_notice_lands_on_target(self):
        target = self._merge(self.case_old | self.case_new, notify=True)
        # the notice stays in the merged case's thread, where the customer
        # wrote: his answer to it still goes on in the case kept
        notice = self.case_new.message_ids.filtered(
            lambda message: message.message_type == "comment"
        )
        self.assertEqual(len(notice), 1)
        reply = self._mail(
            "<leak-4@customer.example.com>",
            f"Re: [{target.number}] The oil pump leaks",
            "Thanks, we wait for your technician.",
            in_reply_to=notice.message_id,
        )
        self.assertFalse(self._receive(reply), "no new case")
        self.assertIn("wait for your technician", target.message_ids[0].body)
        self.assertNotIn(
            "wait for your technician",
            "".join(self.case_new.message_ids.mapped("body")),
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_stranger_reply_to_merge_notice_brings_nobody_in(self):
        target = self._merge(self.case_old | self.case_new, notify=True)
        notice = self.case_new.message_ids.filtered(
            lambda message: message.message_type == "comment"
        )
        reply = self._mail(
            "<leak-6@stranger.example.com>",
            f"Re: [{target.number}] The oil pump leaks",
            "Buy our pumps instead.",
            in_reply_to=notice.message_id,
            sender="seller@stranger.example.com",
            cc="friend@stranger.example.com",
        )
        self.assertFalse(self._receive(reply), "no new case")
        self.assertIn("Buy our pumps", target.message_ids[0].body)
        self.assertNotIn("friend@stranger.example.com", target._get_watcher_emails())
        self.assertEqual(
            target.activity_ids.summary, "Review a reply from a non-participant"
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_merged_case_reference_in_subject_lands_on_target(self):
        target = self._merge(self.case_old | self.case_new)
        mail = self._mail(
            "<leak-5@customer.example.com>",
            f"Re: [{self.case_new.number}] Oil pump leaking again",
            "Headers lost, reference kept.",
        )
        self.assertFalse(self._receive(mail), "no new case")
        self.assertIn("reference kept", target.message_ids[0].body)

    # -- the customer -------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_customer_not_told_unless_ticked(self):
        self._merge(self.case_old | self.case_new)
        self.assertFalse(self._mails_to("ana.torres@customer.example.com"))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_customer_told_when_ticked(self):
        target = self._merge(self.case_old | self.case_new, notify=True)
        mails = self._mails_to("ana.torres@customer.example.com")
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.subject, f"[{target.number}] {target.name}")
        self.assertIn(self.case_new.number, mails.body_html)
        self.assertIn(target.number, mails.body_html)

    # -- who may merge what -------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_user_without_access_to_a_case_cannot_merge(self):
        hidden = self.env["crm.case"].create(
            {"name": "Oil pump offer", "section_id": self.opportunities.id}
        )
        self.assertFalse(hidden.with_user(self.user_support).has_access("read"))
        with self.assertRaisesRegex(UserError, "not allowed to modify all of them"):
            self.env["crm.case.merge"].with_user(self.user_support).create(
                {"case_ids": [Command.set((self.case_old | hidden).ids)]}
            ).action_merge()
        self.assertTrue(hidden.active)
        self.assertTrue(self.case_old.active)
        self.assertFalse(hidden.merged_into_id)

    def test_merged_into_is_set_only_by_a_merge(self):
        # pointing a case at another one would send its customer's replies
        # there: a client's save cannot do it, on an old case or a new one
        hidden = self.env["crm.case"].create(
            {"name": "Oil pump offer", "section_id": self.opportunities.id}
        )
        case = self.case_old.with_user(self.user_support)
        with self.assertRaisesRegex(UserError, "set by merging them"):
            case.web_save({"merged_into_id": hidden.id}, {})
        with self.assertRaisesRegex(UserError, "set by merging them"):
            self.env["crm.case"].with_user(self.user_support).web_save(
                {
                    "name": "Leak",
                    "section_id": self.support.id,
                    "merged_into_id": self.case_new.id,
                },
                {},
            )
        self.assertFalse(self.case_old.merged_into_id)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_one_case_is_not_a_merge(self):
        with self.assertRaises(UserError):
            self._merge(self.case_old)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_cases_of_two_companies_are_not_merged(self):
        other = self.env["res.company"].create({"name": "Oil Portugal"})
        manager = new_case_user(
            self.env,
            "marta",
            "Marta Manager",
            manager=True,
            company_ids=[Command.set((self.env.company | other).ids)],
        )
        lisbon = new_section(self.env, "Lisbon", company_id=other.id)
        foreign = self.env["crm.case"].create(
            {"name": "Oil pump leaks", "section_id": lisbon.id}
        )
        with self.assertRaisesRegex(UserError, "different companies"):
            self.env["crm.case.merge"].with_user(manager).with_context(
                allowed_company_ids=(self.env.company | other).ids
            ).create(
                {"case_ids": [Command.set((self.case_old | foreign).ids)]}
            ).action_merge()

    @mute_logger(*GATEWAY_LOGGERS)
    def test_cases_of_two_customers_warn(self):
        other = self._receive(
            self._mail(
                "<leak-9@other.example.com>",
                "Oil pump leaks",
                "Ours too.",
                sender="bob@other.example.com",
            )
        )
        wizard = Form(
            self.env["crm.case.merge"]
            .with_user(self.user_support)
            .with_context(
                active_model="crm.case", active_ids=(self.case_old | other).ids
            )
        )
        self.assertIn("different customers", wizard.warning)
        same = Form(
            self.env["crm.case.merge"]
            .with_user(self.user_support)
            .with_context(
                active_model="crm.case", active_ids=(self.case_old | self.case_new).ids
            )
        )
        self.assertFalse(same.warning)

    # -- related cases ------------------------------------------------------

    def test_related_cases_link_both_ways(self):
        with Form(self.case_old.with_user(self.user_support)) as form:
            form.related_case_ids.add(self.case_new)
        self.assertEqual(self.case_new.related_case_ids, self.case_old)
        with Form(self.case_new.with_user(self.user_support)) as form:
            form.related_case_ids.remove(self.case_old.id)
        self.assertFalse(self.case_old.related_case_ids)

    def test_merge_button_of_the_form_brings_the_duplicates(self):
        action = self.case_new.with_user(self.user_support).action_open_merge()
        wizard = Form(
            self.env["crm.case.merge"]
            .with_user(self.user_support)
            .with_context(**action["context"])
        )
        self.assertEqual(
            {case.id for case in wizard.case_ids}, {self.case_old.id, self.case_new.id}
        )
        self.assertEqual(wizard.target_case_id.id, self.case_old.id)
