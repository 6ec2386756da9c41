# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        # the case page's chatter is mail's, as website_mail does for the
        # portal pages: without it "Read More" and dates stay in English
        mods = super()._get_translation_frontend_modules_name()
        return [*mods, "mail", "crm_case_sections"]
