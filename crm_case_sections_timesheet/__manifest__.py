# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Cases and Sections - Timesheets",
    "summary": "Log the time spent on cases, summed up the tree of sections",
    "version": "18.0.1.0.0",
    "category": "Services/Timesheets",
    "website": "https://github.com/crm-case-sections/crm_case_sections",
    "author": "crm_case_sections contributors",
    "license": "LGPL-3",
    "depends": ["crm_case_sections", "hr_timesheet"],
    "data": [
        "views/crm_case_section_views.xml",
        "views/crm_case_views.xml",
        "views/hr_timesheet_views.xml",
    ],
    "demo": [
        "demo/project_project_demo.xml",
        "demo/hr_employee_demo.xml",
        "demo/account_analytic_line_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["crm_case_sections_timesheet/static/tests/tours/*.js"],
    },
    "auto_install": True,
}
