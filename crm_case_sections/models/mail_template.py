# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailTemplate(models.Model):
    _inherit = "mail.template"

    # ready answers of a department: offered in the composer of its cases
    # and of its sub-sections' (see mail.compose.message)
    section_id = fields.Many2one(
        "crm.case.section",
        string="Case Section",
        index="btree_not_null",
        ondelete="cascade",
        help="Offered in the composer of the cases of this section and of its "
        "sub-sections only. Empty: offered for every case.",
    )
