# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime
from itertools import count

from freezegun import freeze_time

from odoo import Command, http
from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, tagged, warmup

from .common import (
    CaseCommon,
    GatewayCommon,
    load_spanish,
    new_case_user,
    new_portal_user,
)
from .test_mail_gateway_performance import MESSAGE

# 2026-11-23 is a Monday; the test calendar works 8-12 and 13-17 UTC
MONDAY_10 = "2026-11-23 10:00:00"
MONDAY_06 = "2026-11-23 06:00:00"
MONDAY_08 = "2026-11-23 08:00:00"
MONDAY_09 = "2026-11-23 09:00:00"


def new_calendar(env, name, tz="UTC"):
    """Monday to Friday, 8-12 and 13-17 in ``tz`` (Odoo's default hours)."""
    return env["resource.calendar"].create({"name": name, "tz": tz})


def give_resource(env, user, calendar):
    """The user's working hours, as an employee record would give them."""
    return env["resource.resource"].create(
        {"name": user.name, "user_id": user.id, "calendar_id": calendar.id}
    )


class AssignmentCommon(CaseCommon):
    """Support assigns among Ana and Bruno (Sergio, its responsible, opens
    the cases); Hardware, under it, assigns as its parent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_ana = new_case_user(cls.env, "ana_soporte", "Ana Soporte")
        cls.user_bruno = new_case_user(cls.env, "bruno_soporte", "Bruno Soporte")
        cls.calendar = new_calendar(cls.env, "Support hours")
        cls.support.write(
            {
                "assign_method": "balanced",
                "member_ids": [Command.set((cls.user_ana | cls.user_bruno).ids)],
                "resource_calendar_id": cls.calendar.id,
            }
        )
        cls.hardware.resource_calendar_id = cls.calendar

    def _form_case(self, section, name="Pump leaks", user=None):
        """A case saved from the form by Sergio, a case user."""
        form = Form(self.env["crm.case"].with_user(self.user_support))
        form.name = name
        form.section_id = section
        if user:
            form.user_id = user
        return form.save()

    def _give(self, user, count, section=None):
        """``count`` open cases already in ``user``'s hands."""
        return self.env["crm.case"].create(
            [
                {
                    "name": f"Old case {index}",
                    "section_id": (section or self.support).id,
                    "user_id": user.id,
                }
                for index in range(count)
            ]
        )

    def _notes(self, case):
        return case.message_ids.filtered(
            lambda message: message.subtype_id.internal
            or message.message_type == "notification"
        ).mapped("body")

    def _assert_note(self, case, text):
        self.assertTrue(
            any(text in body for body in self._notes(case)),
            f"no note with {text!r} in {self._notes(case)}",
        )


