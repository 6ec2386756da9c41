# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, TransactionCase, tagged

from odoo.addons.crm_case_sections.tests.common import (
    load_spanish,
    new_case_user,
    new_section,
)

from .common import TIMESHEET_USER, TimesheetCaseCommon


class TestCaseTimesheet(TimesheetCaseCommon, TransactionCase):
    """The agent logs his time on the case form; the case and its sections
    show the hours, to employees with timesheet rights only."""

    def _log(self, case, hours, description="Seal replaced"):
        """Log time on ``case`` as the agent does it, on its form."""
        with Form(case.with_user(self.agent)) as form:
            with form.timesheet_ids.new() as line:
                line.name = description
                line.unit_amount = hours
        return case.timesheet_ids.sorted("id")[-1:]

    def _arch(self, user, view_type, model="crm.case"):
        views = self.env[model].with_user(user).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_time_logged_on_the_case_goes_to_the_section_project(self):
        case = self._new_case(self.hardware)
        line = self._log(case, 1.5)
        # the sub-section has no project: its parent's is used
        self.assertEqual(line.project_id, self.project)
        self.assertEqual(line.case_id, case)
        self.assertEqual(line.employee_id, self.agent_employee)
        self.assertEqual(line.name, "Seal replaced")
        self.assertEqual(case.with_user(self.agent).effective_hours, 1.5)
        self._log(case, 0.25, "Call back")
        self.assertEqual(case.with_user(self.agent).effective_hours, 1.75)

    def test_line_of_the_timesheets_list_takes_the_case_project(self):
        # Timesheets' list: choosing the case fills in its project
        case = self._new_case(self.hardware)
        line = self.env["account.analytic.line"].with_user(self.agent).new({})
        line.case_id = case
        line._onchange_case_id()
        self.assertEqual(line.project_id, self.project)

    def test_hours_sum_up_the_tree(self):
        self._log(self._new_case(self.hardware), 1.5)
        self._log(self._new_case(self.hardware, "Sensor"), 0.5)
        self._log(self._new_case(self.support, "Delivery note"), 2.0)
        self._new_case(self.audits, "Audit")
        sections = (self.support | self.hardware | self.audits).with_user(self.agent)
        self.assertEqual(
            dict(zip(sections, sections.mapped("timesheet_hours"), strict=True)),
            {self.support: 4.0, self.hardware: 2.0, self.audits: 0.0},
        )
        # Cases by section shows them on each node, to timesheet users only
        hierarchy = self._arch(self.agent, "hierarchy", "crm.case.section")
        self.assertTrue(hierarchy.xpath("//field[@name='timesheet_hours']"))
        hierarchy = self._arch(self.colleague, "hierarchy", "crm.case.section")
        self.assertFalse(hierarchy.xpath("//field[@name='timesheet_hours']"))

    def test_hours_of_the_whole_tree_in_one_query(self):
        sub_sections = self.env["crm.case.section"].create(
            [
                {"name": f"Level {index}", "parent_id": self.hardware.id}
                for index in range(10)
            ]
        )
        for section in sub_sections:
            self._log(self._new_case(section, f"Case of {section.name}"), 0.5)
        sections = (self.support | self.hardware | sub_sections).with_user(self.agent)
        sections.invalidate_recordset()
        # the cases' hours grouped by section, then the sections' paths
        with self.assertQueryCount(2):
            hours = sections.mapped("timesheet_hours")
        self.assertEqual(hours, [5.0, 5.0] + [0.5] * 10)

    def test_case_analysis_sums_the_hours(self):
        self._log(self._new_case(self.hardware), 1.5)
        self._log(self._new_case(self.support, "Delivery note"), 2.0)
        Case = self.env["crm.case"].with_user(self.agent)
        [(root, hours)] = Case._read_group(
            [("section_id", "child_of", self.support.id)],
            ["section_root_id"],
            ["effective_hours:sum"],
        )
        self.assertEqual((root, hours), (self.support, 3.5))
        pivot = self._arch(self.agent, "pivot")
        [measure] = pivot.xpath("//field[@name='effective_hours']")
        self.assertEqual(measure.get("type"), "measure")
        self.assertFalse(
            self._arch(self.colleague, "pivot").xpath(
                "//field[@name='effective_hours']"
            )
        )

    def _sales_case_with_time(self, hours):
        """A case of Sales, a department the agent does not work, with
        time logged by its salesman on the same project."""
        seller = new_case_user(
            self.env, "ts_seller", "Sara Seller", groups=TIMESHEET_USER
        )
        self.env["hr.employee"].create({"name": "Sara Seller", "user_id": seller.id})
        sales = new_section(self.env, "Sales", user=seller, project_id=self.project.id)
        case = self._new_case(sales, "Offer for pumps")
        self._log_as(seller, case, hours)
        return sales, case

    def _log_as(self, user, case, hours):
        with Form(case.with_user(user)) as form:
            with form.timesheet_ids.new() as line:
                line.name = "Visit"
                line.unit_amount = hours

    def test_hours_count_only_the_cases_the_user_may_open(self):
        sales, hidden = self._sales_case_with_time(3.0)
        self._log(self._new_case(self.support, "Delivery note"), 2.0)
        self.assertFalse(hidden.with_user(self.agent).has_access("read"))
        sections = (self.support | sales).with_user(self.agent)
        self.assertEqual(sections.mapped("timesheet_hours"), [2.0, 0.0])
        Case = self.env["crm.case"].with_user(self.agent)
        [[hours]] = Case._read_group([], [], ["effective_hours:sum"])
        self.assertEqual(hours, 2.0)
        manager = new_case_user(
            self.env, "ts_manager", "Marta Manager", manager=True, groups=TIMESHEET_USER
        )
        sections = (self.support | sales).with_user(manager)
        self.assertEqual(sections.mapped("timesheet_hours"), [2.0, 3.0])

    def test_no_time_on_a_case_the_agent_may_not_open(self):
        _sales, hidden = self._sales_case_with_time(3.0)
        # the project is one he logs on: the case still refuses him
        with self.assertRaises(AccessError):
            self.env["account.analytic.line"].with_user(self.agent).create(
                {
                    "name": "Not mine",
                    "case_id": hidden.id,
                    "project_id": self.project.id,
                    "unit_amount": 5.0,
                }
            )
        line = self._log(self._new_case(self.support, "Delivery note"), 1.0)
        with self.assertRaises(AccessError):
            line.with_user(self.agent).write({"case_id": hidden.id})
        self.assertEqual(hidden.effective_hours, 3.0)

    def test_agent_without_timesheet_rights_reads_no_time(self):
        case = self._new_case(self.hardware)
        self._log(case, 1.5)
        as_colleague = case.with_user(self.colleague)
        self.assertEqual(as_colleague.name, "Pump leaking")
        with self.assertRaises(AccessError):
            as_colleague.read(["timesheet_ids"])
        with self.assertRaises(AccessError):
            as_colleague.read(["effective_hours"])
        with self.assertRaises(AccessError):
            self.env["account.analytic.line"].with_user(self.colleague).search(
                [("case_id", "=", case.id)]
            )
        form = self._arch(self.colleague, "form")
        self.assertFalse(form.xpath("//page[@name='timesheets']"))
        self.assertTrue(
            self._arch(self.agent, "form").xpath("//page[@name='timesheets']")
        )

    def test_section_without_project_refuses_time_clearly(self):
        case = self._new_case(self.audits)
        form = Form(case.with_user(self.agent))
        self.assertFalse(form.timesheet_project_id)
        with self.assertRaisesRegex(
            ValidationError, "Choose a project for the section Audits to log time"
        ):
            case.with_user(self.agent).write(
                {
                    "timesheet_ids": [
                        Command.create({"name": "Audit", "unit_amount": 1.0})
                    ]
                }
            )
        # nor can the project be taken away from a line of a case
        line = self._log(self._new_case(self.support), 1.0)
        with self.assertRaisesRegex(ValidationError, "Choose a project"):
            line.with_user(self.agent).project_id = False

    def test_case_with_time_cannot_be_deleted(self):
        case = self._new_case(self.support)
        self._log(case, 1.0)
        # a manager deletes cases; this one reads no time, the case still keeps it
        manager = new_case_user(self.env, "ts_deleter", "Dora Manager", manager=True)
        self.assertFalse(
            self.env["account.analytic.line"].with_user(manager).has_access("read")
        )
        with self.assertRaisesRegex(UserError, "archive it instead"):
            case.with_user(manager).unlink()
        self.assertTrue(case.exists())


