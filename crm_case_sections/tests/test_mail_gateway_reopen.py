# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A customer's reply to a closed case: within the section's reopen_days it
reopens the case; after them it opens a new case linked to the old one."""

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.mail_inbound_guard.tests.common import GATEWAY_LOGGERS

from .common import GatewayCommon, load_spanish, new_case_user

OPENED_ON = "2026-11-23 09:30:00"
CLOSED_ON = "2026-11-24 10:00:00"
WEEK_LATER = "2026-11-29 10:00:00"
MONTH_LATER = "2026-12-24 10:00:00"


@tagged("mail_gateway")
class TestMailGatewayReopen(GatewayCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_new = cls.env.ref("crm_case_sections.stage_new")
        cls.stage_done = cls.env.ref("crm_case_sections.stage_done")
        cls.support.reopen_days = 7

    def _closed_case(self, section=None):
        """Ana Torres' case C90001, closed on CLOSED_ON."""
        with freeze_time(OPENED_ON):
            case = self._open_plain_case()
            if section:
                case.section_id = section
        with freeze_time(CLOSED_ON):
            case.stage_id = self.stage_done
            case.flush_recordset()
        self.assertEqual(str(case.date_closed), CLOSED_ON)
        return case

    def _reply_on(self, date, name="reply_closed_case.eml"):
        with freeze_time(date), self.mock_mail_gateway():
            return self._process(name)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_follow_up_link_is_set_only_by_the_gateway(self):
        # its number shows in the customer's acknowledgement: a client's save
        # cannot point a case at one its user may not even see
        old = self._closed_case()
        case = self.env["crm.case"].create(
            {"name": "Another leak", "section_id": self.support.id}
        )
        with self.assertRaisesRegex(UserError, "late reply, not by hand"):
            case.with_user(self.user_support).web_save({"origin_case_id": old.id}, {})
        self.assertFalse(case.origin_case_id)
        # the mailgate may log in as an ordinary user: the link is still made
        admin = self.env.ref("base.user_admin")
        before = self.env["crm.case"].search([]).ids
        with freeze_time(MONTH_LATER), self.mock_mail_gateway():
            self.env["mail.thread"].with_user(admin).message_process(
                None, self._raw("reply_closed_case.eml")
            )
        new = self.env["crm.case"].search([("id", "not in", before)])
        self.assertEqual(new.origin_case_id, old)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_a_month_after_the_close_opens_a_linked_case(self):
        old = self._closed_case()
        new = self._reply_on(MONTH_LATER)
        self.assertEqual(len(new), 1)
        self.assertTrue(old.is_closed, "the old case stays closed")
        self.assertNotIn("leak is back", self._incoming(old).body)
        self.assertEqual(new.origin_case_id, old)
        self.assertEqual(old.followup_case_ids, new)
        self.assertEqual(new.section_id, self.support)
        self.assertEqual(new.name, "The oil pump leaks at the coupling")
        self.assertEqual(new.email_from, old.email_from)
        self.assertFalse(new.is_closed)
        self.assertIn("leak is back", self._incoming(new).body)
        note = old.message_ids[0]
        self.assertIn(new.number, note.body)
        self.assertIn("30 days after the close", note.body)
        # acknowledged with its own number, naming the old one
        ack = self._acknowledgements(new)
        self.assertEqual(len(ack), 1)
        self.assertIn("ana.torres@customer.example.com", ack.email_to)
        self.assertIn(old.number, ack.body_html)
        self.assertIn(new.number, ack.body_html)
        self.assertIn("was closed some time ago", ack.body_html)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reply_within_the_days_reopens_the_case(self):
        old = self._closed_case()
        self.assertFalse(self._reply_on(WEEK_LATER))
        self.assertFalse(old.is_closed)
        self.assertEqual(old.stage_id, self.stage_new)
        self.assertIn("leak is back", self._incoming(old).body)
        self.assertFalse(old.followup_case_ids)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_zero_days_always_reopens(self):
        self.support.reopen_days = 0
        old = self._closed_case()
        self.assertFalse(self._reply_on(MONTH_LATER))
        self.assertFalse(old.is_closed)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_sub_section_inherits_the_days_and_keeps_the_new_case(self):
        old = self._closed_case(section=self.hardware)
        self.assertEqual(self.hardware._get_reopen_days(), 7)
        new = self._reply_on(MONTH_LATER)
        self.assertTrue(old.is_closed)
        # in the old case's section, not the alias' one
        self.assertEqual(new.section_id, self.hardware)
        self.assertEqual(new.origin_case_id, old)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_sub_section_days_win_over_the_parent(self):
        self.hardware.reopen_days = 60
        old = self._closed_case(section=self.hardware)
        self.assertFalse(self._reply_on(MONTH_LATER))
        self.assertFalse(old.is_closed)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_reference_in_subject_a_month_later_opens_a_linked_case(self):
        old = self._closed_case()
        new = self._reply_on(MONTH_LATER, "reply_subject_customer.eml")
        self.assertEqual(new.origin_case_id, old)
        self.assertEqual(new.name, "The oil pump leaks at the coupling")
        self.assertTrue(old.is_closed)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_section_that_never_reopens_keeps_the_reply_on_the_case(self):
        self.support.reopen_on_reply = False
        old = self._closed_case()
        self.assertFalse(self._reply_on(MONTH_LATER))
        self.assertTrue(old.is_closed)
        self.assertIn("leak is back", self._incoming(old).body)

    @mute_logger(*GATEWAY_LOGGERS)
    def test_both_cases_show_the_link_and_the_agent_reopens_by_hand(self):
        old = self._closed_case()
        new = self._reply_on(MONTH_LATER)
        with freeze_time(MONTH_LATER):
            new_form = Form(new.with_user(self.user_support))
            self.assertEqual(new_form.origin_case_id, old)
            with Form(old.with_user(self.user_support)) as old_form:
                self.assertEqual(old_form.followup_case_ids.ids, [new.id])
                old_form.stage_id = self.stage_new
        self.assertFalse(old.is_closed)

    def test_negative_days_are_refused(self):
        # the manager sets the days on the section's form, with the reopening
        manager = new_case_user(
            self.env, "reopen_manager", "Marta Manager", manager=True
        )
        form = Form(self.support.with_user(manager))
        form.reopen_on_reply = True
        form.reopen_days = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            form.save()
        form.reopen_days = 7
        form.save()
        self.assertEqual(self.support.reopen_days, 7)


@tagged("mail_gateway")
class TestMailGatewayReopenSpanish(GatewayCommon):
    """A Spanish-speaking customer reads in Spanish that his old case stays
    closed and which new one he has."""

    _closed_case = TestMailGatewayReopen._closed_case
    _reply_on = TestMailGatewayReopen._reply_on

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_done = cls.env.ref("crm_case_sections.stage_done")
        cls.support.reopen_days = 7
        load_spanish(cls.env)
        cls.env["res.partner"].create(
            {
                "name": "Ana Torres",
                "email": "ana.torres@customer.example.com",
                "lang": "es_ES",
            }
        )

    @mute_logger(*GATEWAY_LOGGERS)
    def test_follow_up_acknowledgement_in_spanish(self):
        old = self._closed_case()
        new = self._reply_on(MONTH_LATER)
        ack = self._acknowledgements(new)
        self.assertIn(f"Su caso <strong>{old.number}</strong>", ack.body_html)
        self.assertIn("se cerró hace tiempo", ack.body_html)
        self.assertIn(new.number, ack.body_html)
        self.assertIn("Saludos cordiales", ack.body_html)
