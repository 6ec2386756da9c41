# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import users, warmup

from .common import CaseCommon, new_companies_with_contacts, new_portal_user

FRIDAY_17 = datetime(2026, 12, 4, 17, 0)  # the Monday after is a holiday
TUESDAY = datetime(2026, 12, 8)


def tuesday(hour, minute=0):
    return TUESDAY.replace(hour=hour, minute=minute)


class TestCaseSla(CaseCommon):
    """Service levels in working hours of the section's calendar: Monday to
    Friday 9:00-18:00, Monday 7 December a public holiday."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Support hours",
                "tz": "UTC",
                "attendance_ids": [
                    (
                        0,
                        0,
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": 9,
                            "hour_to": 18,
                            "day_period": "morning",
                        },
                    )
                    for day in range(5)
                ],
            }
        )
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "date_from": datetime(2026, 12, 7, 0, 0),
                "date_to": datetime(2026, 12, 7, 23, 59),
            }
        )
        (cls.support | cls.hardware | cls.website | cls.first_level).write(
            {"resource_calendar_id": cls.calendar.id}
        )
        cls.stage_waiting = cls.env.ref("crm_case_sections.stage_waiting")
        cls.stage_progress = cls.env.ref("crm_case_sections.stage_in_progress")
        cls.sla_support = cls._sla("Support answers in 4 hours", cls.support, 4, 16)

    def setUp(self):
        super().setUp()
        # records are stamped with the transaction's time: let it follow
        # the frozen clock, as a new transaction would
        self.patch(type(self.env.cr), "now", lambda cr: datetime.now())

    @classmethod
    def _sla(cls, name, section, first_response, resolution=0, **values):
        return cls.env["crm.case.sla"].create(
            {
                "name": name,
                "section_id": section.id,
                "time_first_response": first_response,
                "time_resolution": resolution,
                "stage_ids_pause": [(6, 0, cls.stage_waiting.ids)],
                **values,
            }
        )

    def _open_case(self, section=None, **values):
        with freeze_time(FRIDAY_17):
            case = self._new_case(section or self.hardware, **values)
            case.flush_recordset()
        return case

    def test_deadline_skips_night_weekend_and_holiday(self):
        case = self._open_case()
        self.assertEqual(case.sla_ids, self.sla_support)
        self.assertEqual(case.sla_deadline_first_response, tuesday(12))
        self.assertEqual(case.sla_status, "on_time")

    def test_waiting_for_the_customer_moves_the_deadline(self):
        case = self._open_case()
        with freeze_time(tuesday(10)):
            case.stage_id = self.stage_waiting
        with freeze_time(tuesday(13)):
            # the deadline passed while the clock was stopped: not failed
            case._cron_update_sla()
            self.assertEqual(case.sla_status, "on_time")
            case.stage_id = self.stage_progress
        self.assertEqual(case.working_hours_waiting, 3)
        self.assertEqual(case.sla_deadline_first_response, tuesday(15))
        self.assertFalse(case.sla_paused_since)

    def test_priority_change_recomputes_the_deadline(self):
        self._sla("Urgent: 2 hours", self.support, 2, priority="3")
        case = self._open_case()
        self.assertEqual(case.sla_deadline_first_response, tuesday(12))
        case.priority = "3"
        self.assertEqual(case.sla_deadline_first_response, tuesday(10))

    def test_sub_section_policy_wins_over_its_parent(self):
        own = self._sla("Hardware: 8 hours", self.hardware, 8)
        case = self._open_case(self.hardware)
        self.assertEqual(case.sla_ids, own)
        self.assertEqual(case.sla_deadline_first_response, tuesday(16))
        # another sub-section keeps the parent's policy
        self.assertEqual(self._open_case(self.website).sla_ids, self.sla_support)

    def test_moving_to_a_section_with_another_policy(self):
        self._sla("Hardware: 8 hours", self.hardware, 8)
        case = self._open_case(self.website)
        case.section_id = self.hardware
        self.assertEqual(case.sla_deadline_first_response, tuesday(16))

    def test_failed_target_escalates_once(self):
        case = self._open_case(self.first_level)
        with freeze_time(tuesday(12, 30)):
            case._cron_update_sla()
            self.assertEqual(case.sla_status, "failed")
            self.assertEqual(case.section_id, self.website)
            case._cron_update_sla()
        escalations = case.message_ids.filtered(
            lambda m: "first response target was missed" in (m.body or "")
        )
        self.assertEqual(len(escalations), 1)
        self.assertEqual(case.section_id, self.website, "escalated once")
        self.assertTrue(case.sla_first_response_failed)

    def test_at_risk_then_reached(self):
        case = self._open_case()
        with freeze_time(tuesday(11, 30)):  # 3.5 of 4 hours: past 80 %
            case._cron_update_sla()
            self.assertEqual(case.sla_status, "at_risk")
            self.assertIn(
                case, self.env["crm.case"].search([("sla_status", "=", "at_risk")])
            )
            case.with_user(self.user_support).message_post(
                body="We are on it",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            case.stage_id = self.stage_done
            case.flush_recordset()
        self.assertEqual(case.sla_status, "reached")
        self.assertEqual(case.working_hours_first_response, 3.5)
        self.assertEqual(case.working_hours_close, 3.5)

    def test_first_response_ignores_notes_acknowledgement_and_automatic_mail(self):
        case = self._open_case(email_from="buyer@oil.example.com")
        self.support.acknowledgement_template_id = self.env.ref(
            "crm_case_sections.mail_template_case_acknowledgement"
        )
        with freeze_time(tuesday(9, 30)):
            case.with_user(self.user_support).message_post(
                body="Check stock first",
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
            case._send_acknowledgements()
            case.message_post(
                body="Reminder",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=self.env.ref("base.partner_root").id,
            )
            case._message_log(body="Stage changed")
        self.assertFalse(case.date_first_response)
        with freeze_time(tuesday(10)):
            case.with_user(self.user_support).message_post(
                body="Here is the answer",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(case.date_first_response, tuesday(10))
        self.assertEqual(case.working_hours_first_response, 2)
        self.assertEqual(case.sla_status, "on_time", "resolution still to come")

    def test_failed_status_is_an_automation_event(self):
        model = self.env["ir.model"]._get("crm.case")
        self.env["base.automation"].create(
            {
                "name": "Late: tell the manager",
                "model_id": model.id,
                "trigger": "on_create_or_write",
                "filter_pre_domain": "[('sla_status', '!=', 'failed')]",
                "filter_domain": "[('sla_status', '=', 'failed')]",
                "action_server_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Colour it",
                            "model_id": model.id,
                            "state": "code",
                            "code": "record.write({'color': 1})",
                        },
                    )
                ],
            }
        )
        case = self._open_case(self.support)  # top section: nothing to escalate to
        with freeze_time(tuesday(12, 30)):
            case._cron_update_sla()
        self.assertEqual(case.sla_status, "failed")
        self.assertEqual(case.color, 1)

    def test_reopening_is_counted(self):
        case = self._open_case()
        case.stage_id = self.stage_done
        case.stage_id = self.stage_new
        case.stage_id = self.stage_done
        case.stage_id = self.stage_progress
        self.assertEqual(case.reopen_count, 2)

    @users("case_support")
    def test_support_user_reads_service_levels_without_configuring_them(self):
        case = self._open_case().with_env(self.env)
        self.assertEqual(case.sla_ids.name, "Support answers in 4 hours")
        self.assertEqual(case.sla_status, "on_time")
        with self.assertRaises(Exception):  # noqa: B017 - AccessError
            self.env["crm.case.sla"].create(
                {"name": "Mine", "section_id": self.support.id}
            )


class TestCaseStageTemplate(CaseCommon):
    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.flush()

    def test_stage_template_reaches_customer_and_watchers_once_per_entry(self):
        self.stage_done.mail_template_id = self.env.ref(
            "crm_case_sections.mail_template_case_solved"
        )
        case = self._new_case(
            self.hardware,
            partner_id=self.customer.id,
            email_cc="boss@oil.example.com",
        )
        self._flush_tracking()

        def mails_of_solved():
            messages = case.message_ids.filtered(
                lambda m: "solved" in (m.subject or "")
            )
            mails = self.env["mail.mail"].search(
                [("mail_message_id", "in", messages.ids)]
            )
            recipients = mails.mapped("email_to") + mails.recipient_ids.mapped("email")
            return messages, recipients

        case.stage_id = self.stage_done
        self._flush_tracking()
        messages, recipients = mails_of_solved()
        self.assertEqual(len(messages), 1)
        self.assertIn(case.number, messages.subject)
        for email in ("buyer@oil.example.com", "boss@oil.example.com"):
            self.assertEqual(recipients.count(email), 1, email)
        case.priority = "2"  # another change, same stage: nothing sent
        self._flush_tracking()
        self.assertEqual(len(mails_of_solved()[0]), 1)
        case.stage_id = self.stage_new
        self._flush_tracking()
        case.stage_id = self.stage_done
        self._flush_tracking()
        self.assertEqual(len(mails_of_solved()[0]), 2, "one per entry")


class TestPartnerCases(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.companies, contacts = new_companies_with_contacts(cls.env, "Customer", 10)
        for partner in cls.companies | contacts:
            cls._new_case(cls.hardware, partner_id=partner.id)
        cls._new_case(cls.hardware, partner_id=contacts[0].id).stage_id = cls.stage_done
        cls.contacts = contacts
        cls.user_support.case_section_ids = [(4, cls.support.id)]

    def test_contact_counts_open_cases_of_his_company(self):
        counts = self.contacts.with_user(self.user_support).mapped("case_count")
        self.assertEqual(counts, [2] * 10)
        action = self.contacts[0].with_user(self.user_support).action_view_cases()
        cases = (
            self.env["crm.case"].with_user(self.user_support).search(action["domain"])
        )
        self.assertEqual(len(cases.filtered(lambda c: not c.is_closed)), 2)
        self.assertEqual(len(cases), 3)

    @users("case_support")
    @warmup
    def test_contact_counts_in_one_query(self):
        # the partners, the user's sections for his rule, one grouped count
        # of the cases, the companies of the counted contacts: as many
        # queries for ten contacts as for one
        for partners, expected in (
            (self.companies[:1], [2]),
            (self.companies, [2] * 10),
        ):
            partners = self.env["res.partner"].browse(partners.ids)
            partners.invalidate_model()
            with self.assertQueryCount(case_support=5):
                self.assertEqual(partners.mapped("case_count"), expected)


class TestPortalCustomerMail(CaseCommon):
    """Kept apart: a portal user needs his own partner."""

    def test_portal_customer_sees_expected_answer_time(self):
        customer = new_portal_user(self.env, "sla_portal", "Ana")
        self.env["crm.case.sla"].create(
            {"name": "4 h", "section_id": self.support.id, "time_first_response": 4}
        )
        case = self._new_case(self.hardware, partner_id=customer.partner_id.id)
        as_customer = case.with_user(customer)
        self.assertEqual(as_customer.sla_status, "on_time")
        self.assertTrue(as_customer.sla_deadline_first_response)
