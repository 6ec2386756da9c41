# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    case_count = fields.Integer(
        "Cases",
        compute="_compute_case_count",
        groups="crm_case_sections.group_case_user",
        help="Open cases of this contact and of its company.",
    )

    # the count follows the cases the current user may read
    @api.depends_context("uid")
    def _compute_case_count(self):
        companies = self._origin.commercial_partner_id
        counts = defaultdict(int)
        if companies:
            groups = self.env["crm.case"]._read_group(
                [
                    ("partner_id.commercial_partner_id", "in", companies.ids),
                    ("is_closed", "=", False),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
            for partner, count in groups:
                counts[partner.commercial_partner_id.id] += count
        for partner in self:
            partner.case_count = counts[partner._origin.commercial_partner_id.id]

    def action_view_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections.crm_case_action"
        )
        action["display_name"] = self.env._("Cases of %s", self.display_name)
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"search_default_open": 1, "default_partner_id": self.id}
        return action
