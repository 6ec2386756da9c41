# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.crm_case_sections.tests.test_tours_spanish import SpanishTourCase


@tagged("post_install", "-at_install")
class TestAgentTimesheetTourSpanish(SpanishTourCase):
    """The support agent of the demo company, in Spanish, logs her time on a
    case in the browser and finds it added up on her department."""

    def test_agent_logs_time_on_a_case(self):
        agent = self.env.ref("crm_case_sections.user_support")
        agent.lang = "es_ES"
        # a case of hers, opened in Spanish: its chatter says so
        case = (
            self.env["crm.case"]
            .with_context(lang="es_ES")
            .create(
                {
                    "name": "La bomba pierde aceite",
                    "section_id": self.env.ref(
                        "crm_case_sections.section_support_hardware"
                    ).id,
                }
            )
        )
        self.start_tour(
            f"/odoo/action-crm_case_sections.crm_case_action/{case.id}",
            "crm_case_sections_timesheet_agent_es",
            login="support",
        )
        line = case.timesheet_ids.filtered(
            lambda line: line.name == "Junta del acoplamiento revisada"
        )
        self.assertEqual(line.unit_amount, 1.5)
        self.assertEqual(
            line.project_id, self.env.ref("crm_case_sections_timesheet.project_support")
        )
        self.assertEqual(
            line.employee_id,
            self.env.ref("crm_case_sections_timesheet.employee_support"),
        )
        support = self.env.ref("crm_case_sections.section_support")
        self.assertEqual(support.with_user(agent).timesheet_hours, 5.5 + 1.5)
        self.start_tour(
            "/odoo/action-crm_case_sections.crm_case_section_action_cases",
            "crm_case_sections_timesheet_sections_es",
            login="support",
        )