@freeze_time(MONDAY_10)
class TestCaseAssignment(AssignmentCommon):
    def test_balanced_goes_to_the_least_loaded_member(self):
        self._give(self.user_ana, 2)
        self._give(self.user_bruno, 1)
        case = self._form_case(self.support)
        self.assertEqual(case.user_id, self.user_bruno)
        self._assert_note(
            case, "Assigned to Bruno Soporte: 1 open case, the fewest in Support."
        )
        # the responsible is told and follows it, as when chosen by hand
        self.assertIn(self.user_bruno.partner_id, case.message_partner_ids)

    def test_closed_cases_do_not_count(self):
        self._give(self.user_ana, 1)
        self._give(self.user_bruno, 3).stage_id = self.stage_done
        self.assertEqual(self._form_case(self.support).user_id, self.user_bruno)

    def test_balanced_tie_goes_to_the_one_waiting_longest(self):
        first = self._form_case(self.support)
        first.stage_id = self.stage_done
        second = self._form_case(self.support)
        second.stage_id = self.stage_done
        third = self._form_case(self.support)
        # nobody has open cases: each time the one who waited longest
        self.assertEqual(first.user_id, self.user_ana)
        self.assertEqual(second.user_id, self.user_bruno)
        self.assertEqual(third.user_id, self.user_ana)
        self._assert_note(third, "and the longest wait since a case was assigned")

    def test_member_at_the_maximum_gets_no_more(self):
        self.support.assign_max_open = 2
        self._give(self.user_ana, 2)
        self._give(self.user_bruno, 1)
        self.assertEqual(self._form_case(self.support).user_id, self.user_bruno)
        # both full: the case waits unassigned, and says why
        waiting = self._form_case(self.support)
        self.assertFalse(waiting.user_id)
        self._assert_note(waiting, "No member of Support can take this case now")
        self.assertEqual(self.support.unassigned_case_count, 1)

    def test_round_robin_serves_each_member_in_turn(self):
        self.support.assign_method = "round_robin"
        # the load does not matter in turn
        self._give(self.user_ana, 3)
        cases = [self._form_case(self.support, name=f"Case {n}") for n in range(4)]
        self.assertEqual(
            [case.user_id for case in cases],
            [self.user_ana, self.user_bruno, self.user_ana, self.user_bruno],
        )
        self._assert_note(
            cases[1], "Assigned to Bruno Soporte: next in turn in Support."
        )

    def test_member_on_time_off_is_skipped(self):
        resource = give_resource(self.env, self.user_bruno, self.calendar)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holidays",
                "resource_id": resource.id,
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 23, 0, 0),
                "date_to": datetime(2026, 11, 27, 23, 0),
            }
        )
        self._give(self.user_ana, 5)
        case = self._form_case(self.support)
        self.assertEqual(case.user_id, self.user_ana)

    def test_member_outside_his_working_hours_is_skipped(self):
        # Bruno works from Tokyo: 19:00 there
        give_resource(
            self.env, self.user_bruno, new_calendar(self.env, "Tokyo", "Asia/Tokyo")
        )
        self._give(self.user_ana, 5)
        self.assertEqual(self._form_case(self.support).user_id, self.user_ana)
        with freeze_time("2026-11-24 00:30:00"):  # 09:30 in Tokyo, night here
            self.assertEqual(self._form_case(self.support).user_id, self.user_bruno)

    def test_public_holiday_leaves_the_case_waiting(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 11, 23, 0, 0),
                "date_to": datetime(2026, 11, 23, 23, 59),
            }
        )
        case = self._form_case(self.support)
        self.assertFalse(case.user_id)
        self._assert_note(case, "No member of Support can take this case now")

    def test_new_working_hours_count_at_once(self):
        tokyo = new_calendar(self.env, "Tokyo", "Asia/Tokyo")
        give_resource(self.env, self.user_bruno, tokyo)
        self._give(self.user_ana, 5)
        # 19:00 in Tokyo: Bruno has gone home
        self.assertEqual(self._form_case(self.support).user_id, self.user_ana)
        monday_afternoon = tokyo.attendance_ids.filtered(
            lambda attendance: attendance.dayofweek == "0"
            and attendance.hour_from == 13
        )
        monday_afternoon.hour_to = 20
        self.assertEqual(self._form_case(self.support).user_id, self.user_bruno)

    def test_archived_member_is_skipped(self):
        self._give(self.user_ana, 5)
        self.user_bruno.active = False
        self.assertEqual(self._form_case(self.support).user_id, self.user_ana)

    def test_sub_section_uses_its_parents_method_and_members(self):
        self.assertEqual(self.hardware.assign_method, "parent")
        self._give(self.user_ana, 1)
        case = self._form_case(self.hardware)
        self.assertEqual(case.user_id, self.user_bruno)
        self._assert_note(case, "the fewest in Support")

    def test_top_section_as_parent_assigns_its_responsible(self):
        self.support.assign_method = "parent"
        self.assertEqual(self._form_case(self.hardware).user_id, self.user_support)

    def test_responsible_chosen_by_the_user_wins(self):
        case = self._form_case(self.support, user=self.user_support)
        self.assertEqual(case.user_id, self.user_support)
        self.assertFalse(
            any("Assigned to" in body for body in self._notes(case)),
        )

    def test_hand_over_by_type_assigns_a_member(self):
        case = self._new_case(self.opportunities)
        self.assertEqual(case.user_id, self.user_sales)
        self._give(self.user_ana, 1)
        form = Form(case.with_user(self.user_sales))
        form.type_id = self.type_support
        form.save()
        self.assertEqual(case.sudo().user_id, self.user_bruno)
        self._assert_note(case.sudo(), "Assigned to Bruno Soporte")

    def test_escalation_assigns_a_member(self):
        self.hardware.write({"assign_method": "manual", "user_id": self.user_sales.id})
        case = self._form_case(self.hardware)
        self.assertEqual(case.user_id, self.user_sales)
        self._give(self.user_bruno, 1)
        case.with_user(self.user_support).action_escalate()
        self.assertEqual(case.section_id, self.support)
        self.assertEqual(case.user_id, self.user_ana)

    def test_overview_shows_each_members_open_cases(self):
        self._give(self.user_ana, 2)
        self._give(self.user_bruno, 1, section=self.first_level)
        section = self.support.with_user(self.user_support)
        self.assertEqual(section.member_open_cases, "Ana Soporte: 2 · Bruno Soporte: 1")

    def test_note_in_spanish(self):
        load_spanish(self.env)
        self.support.with_context(lang="es_ES").name = "Soporte"
        self._give(self.user_bruno, 1)
        form = Form(
            self.env["crm.case"].with_user(self.user_support).with_context(lang="es_ES")
        )
        form.name = "Fuga en la bomba"
        form.section_id = self.support
        case = form.save()
        self._assert_note(
            case,
            "Asignado a Ana Soporte: 0 casos abiertos, el que menos tiene en "
            "Soporte.",
        )

    def test_negative_maximum_is_refused(self):
        form = Form(self.support.with_user(self.user_manager))
        form.assign_max_open = -1
        with self.assertRaisesRegex(ValidationError, "use 0 for no maximum"):
            form.save()


