# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    case_section_ids = fields.Many2many(
        "crm.case.section",
        "crm_case_section_member_rel",
        "user_id",
        "section_id",
        string="Case Sections",
        help="Sections this user is a member of.",
    )
    case_section_responsible_ids = fields.One2many(
        "crm.case.section", "user_id", string="Responsible of Sections"
    )
