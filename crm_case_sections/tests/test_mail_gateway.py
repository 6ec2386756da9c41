# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import DATA, GatewayCommon

GATEWAY_LOGGERS = ("odoo.addons.mail.models.mail_thread", "odoo.models.unlink")


@tagged("mail_gateway")
class TestMailGateway(GatewayCommon):
    # New mail -> case ----------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_new_mail_creates_case_in_alias_section(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        self.assertEqual(len(case), 1)
        self.assertEqual(case.section_id, self.support)
        self.assertEqual(case.name, "The oil pump leaks at the coupling")
        self.assertIn("leaks at the coupling", case.description)
        self.assertEqual(case.type_id, self.type_support)
        self.assertEqual(case.user_id, self.user_support)
        self.assertEqual(case.channel_id, self.channel_email)
        self.assertEqual(
            case.email_from, '"Ana Torres" <ana.torres@customer.example.com>'
        )
        self.assertFalse(case.partner_id, "an unknown sender creates no contact")
        self.assertIn("leaks at the coupling", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_cc_become_watchers(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        self.assertEqual(
            case._get_watcher_emails(),
            {"quality@customer.example.com", "luis.gil@customer.example.com"},
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_known_sender_is_linked_to_partner(self):
        with self.mock_mail_gateway():
            case = self._process("new_known_partner.eml")
        self.assertEqual(case.partner_id, self.customer)
        self.assertEqual(self._incoming(case).author_id, self.customer)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_acknowledgement_carries_number_and_section_reply_to(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        ack = self._acknowledgements(case)
        self.assertEqual(len(ack), 1)
        self.assertEqual(
            ack.subject, f"[{case.number}] The oil pump leaks at the coupling"
        )
        self.assertEqual(ack.email_to, '"Ana Torres" <ana.torres@customer.example.com>')
        self.assertIn("support@test.mycompany.com", ack.reply_to)
        self.assertIn(case.number, ack.body_html)
        self.assertIn("<plain-0001@mail.example.com>", ack.references)
        self.assertIn("auto-replied", ack.headers)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_sub_section_replies_use_parent_address(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        case.section_id = self.hardware
        self.assertIn(
            "support@test.mycompany.com", case._notify_get_reply_to()[case.id]
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_attachments_are_kept(self):
        with self.mock_mail_gateway():
            case = self._process("new_multipart_attachment.eml")
        self.assertEqual(
            self._incoming(case).attachment_ids.mapped("name"), ["delivery-note.pdf"]
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_section_without_acknowledgement_template_sends_none(self):
        self.support.acknowledgement_template_id = False
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        self.assertTrue(case)
        self.assertFalse(self._acknowledgements(case))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_incoming_mail_server_falls_back_to_first_section(self):
        with self.mock_mail_gateway():
            case = self._process("unknown_alias.eml", model="crm.case")
        first = self.env["crm.case.section"].search(
            [("parent_id", "=", False)], order="sequence, id", limit=1
        )
        self.assertEqual(case.section_id, first)

    # Robots never get an acknowledgement ------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_robots_are_recorded_but_never_acknowledged(self):
        for name in (
            "auto_submitted.eml",
            "x_autoreply.eml",
            "precedence_bulk.eml",
            "mailing_list.eml",
            "empty_return_path.eml",
        ):
            with self.subTest(message=name), self.mock_mail_gateway():
                case = self._process(name)
                self.assertEqual(len(case), 1, "the mail is recorded as a case")
                self.assertFalse(self._acknowledgements(case))
                self.assertFalse(self._mails_to("robot@robots.example.com"))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_mail_from_own_alias_is_not_acknowledged(self):
        with self.mock_mail_gateway():
            case = self._process("from_own_alias.eml")
        self.assertTrue(case)
        self.assertFalse(self._acknowledgements(case))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_own_addresses_never_become_watchers(self):
        case = self._open_plain_case()
        case.message_update(
            {"cc": "sales@test.mycompany.com, friend@customer.example.com"}
        )
        self.assertNotIn("sales@test.mycompany.com", case._get_watcher_emails())
        self.assertIn("friend@customer.example.com", case._get_watcher_emails())

    @mute_logger(*GATEWAY_LOGGERS)
    def test_addresses_of_a_new_alias_domain_never_become_watchers(self):
        case = self._open_plain_case()
        # the gateway has read the alias domains before this one is created
        self.env["mail.alias.domain"].create(
            {"name": "branch.example.com", "catchall_alias": "orders"}
        )
        case.message_update(
            {"cc": "orders@branch.example.com, bounce@branch.example.com"}
        )
        self.assertFalse(
            case._get_watcher_emails()
            & {"orders@branch.example.com", "bounce@branch.example.com"}
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_bounce_creates_no_case_and_no_mail(self):
        with self.mock_mail_gateway():
            case = self._process("bounce.eml")
        self.assertFalse(case)
        self.assertFalse(self._new_mails)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_sender_loop_is_stopped_by_odoo(self):
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 3)
        raw = self._raw("new_plain.eml")
        cases = self.env["crm.case"]
        with self.mock_mail_gateway():
            for index in range(6):
                message = raw.replace(b"plain-0001@", f"loop-{index}@".encode())
                self.env["mail.thread"].message_process(None, message)
            self.env["crm.case"]._cron_send_acknowledgements()
            cases = self.env["crm.case"].search(
                [("email_from", "ilike", "ana.torres@customer.example.com")]
            )
        self.assertLessEqual(len(cases), 3)
        self.assertEqual(
            len(self._new_mails.filtered(lambda m: m.subject.startswith("["))),
            len(cases),
        )

    # Threading ---------------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_by_headers_lands_on_same_case(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            new = self._process("reply_in_reply_to.eml")
        self.assertFalse(new)
        self.assertIn("maintenance team", self._incoming(case).body)
        self.assertFalse(self._acknowledgements(case), "replies are not acknowledged")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_cc_join_the_watchers(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to.eml")
        self.assertIn("maintenance@customer.example.com", case._get_watcher_emails())
        self.assertIn("luis.gil@customer.example.com", case._get_watcher_emails())

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_lists_known_contacts_in_copy_as_recipients(self):
        maintenance = self.env["res.partner"].create(
            {"name": "Maintenance", "email": "maintenance@customer.example.com"}
        )
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to.eml")
        self.env.invalidate_all()
        # what the chatter shows of the reply: who received it
        self.assertEqual(self._incoming(case).partner_ids, maintenance)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reference_in_subject_threads_customer_mail(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            new = self._process("reply_subject_customer.eml")
        self.assertFalse(new)
        self.assertIn("dropped the headers", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reference_in_forwarded_subject_threads_watcher_mail(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            new = self._process("reply_subject_forward.eml")
        self.assertFalse(new)
        self.assertIn("forwards extra information", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reference_in_subject_threads_internal_user_mail(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            new = self._process("reply_subject_internal.eml")
        self.assertFalse(new)
        self.assertIn("Internal user answering", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reference_in_subject_from_stranger_opens_new_case(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            new = self._process("reply_subject_stranger.eml")
        self.assertEqual(len(new), 1)
        self.assertNotEqual(new, case)
        self.assertNotIn("quoting the reference", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_customer_reply_reopens_closed_case(self):
        case = self._open_plain_case()
        case.stage_id = self.env.ref("crm_case_sections.stage_done")
        with self.mock_mail_gateway():
            self._process("reply_closed_case.eml")
        self.assertFalse(case.is_closed)
        self.assertEqual(case.stage_id, self.env.ref("crm_case_sections.stage_new"))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_closed_case_stays_closed_when_section_says_so(self):
        case = self._open_plain_case()
        self.support.reopen_on_reply = False
        case.stage_id = self.env.ref("crm_case_sections.stage_done")
        with self.mock_mail_gateway():
            self._process("reply_closed_case.eml")
        self.assertTrue(case.is_closed)
        self.assertIn("leak is back", self._incoming(case).body)

    # Watchers ------------------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_customer_reply_reaches_watchers_not_in_copy(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            self._process("reply_in_reply_to.eml")
        copies = self._new_mails.filtered(lambda m: m.res_id == case.id and m.email_to)
        recipients = set(",".join(copies.mapped("email_to")).split(","))
        # quality@ and maintenance@ were in Cc of the reply itself
        self.assertEqual(recipients, {"luis.gil@customer.example.com"})

    @mute_logger(*GATEWAY_LOGGERS)
    def test_responsible_reply_reaches_every_watcher(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            message = case.with_user(self.user_support).message_post(
                body="We send a technician tomorrow.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        copy = self._new_mails.filtered(
            lambda m: m.mail_message_id == message and m.email_to
        )
        self.assertEqual(
            set(copy.email_to.split(",")),
            {"quality@customer.example.com", "luis.gil@customer.example.com"},
        )
        self.assertIn("support@test.mycompany.com", copy.reply_to)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_internal_note_never_reaches_watchers(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            case.message_post(
                body="Customer is difficult.", subtype_xmlid="mail.mt_note"
            )
        self.assertFalse(self._new_mails.filtered("email_to"))

    @mute_logger(*GATEWAY_LOGGERS)
    def test_removed_watcher_receives_nothing_more(self):
        case = self._open_plain_case()
        case.email_cc = "quality@customer.example.com"
        with self.mock_mail_gateway():
            case.message_post(
                body="Update", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(
            self._new_mails.filtered("email_to").email_to,
            "quality@customer.example.com",
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_auto_reply_on_case_sends_nothing(self):
        case = self._open_plain_case()
        with self.mock_mail_gateway():
            self._process("reply_auto_submitted.eml")
        self.assertIn("out of the office", self._incoming(case).body)
        self.assertFalse(self._acknowledgements(case))
        for watcher in case._get_watcher_emails():
            self.assertFalse(self._mails_to(watcher), "no copy: no loop")

    # Contact policy and refusals ------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_followers_only_section_bounces_strangers(self):
        with self.mock_mail_gateway():
            case = self._process("followers_only_stranger.eml")
        self.assertFalse(case)
        bounce = self._new_mails.filtered(
            lambda m: "stranger@elsewhere.example.com" in m.email_to
        )
        self.assertEqual(len(bounce), 1)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_unknown_alias_is_refused_by_odoo_routing(self):
        with (
            self.mock_mail_gateway(),
            self.assertRaisesRegex(ValueError, "No possible route"),
        ):
            self._process("unknown_alias.eml")
        self.assertFalse(
            self.env["crm.case"].search([("name", "=", "Where does this go?")])
        )

    # Odd mail is recorded -------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_odd_mail_is_recorded_readably(self):
        expectations = {
            "new_html_only.eml": ("Web shop shows prices without VAT", "without VAT"),
            "new_no_subject.eml": ("No Subject", "without any subject"),
            "new_no_sender.eml": ("Sender lost on the way", "Nobody signed"),
            "new_latin1.eml": (
                "Olor extraño en el aceite",
                "llegó con un olor extraño",
            ),
            "new_wrong_charset.eml": (
                "Declared charset does not exist",
                "Lieferung fehlt",
            ),
            "new_8bit_headers.eml": (
                "Öl-Lieferung beschädigt – bitte prüfen",  # noqa: RUF001
                "Raw UTF-8",
            ),
            "new_malformed_headers.eml": (None, "broken in several ways"),
            "new_huge_body.eml": ("Telemetry dump of pump P-12", "Line 005999"),
            "new_tnef.eml": ("Quote request (sent from Outlook)", "40 drums"),
            "new_calendar.eml": ("Invitation: maintenance visit", "Thursday 10:00"),
        }
        for name, (subject, body) in expectations.items():
            with self.subTest(message=name), self.mock_mail_gateway():
                case = self._process(name)
                self.assertEqual(len(case), 1)
                if subject:
                    self.assertEqual(case.name, subject)
                self.assertTrue(case.name)
                self.assertIn(body, self._incoming(case).body)
                self.assertNotIn("<script", self._incoming(case).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_many_attachments_all_kept(self):
        with self.mock_mail_gateway():
            case = self._process("new_many_attachments.eml")
        self.assertEqual(len(self._incoming(case).attachment_ids), 20)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_tnef_attachment_is_kept(self):
        with self.mock_mail_gateway():
            case = self._process("new_tnef.eml")
        self.assertIn("winmail.dat", self._incoming(case).attachment_ids.mapped("name"))

    # Duplicates -------------------------------------------------------------------

    @mute_logger(*GATEWAY_LOGGERS)
    def test_same_message_id_twice_creates_one_case(self):
        with self.mock_mail_gateway():
            first = self._process("new_plain.eml")
            second = self._process("new_plain.eml")
        self.assertEqual(len(first), 1)
        self.assertFalse(second)
        self.assertEqual(len(self._acknowledgements(first)), 1)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_replaying_every_message_creates_nothing_new(self):
        refused = {"unknown_alias.eml", "followers_only_stranger.eml", "bounce.eml"}
        names = sorted(path.name for path in DATA.glob("*.eml"))
        self.assertGreaterEqual(len(names), 25)
        with self.mock_mail_gateway():
            for name in names:
                if name != "unknown_alias.eml":
                    self._process(name)
        cases = self.env["crm.case"].search([])
        mails = self.env["mail.mail"].sudo().search_count([])
        with self.mock_mail_gateway():
            for name in sorted(set(names) - refused):
                self.assertFalse(self._process(name), f"{name} replayed made a case")
        self.assertEqual(self.env["crm.case"].search([]), cases)
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails)
        self.assertFalse(
            self._new_mails.filtered(lambda mail: mail.model == "crm.case"),
            "no second acknowledgement nor copy",
        )

    @mute_logger(*GATEWAY_LOGGERS, "odoo.addons.crm_case_sections.models.crm_case")
    def test_broken_template_loses_no_mail(self):
        self.support.acknowledgement_template_id.body_html = (
            '<p t-out="object.undefined_field.name"/>'
        )
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        self.assertIn("leaks at the coupling", self._incoming(case).body)
        self.assertFalse(self._acknowledgements(case))
        self.assertFalse(case.acknowledgement_reference, "no endless retry")

    @mute_logger(*GATEWAY_LOGGERS)
    def test_acknowledgement_is_queued_until_the_cron_runs(self):
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(None, self._raw("new_plain.eml"))
            case = self.env["crm.case"].search([], order="id desc", limit=1)
            self.assertEqual(
                case.acknowledgement_reference, "<plain-0001@mail.example.com>"
            )
            self.assertFalse(self._acknowledgements(case))
            self.env["crm.case"]._cron_send_acknowledgements()
        self.assertEqual(len(self._acknowledgements(case)), 1)
        self.assertFalse(case.acknowledgement_reference)