class TestNightQueue(AssignmentCommon):
    def test_night_queue_is_spread_when_members_start(self):
        with freeze_time(MONDAY_06):
            night = self.env["crm.case"]
            for index in range(4):
                night |= self._form_case(self.support, name=f"Night {index}")
            self.assertFalse(night.user_id)
            self.env["crm.case"]._cron_assign_waiting()
            self.assertFalse(night.user_id)
        with freeze_time(MONDAY_08):
            self.env["crm.case"]._cron_assign_waiting()
        self.assertEqual(len(night.filtered(lambda c: c.user_id == self.user_ana)), 2)
        self.assertEqual(len(night.filtered(lambda c: c.user_id == self.user_bruno)), 2)
        self._assert_note(night[0], "Assigned to")
        # each follows his cases, told once for the batch, not once per case
        for user in (self.user_ana, self.user_bruno):
            mine = night.filtered(lambda c, user=user: c.user_id == user)
            self.assertIn(user.partner_id, mine.message_partner_ids)
            told = self.env["mail.message"].search(
                [("partner_ids", "in", user.partner_id.ids)]
            )
            self.assertEqual(
                told.mapped("subject"), ["Cases assigned to you: 2"], user.name
            )

    def test_a_spanish_member_is_told_in_spanish(self):
        load_spanish(self.env)
        self.user_bruno.lang = "es_ES"
        with freeze_time(MONDAY_06):
            night = self.env["crm.case"]
            for index in range(2):
                night |= self._form_case(self.support, name=f"Night {index}")
        with freeze_time(MONDAY_08):
            self.env["crm.case"]._cron_assign_waiting()
        subjects = {
            user: self.env["mail.message"]
            .search([("partner_ids", "in", user.partner_id.ids)])
            .mapped("subject")
            for user in (self.user_ana, self.user_bruno)
        }
        self.assertEqual(subjects[self.user_ana], ["Cases assigned to you: 1"])
        self.assertEqual(subjects[self.user_bruno], ["Casos asignados a usted: 1"])

    def test_first_member_in_takes_only_his_share(self):
        # Bruno starts an hour later (08:00 in the Azores is 09:00 UTC)
        give_resource(
            self.env,
            self.user_bruno,
            new_calendar(self.env, "Azores", "Atlantic/Azores"),
        )
        self.support.assign_method = "round_robin"
        with freeze_time(MONDAY_06):
            night = self.env["crm.case"]
            for index in range(5):
                night |= self._form_case(self.support, name=f"Night {index}")
        with freeze_time(MONDAY_08):
            self.env["crm.case"]._cron_assign_waiting()
        self.assertEqual(night.user_id, self.user_ana)
        self.assertEqual(len(night.filtered("user_id")), 3)
        with freeze_time(MONDAY_09):
            self.env["crm.case"]._cron_assign_waiting()
        self.assertEqual(len(night.filtered(lambda c: c.user_id == self.user_bruno)), 2)


