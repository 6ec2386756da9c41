# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Inbound Mail Guard",
    "summary": "Keep the incoming mail Odoo cannot process, clean its headers, "
    "mark IMAP mail read only once saved, and a Python 3 mailgate",
    "version": "18.0.1.1.0",
    "category": "Productivity/Discuss",
    "website": "https://github.com/crm-case-sections/crm_case_sections",
    "author": "crm_case_sections contributors",
    "license": "LGPL-3",
    "depends": ["mail"],
    "data": [
        "security/ir.model.access.csv",
        "security/mail_inbound_guard_security.xml",
        "views/mail_inbound_unprocessed_views.xml",
        "views/mail_inbound_blocked_sender_views.xml",
    ],
}
