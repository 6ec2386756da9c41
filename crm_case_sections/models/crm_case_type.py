# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class CrmCaseType(models.Model):
    _name = "crm.case.type"
    _description = "Case Type"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    kind = fields.Selection(
        [
            ("opportunity", "Opportunity"),
            ("support", "Support"),
            ("supplier", "Supplier"),
            ("other", "Other"),
        ],
        required=True,
        default="other",
        help="What the cases of this type follow; menus such as CRM > Opportunity "
        "cases list the cases of one kind.",
    )
    section_id = fields.Many2one(
        "crm.case.section",
        string="Handling Section",
        ondelete="set null",
        help="Department that handles the cases of this type: giving a case "
        "this type moves it to this section, unless it already is in it or in "
        "one of its sub-sections.",
    )
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A case type with this name already exists."),
    ]