class MailAssignmentCommon(GatewayCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_ana = new_case_user(cls.env, "ana_soporte", "Ana Soporte")
        cls.user_bruno = new_case_user(cls.env, "bruno_soporte", "Bruno Soporte")
        cls.support.write(
            {
                "assign_method": "balanced",
                "member_ids": [Command.set((cls.user_ana | cls.user_bruno).ids)],
                "resource_calendar_id": new_calendar(cls.env, "Support hours").id,
            }
        )


@tagged("mail_gateway")
class TestMailAssignment(MailAssignmentCommon):
    _sequence = count()

    def _process_counted(self, method, queries, busy_ana=True):
        """The new mail of test_mail_gateway_performance, to Support assigning
        by ``method``, in ``queries`` queries; its case's responsible."""
        self.support.assign_method = method
        index = next(self._sequence)
        message = MESSAGE.format(
            sender=f"customer{index}@customer.example.com",
            subject="Pump leaks",
            message_id=f"assign-perf-{index}",
            extra="",
        )
        if busy_ana:
            self.env["crm.case"].create(
                {
                    "name": "Old",
                    "section_id": self.support.id,
                    "user_id": self.user_ana.id,
                }
            )
        with self.mock_mail_gateway(), self.assertQueryCount(__system__=queries):
            self.env["mail.thread"].message_process(None, message)
        return self.env["crm.case"].search([], order="id desc", limit=1).user_id

    # To the section's responsible, 55 queries (63 without Ana's old case
    # read before); to a member chosen automatically, 3 more at most: the
    # candidates with all the choice needs (their working weeks are cached),
    # the turn written and the note.

    @freeze_time(MONDAY_10)
    @warmup
    def test_query_count_new_mail_manual(self):
        self.assertEqual(self._process_counted("manual", 55), self.support.user_id)

    @freeze_time(MONDAY_10)
    @warmup
    def test_query_count_new_mail_balanced(self):
        self.assertEqual(self._process_counted("balanced", 58), self.user_bruno)

    @freeze_time(MONDAY_10)
    @warmup
    def test_query_count_new_mail_balanced_tie(self):
        user = self._process_counted("balanced", 66, busy_ana=False)
        self.assertEqual(user, self.user_ana)

    @freeze_time(MONDAY_10)
    @warmup
    def test_query_count_new_mail_round_robin(self):
        self.assertEqual(self._process_counted("round_robin", 57), self.user_ana)

    @freeze_time(MONDAY_10)
    def test_mail_goes_to_the_least_loaded_member(self):
        self.env["crm.case"].create(
            {"name": "Old", "section_id": self.support.id, "user_id": self.user_ana.id}
        )
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        self.assertEqual(case.user_id, self.user_bruno)
        self.assertIn(
            "Assigned to Bruno Soporte: 0 open cases, the fewest in Support.",
            "".join(case.message_ids.mapped("body")),
        )

    @freeze_time(MONDAY_06)
    def test_mail_at_night_waits(self):
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        self.assertFalse(case.user_id)
        with freeze_time(MONDAY_08):
            self.env["crm.case"]._cron_assign_waiting()
        self.assertEqual(case.user_id, self.user_ana)


@tagged("post_install", "-at_install")
class TestPortalAssignment(CaseCommon, HttpCase):
    def test_case_from_the_portal_goes_to_a_member(self):
        customer = new_portal_user(
            self.env, "portal_eva", "Eva Customer", email="eva@acme.example.com"
        )
        ana = new_case_user(self.env, "ana_soporte", "Ana Soporte")
        bruno = new_case_user(self.env, "bruno_soporte", "Bruno Soporte")
        # no working hours: the members work at any time
        self.support.write(
            {
                "portal_open": True,
                "assign_method": "round_robin",
                "member_ids": [Command.set((ana | bruno).ids)],
                "resource_calendar_id": False,
            }
        )
        # the customer's New Case form, twice
        self.authenticate("portal_eva", "portal_eva")
        for name in ("Gearbox noise", "Pump leaks"):
            self.url_open(
                "/my/cases/new",
                data={
                    "csrf_token": http.Request.csrf_token(self),
                    "section_id": self.support.id,
                    "name": name,
                    "description": "Since yesterday",
                },
            )
        cases = self.env["crm.case"].search(
            [("partner_id", "=", customer.partner_id.id)], order="id"
        )
        self.assertEqual(cases.mapped("name"), ["Gearbox noise", "Pump leaks"])
        self.assertEqual([case.user_id for case in cases], [ana, bruno])
        self.assertIn(
            "next in turn in Support", str(cases[0].message_ids.mapped("body"))
        )


@tagged("post_install", "-at_install")
class TestAssignmentTour(HttpCase):
    def test_support_opens_a_case_that_goes_to_a_member(self):
        ref = self.env.ref
        support = ref("crm_case_sections.section_support")
        agent = ref("crm_case_sections.user_support")
        ana = new_case_user(self.env, "ana_soporte", "Ana Soporte")
        support.write(
            {
                "assign_method": "balanced",
                "member_ids": [Command.set((agent | ana).ids)],
            }
        )
        # no working hours: the members are at work whenever the tour runs
        self.env["crm.case.section"].search(
            [("id", "child_of", support.id)]
        ).resource_calendar_id = False
        # the demo's cases keep Sofia busier than Ana
        self.assertTrue(
            self.env["crm.case"].search_count(
                [("user_id", "=", agent.id), ("is_closed", "=", False)]
            )
        )
        self.start_tour("/odoo", "crm_case_sections_assignment_tour", login="support")
        case = self.env["crm.case"].search(
            [("name", "=", "Gearbox noise at high speed")]
        )
        self.assertEqual(case.user_id, ana)