@tagged("post_install", "-at_install")
class TestCaseTimesheetPortal(TimesheetCaseCommon, HttpCase):
    def test_customer_never_sees_the_time(self):
        case = self._new_case(
            self.support, "Pump leaking", partner_id=self.customer.partner_id.id
        )
        with Form(case.with_user(self.agent)) as form:
            with form.timesheet_ids.new() as line:
                line.name = "Seal replaced behind the counter"
                line.unit_amount = 3.25
        self.assertEqual(case.effective_hours, 3.25)
        self.authenticate("ts_customer", "ts_customer")
        page = self.url_open(f"/my/cases/{case.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Pump leaking", page.text)
        for hidden in ("Seal replaced behind the counter", "03:15", "3:15", "3.25"):
            self.assertNotIn(hidden, page.text)
        with self.assertRaises(AccessError):
            case.with_user(self.customer).read(["effective_hours"])
        with self.assertRaises(AccessError):
            case.with_user(self.customer).read(["timesheet_ids"])


class TestCaseTimesheetSpanish(TimesheetCaseCommon, TransactionCase):
    def test_page_and_demo_projects_read_in_spanish(self):
        load_spanish(self.env, ("crm_case_sections", "crm_case_sections_timesheet"))
        self.agent.lang = "es_ES"
        views = (
            self.env["crm.case"]
            .with_user(self.agent)
            .with_context(lang="es_ES")
            .get_views([(False, "form")])
        )
        form = etree.fromstring(views["views"]["form"]["arch"])
        [page] = form.xpath("//page[@name='timesheets']")
        self.assertEqual(page.get("string"), "Partes de horas")
        project = self.env.ref("crm_case_sections_timesheet.project_support")
        self.assertEqual(
            project.with_context(lang="es_ES").name, "Asistencia a clientes"
        )
        with self.assertRaisesRegex(ValidationError, "Elija un proyecto"):
            self.env["account.analytic.line"].with_user(self.agent).with_context(
                lang="es_ES"
            ).create(
                {
                    "case_id": self._new_case(self.audits).id,
                    "name": "Auditoría",
                    "unit_amount": 1.0,
                }
            )
