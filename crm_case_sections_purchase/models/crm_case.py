# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class CrmCase(models.Model):
    _inherit = "crm.case"

    @api.model
    def _get_supplier_followup_defaults(self):
        """Context defaults of a new supplier follow-up: its type, and the
        section handling that type when there is one."""
        case_type = self.env.ref("crm_case_sections.type_supplier")
        defaults = {"default_type_id": case_type.id}
        if case_type.section_id:
            defaults["default_section_id"] = case_type.section_id.id
        return defaults
