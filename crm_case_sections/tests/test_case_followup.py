# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import html

from odoo.exceptions import UserError

from .common import CaseCommon
from .test_resource_calendar import (
    FRIDAY_17_MADRID,
    TUESDAY_12_MADRID,
    new_split_calendar,
)


class FollowupCommon(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Mon-Fri 8-17 in UTC, so that the figures below read as they are
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Mon-Fri 8-17",
                "tz": "UTC",
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 8,
                            "hour_to": 17,
                            "day_period": "morning",
                        },
                    )
                    for day in range(5)
                ],
            }
        )
        cls.hardware.write(
            {"resource_calendar_id": cls.calendar.id, "escalation_delay_hours": 4}
        )
        cls.user_manager.partner_id.email = "marta@example.com"

    def _customer_writes(self, case, body="Any news?"):
        case.message_post(
            body=body,
            message_type="email",
            author_id=self.customer.id,
            subtype_xmlid="mail.mt_comment",
        )

    def _escalations(self, case):
        return case.message_ids.filtered(lambda m: "Escalated from" in (m.body or ""))


class TestEscalation(FollowupCommon):
    def test_manual_escalation_moves_case_up(self):
        self.hardware.user_id = self.user_manager
        case = self._new_case(self.hardware, priority="1")
        with self.with_user("case_manager"):
            case.with_env(self.env).action_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertEqual(case.user_id, self.user_support)
        self.assertEqual(case.priority, "2")
        message = self._escalations(case)
        self.assertEqual(len(message), 1)
        self.assertIn(
            "Escalated from Support / Hardware to Support by Marta Manager.",
            message.body,
        )
        self.assertIn(self.user_support.partner_id, case.message_partner_ids)
        notice = self.env["mail.message"].search(
            [
                ("partner_ids", "in", self.user_support.partner_id.ids),
                ("subject", "like", "Cases escalated to you"),
            ]
        )
        self.assertEqual(len(notice), 1)
        self.assertIn(case.number, notice.body)
        # the link opens the case from the e-mail too, not only from Discuss
        link = html.fromstring(notice.body).xpath("//li/a")[0]
        self.assertEqual(
            link.get("href"),
            f"{case.get_base_url()}/mail/view?model=crm.case&res_id={case.id}",
        )
        self.assertEqual(link.get("data-oe-id"), str(case.id))

    def test_escalation_section_overrides_parent(self):
        self.hardware.escalation_section_id = self.opportunities
        case = self._new_case(self.hardware)
        case.action_escalate()
        self.assertEqual(case.section_id, self.opportunities)
        self.assertEqual(case.user_id, self.user_sales)

    def test_top_section_cannot_be_escalated(self):
        case = self._new_case(self.support)
        with self.assertRaisesRegex(UserError, "no escalation section and no parent"):
            case.action_escalate()
        self.assertEqual(case.section_id, self.support)

    def test_priority_stops_at_the_top(self):
        case = self._new_case(self.first_level, priority="3")
        case.action_escalate()
        self.assertEqual(case.priority, "3")

    @freeze_time("2026-11-20 10:00:00")
    def test_cron_escalates_passed_deadline_once(self):
        case = self._new_case(self.hardware, date_deadline=datetime(2026, 11, 19, 12))
        self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertIn("the deadline passed", self._escalations(case).body)
        self.env["crm.case"]._cron_escalate()
        self.assertEqual(len(self._escalations(case)), 1, "one cause, one level, once")

    @freeze_time("2026-11-20 10:00:00")
    def test_new_deadline_is_a_new_cause(self):
        case = self._new_case(
            self.first_level, date_deadline=datetime(2026, 11, 19, 12)
        )
        self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.website)
        case.date_deadline = datetime(2026, 11, 20, 9)
        self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertEqual(len(self._escalations(case)), 2)

    @freeze_time("2026-11-20 10:00:00")
    def test_cron_stops_at_the_top_of_the_tree(self):
        case = self._new_case(self.support, date_deadline=datetime(2026, 11, 19, 12))
        self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertFalse(self._escalations(case))

    @freeze_time("2026-11-20 10:00:00")
    def test_cron_skips_closed_cases_and_archived_sections(self):
        closed = self._new_case(
            self.hardware,
            date_deadline=datetime(2026, 11, 19),
            stage_id=self.stage_done.id,
        )
        in_archived = self._new_case(self.website, date_deadline=datetime(2026, 11, 19))
        self.website.active = False
        self.env["crm.case"]._cron_escalate()
        self.assertEqual(closed.section_id, self.hardware)
        self.assertEqual(in_archived.section_id, self.website)

    def test_unanswered_delay_counts_working_hours_only(self):
        with freeze_time("2026-11-20 17:00:00"):  # a Friday
            case = self._new_case(self.hardware)
            self._customer_writes(case, "Any news?")
        self.assertEqual(case.waiting_since, datetime(2026, 11, 20, 17))
        self.assertEqual(case.date_escalation_due, datetime(2026, 11, 23, 12))
        with freeze_time("2026-11-21 12:00:00"):  # Saturday
            self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.hardware)
        with freeze_time("2026-11-23 11:59:00"):
            self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.hardware)
        with freeze_time("2026-11-23 12:01:00"):
            self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertIn("waited for an answer too long", self._escalations(case).body)

    def test_answer_from_the_company_stops_the_clock(self):
        with freeze_time("2026-11-20 09:00:00"):
            case = self._new_case(self.hardware)
            self._customer_writes(case, "Help")
            self.assertTrue(case.date_escalation_due)
            case.with_user(self.user_support).message_post(
                body="On it", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertFalse(case.waiting_since)
        self.assertFalse(case.date_escalation_due)
        with freeze_time("2026-11-25 09:00:00"):
            self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.hardware)

    def test_internal_note_does_not_answer_the_customer(self):
        with freeze_time("2026-11-20 09:00:00"):
            case = self._new_case(self.hardware)
            self._customer_writes(case, "Help")
            case.with_user(self.user_support).message_post(
                body="Customer is impatient", subtype_xmlid="mail.mt_note"
            )
        self.assertTrue(case.waiting_since)

    def test_note_logged_from_the_chatter_does_not_answer(self):
        # the chatter's "Log note" posts a comment with the note subtype
        with freeze_time("2026-11-20 09:00:00"):
            case = self._new_case(self.hardware)
            self._customer_writes(case, "Help")
            case.with_user(self.user_support).message_post(
                body="Customer is impatient",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        self.assertTrue(case.waiting_since)

    def test_zero_delay_never_escalates_unanswered(self):
        self.hardware.escalation_delay_hours = 0
        case = self._new_case(self.hardware)
        self._customer_writes(case, "Help")
        self.assertFalse(case.date_escalation_due)


class TestEscalationOnPublicHolidays(CaseCommon):
    """A customer waiting for an answer escalates after the same working
    hours as the service level of his case: nights, week-ends and public
    holidays do not count."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = new_split_calendar(cls.env)
        cls.hardware.write(
            {"resource_calendar_id": cls.calendar.id, "escalation_delay_hours": 4}
        )
        cls.env["crm.case.sla"].create(
            {
                "name": "Answer in 4 hours",
                "section_id": cls.support.id,
                "time_first_response": 4,
            }
        )

    def setUp(self):
        super().setUp()
        # records are stamped with the transaction's time: let it follow
        # the frozen clock, as a new transaction would
        self.patch(type(self.env.cr), "now", lambda cr: datetime.now())

    def test_holiday_does_not_count_towards_escalation(self):
        # Friday 17:00 in Madrid; Monday is a public holiday
        with freeze_time(FRIDAY_17_MADRID):
            case = self._new_case(self.hardware)
            case.message_post(
                body="The pump leaks.",
                message_type="email",
                author_id=self.customer.id,
                subtype_xmlid="mail.mt_comment",
            )
            case.flush_recordset()
        self.assertEqual(case.waiting_since, FRIDAY_17_MADRID)
        self.assertEqual(case.sla_deadline_first_response, TUESDAY_12_MADRID)
        self.assertEqual(case.date_escalation_due, TUESDAY_12_MADRID)
        with freeze_time(TUESDAY_12_MADRID - timedelta(minutes=1)):
            self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.hardware)
        self.assertFalse(case.unanswered_escalated)
        with freeze_time(TUESDAY_12_MADRID + timedelta(minutes=1)):
            self.env["crm.case"]._cron_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertTrue(case.unanswered_escalated)


class TestReminders(FollowupCommon):
    def _reminders(self, case):
        return self.env["mail.mail"].search(
            [
                ("model", "=", "crm.case"),
                ("res_id", "=", case.id),
                ("subject", "like", "Reminder:"),
            ]
        )

    def _case_due(self, **values):
        return self._new_case(self.hardware, user_id=self.user_support.id, **values)

    def _todo(self, case):
        return case.activity_ids.filtered(lambda a: a.user_id == case.user_id)

    @freeze_time("2026-11-20 10:00:00")
    def test_responsible_reminded_before_deadline_once(self):
        case = self._case_due(
            date_deadline=datetime(2026, 11, 21, 8),
        )
        self.env["crm.case"]._cron_send_reminders()
        reminder = self._reminders(case)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.recipient_ids, self.user_support.partner_id)
        self.assertIn(case.number, reminder.subject)
        self.assertEqual(len(self._todo(case)), 1)
        self.env["crm.case"]._cron_send_reminders()
        self.assertEqual(len(self._reminders(case)), 1)

    @freeze_time("2026-11-20 10:00:00")
    def test_reminder_waits_for_the_delay(self):
        case = self._case_due(
            date_deadline=datetime(2026, 11, 23, 8),
        )
        self.env["crm.case"]._cron_send_reminders()
        self.assertFalse(self._reminders(case))

    @freeze_time("2026-11-20 10:00:00")
    def test_next_meeting_reminded(self):
        case = self._case_due(
            date_action_next=datetime(2026, 11, 20, 15),
        )
        self.env["crm.case"]._cron_send_reminders()
        self.assertEqual(len(self._reminders(case)), 1)
        self.assertIn("Next Meeting", self._todo(case).summary)

    @freeze_time("2026-11-20 10:00:00")
    def test_changing_the_date_rearms_the_reminder(self):
        case = self._case_due(
            date_deadline=datetime(2026, 11, 21, 8),
        )
        self.env["crm.case"]._cron_send_reminders()
        case.date_deadline = datetime(2026, 11, 20, 18)
        self.env["crm.case"]._cron_send_reminders()
        self.assertEqual(len(self._reminders(case)), 2)

    @freeze_time("2026-11-20 10:00:00")
    def test_closing_the_case_cancels_the_reminder(self):
        case = self._case_due(
            date_deadline=datetime(2026, 11, 21, 8),
        )
        case.stage_id = self.stage_done
        self.env["crm.case"]._cron_send_reminders()
        self.assertFalse(self._reminders(case))

    @freeze_time("2026-11-20 10:00:00")
    def test_customer_reminded_when_section_says_so(self):
        case = self._case_due(
            partner_id=self.customer.id,
            date_deadline=datetime(2026, 11, 21, 8),
        )
        self.env["crm.case"]._cron_send_reminders()
        to_customer = self.env["mail.mail"].search(
            [("res_id", "=", case.id), ("email_to", "ilike", "buyer@oil.example.com")]
        )
        self.assertFalse(to_customer)
        self.hardware.remind_customer = True
        case.date_deadline = datetime(2026, 11, 21, 9)
        self.env["crm.case"]._cron_send_reminders()
        to_customer = self.env["mail.mail"].search(
            [("res_id", "=", case.id), ("email_to", "ilike", "buyer@oil.example.com")]
        )
        self.assertEqual(len(to_customer), 1)
        self.assertIn(case.number, to_customer.subject)
