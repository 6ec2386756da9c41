# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form

from .common import CaseCommon, load_spanish
from .test_resource_calendar import new_split_calendar

# Madrid is UTC+1 in December; Monday 7 December 2026 is a public holiday
THURSDAY_3 = "2026-12-03 10:00:00"
# two working days after Thursday: Friday, then Tuesday (the holiday skipped)
REMINDER_DUE = datetime(2026, 12, 8, 10, 0)
# three working days after the reminder: Wednesday, Thursday, Friday
CLOSE_DUE = datetime(2026, 12, 11, 10, 0)

CUSTOMER_REPLY = """From: Oil Buyer <buyer@oil.example.com>
To: support@test.mycompany.com
Subject: Re: {subject}
Message-ID: <answer-{number}@oil.example.com>
In-Reply-To: {parent}
References: {parent}
Date: Wed, 09 Dec 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Here is the serial number you asked for: 4711.
"""


class TestCaseAutoClose(CaseCommon):
    """Support (and so Hardware) reminds a silent customer after two
    working days and closes his case three working days later, in the
    working days of Madrid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = new_split_calendar(cls.env)
        cls.support.write(
            {
                "resource_calendar_id": cls.calendar.id,
                "auto_close_reminder_days": 2,
                "auto_close_days": 3,
            }
        )
        cls.hardware.resource_calendar_id = cls.calendar
        cls.stage_waiting = cls.env.ref("crm_case_sections.stage_waiting")
        cls.stage_in_progress = cls.env.ref("crm_case_sections.stage_in_progress")

    def _wait_for_customer(self, section=None):
        """A case the responsible puts in the waiting stage on Thursday."""
        with freeze_time(THURSDAY_3):
            case = self._new_case(section or self.hardware, partner_id=self.customer.id)
            self._flush()
            with Form(case.with_user(self.user_support)) as form:
                form.stage_id = self.stage_waiting
            self._flush()
        return case

    def _flush(self):
        self.env.flush_all()
        self.env.cr.flush()

    def _run_cron(self, moment):
        with freeze_time(moment):
            self.env["crm.case"]._cron_auto_close()
            self._flush()

    def _reminders(self, case):
        return case.message_ids.filtered(
            lambda message: "still waiting for your answer" in str(message.body)
        )

    def _closings(self, case):
        return case.message_ids.filtered(
            lambda message: "we have closed your case" in str(message.body)
        )

    def test_reminder_then_close_in_working_days(self):
        self.assertTrue(self.stage_waiting.is_waiting_for_customer)
        stage_done = self.env.ref("crm_case_sections.stage_done")
        stage_done.mail_template_id = self.env.ref(
            "crm_case_sections.mail_template_case_rating_request"
        )
        case = self._wait_for_customer()
        self.assertEqual(case.date_auto_close_reminder, REMINDER_DUE)
        self._run_cron("2026-12-07 12:00:00")  # the holiday: not yet
        self.assertFalse(self._reminders(case))

        self._run_cron("2026-12-08 10:05:00")
        reminder = self._reminders(case)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.subject, f"[{case.number}] A case")
        mail = self.env["mail.mail"].search([("mail_message_id", "=", reminder.id)])
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(case.date_auto_close, CLOSE_DUE)
        self._run_cron("2026-12-08 12:00:00")  # once only
        self.assertEqual(len(self._reminders(case)), 1)

        self._run_cron("2026-12-11 09:00:00")
        self.assertFalse(case.is_closed)
        self._run_cron("2026-12-11 10:05:00")
        self.assertEqual(case.stage_id, stage_done)
        self.assertTrue(case.auto_closed)
        closing = self._closings(case)
        self.assertEqual(len(closing), 1)
        self.assertEqual(closing.subject, f"[{case.number}] A case: closed")
        # the last mail says why: the closing stage's own mail is not sent
        self.assertFalse(
            case.message_ids.filtered(lambda m: (m.subject or "").endswith("solved"))
        )
        self.assertFalse(case.date_auto_close)

    def test_customer_answer_stops_the_clock(self):
        case = self._wait_for_customer()
        self._run_cron("2026-12-08 10:05:00")
        reminder = self._reminders(case)
        with freeze_time("2026-12-09 09:00:00"):
            self.env["mail.thread"].message_process(
                "crm.case",
                CUSTOMER_REPLY.format(
                    subject=reminder.subject,
                    number=case.number,
                    parent=reminder.message_id,
                ),
            )
            self._flush()
        self.assertIn("4711", str(case.message_ids[0].body))
        self.assertFalse(case.date_auto_close)
        self.assertFalse(case.auto_close_since)
        self._run_cron("2026-12-11 10:05:00")
        self.assertEqual(case.stage_id, self.stage_waiting)
        self.assertFalse(self._closings(case))

        # the responsible answers and still waits on the customer: the
        # clock starts again from his answer (Monday 14 → Wednesday 16)
        with freeze_time("2026-12-14 10:00:00"):
            case.with_user(self.user_support).message_post(
                body="Thanks, one more photo please.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self._flush()
        self.assertEqual(case.date_auto_close_reminder, datetime(2026, 12, 16, 10, 0))

    def test_customer_answer_on_the_portal_before_the_reminder(self):
        case = self._wait_for_customer()
        with freeze_time("2026-12-04 10:00:00"):
            # as the portal chatter posts it (mail's /mail/message/post, see
            # test_portal): on the case in sudo, the customer as the author
            case.sudo().message_post(
                author_id=self.customer.id,
                body="It works again.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self._flush()
        self.assertFalse(case.date_auto_close_reminder)
        self._run_cron("2026-12-08 10:05:00")
        self.assertFalse(self._reminders(case))

    def test_leaving_the_waiting_stage_stops_the_clock(self):
        case = self._wait_for_customer()
        with Form(case.with_user(self.user_support)) as form:
            form.stage_id = self.stage_in_progress
        self.assertFalse(case.date_auto_close_reminder)
        self._run_cron("2026-12-08 10:05:00")
        self.assertFalse(self._reminders(case))

    def test_section_without_auto_close_never_closes(self):
        self.website.resource_calendar_id = self.calendar
        case = self._wait_for_customer(self.website)  # under Support: inherits
        self.assertEqual(case.date_auto_close_reminder, REMINDER_DUE)
        self.assertEqual(self.opportunities._get_auto_close_delays(), None)
        with freeze_time(THURSDAY_3):
            other = self._new_case(self.opportunities, partner_id=self.customer.id)
            with Form(other.with_user(self.user_sales)) as form:
                form.stage_id = self.stage_waiting
        self.assertFalse(other.date_auto_close_reminder)
        self._run_cron("2026-12-31 10:00:00")
        self.assertFalse(other.is_closed)
        self.assertTrue(case.is_closed)

    def test_spanish_customer_reads_the_mails_in_spanish(self):
        load_spanish(self.env)
        self.customer.lang = "es_ES"
        case = self._wait_for_customer()
        self._run_cron("2026-12-08 10:05:00")
        self._run_cron("2026-12-11 10:05:00")
        reminder = case.message_ids.filtered(
            lambda m: "Seguimos esperando su respuesta" in str(m.body)
        )
        closing = case.message_ids.filtered(
            lambda m: "hemos cerrado su caso" in str(m.body)
        )
        for message in (reminder, closing):
            self.assertEqual(len(message), 1)
            self.assertIn("Hola, Oil Buyer:", str(message.body))
            self.assertIn("Saludos cordiales", str(message.body))
        self.assertTrue(closing.subject.endswith(": cerrado"))

    def test_negative_delays_are_refused(self):
        form = Form(self.support.with_user(self.user_manager))
        form.auto_close_days = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            form.save()
