# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    # core's domain, and the ready answers of the case's section or of a
    # section above it (parent_of: its parent_path); the template selector
    # applies it too (static/src/views/mail_composer_template_selector.js)
    template_id = fields.Many2one(
        domain="[('model', '=', model), '|', ('user_id', '=', False), "
        "('user_id', '=', uid), '|', ('section_id', '=', False), "
        "('section_id', 'parent_of', case_section_id)]"
    )
    case_section_id = fields.Many2one(
        "crm.case.section",
        compute="_compute_case_section_id",
        help="The section of the cases written to, when they share one.",
    )

    @api.depends("model", "res_ids")
    def _compute_case_section_id(self):
        for composer in self:
            sections = self.env["crm.case.section"]
            if composer.model == "crm.case":
                res_ids = composer._evaluate_res_ids()
                sections = self.env["crm.case"].browse(res_ids).section_id
            composer.case_section_id = sections if len(sections) == 1 else False
