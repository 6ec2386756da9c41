# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Cases and Sections",
    "summary": "Follow opportunities, support requests and supplier follow-ups "
    "as cases in a tree of sections",
    "version": "18.0.1.1.0",
    "category": "Services/Helpdesk",
    "website": "https://github.com/crm-case-sections/crm_case_sections",
    "author": "crm_case_sections contributors",
    "license": "LGPL-3",
    "depends": ["base_automation", "crm", "mail", "portal", "resource", "utm"],
    "data": [
        "security/crm_case_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/utm_medium_data.xml",
        "data/crm_case_stage_data.xml",
        "data/crm_case_type_data.xml",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/base_automation_data.xml",
        "views/crm_case_section_views.xml",
        "views/crm_case_type_views.xml",
        "views/crm_case_stage_views.xml",
        "views/crm_case_views.xml",
        "views/crm_case_portal_templates.xml",
        "views/crm_case_mail_quarantine_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/res_users_demo.xml",
        "demo/crm_case_section_demo.xml",
        "demo/crm_case_demo.xml",
    ],
    "assets": {
        "web.assets_tests": ["crm_case_sections/static/tests/tours/*.js"],
    },
    "application": True,
}
