# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmCaseAssignmentTurn(models.Model):
    """When a member last got a case of a section by its assignment method:
    round robin serves the one who waited longest, and so do balanced ties."""

    _name = "crm.case.assignment.turn"
    _description = "Case Assignment Turn"
    _order = "last_assigned"

    section_id = fields.Many2one(
        "crm.case.section", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    last_assigned = fields.Datetime(required=True)

    _sql_constraints = [
        (
            "section_user_uniq",
            "unique (section_id, user_id)",
            "A member has one turn per section.",
        ),
    ]
