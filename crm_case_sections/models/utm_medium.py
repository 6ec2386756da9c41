# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class UtmMedium(models.Model):
    _inherit = "utm.medium"

    # a case's channel reads in the user's language, as its section and type
    name = fields.Char(translate=True)
