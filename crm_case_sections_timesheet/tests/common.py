# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.addons.crm_case_sections.tests.common import (
    new_case_user,
    new_portal_user,
    new_section,
)

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"


class TimesheetCaseCommon:
    """Support, with a project, and its Hardware sub-section, worked by an
    agent who logs his time; Audits, without a project, which he works too;
    a colleague of Support without timesheet rights; a portal customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_case_user(
            cls.env, "ts_agent", "Tomas Agent", groups=TIMESHEET_USER
        )
        cls.agent_employee = cls.env["hr.employee"].create(
            {"name": "Tomas Agent", "user_id": cls.agent.id}
        )
        cls.colleague = new_case_user(cls.env, "ts_colleague", "Nora Colleague")
        cls.customer = new_portal_user(
            cls.env, "ts_customer", "Carla Customer", email="carla@example.com"
        )
        cls.project = cls.env["project.project"].create(
            {
                "name": "Support time",
                "allow_timesheets": True,
                "privacy_visibility": "employees",
            }
        )
        cls.support = new_section(
            cls.env,
            "Support",
            user=cls.agent,
            project_id=cls.project.id,
            portal_open=True,
        )
        cls.support.member_ids += cls.colleague
        cls.hardware = new_section(cls.env, "Hardware", parent=cls.support)
        cls.audits = new_section(cls.env, "Audits", user=cls.agent)

    @classmethod
    def _new_case(cls, section, name="Pump leaking", **values):
        return cls.env["crm.case"].create(
            dict(values, name=name, section_id=section.id)
        )
