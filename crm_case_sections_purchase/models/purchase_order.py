# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models


class PurchaseOrder(models.Model):
    _inherit = "purchase.order"

    case_count = fields.Integer(
        compute="_compute_case_count",
        groups="crm_case_sections.group_case_user",
        help="Cases whose related documents include this order.",
    )

    # the count follows the cases the current user may read
    @api.depends_context("uid")
    def _compute_case_count(self):
        refs = [order._get_case_reference() for order in self._origin]
        counts = defaultdict(int)
        if refs:
            groups = self.env["crm.case"]._read_group(
                ["|", ("ref", "in", refs), ("ref2", "in", refs)],
                groupby=["ref", "ref2"],
                aggregates=["__count"],
            )
            for ref, ref2, count in groups:
                counts[ref] += count
                # a case pointing twice to the same order counts once
                if ref2 != ref:
                    counts[ref2] += count
        for order in self:
            origin = order._origin
            order.case_count = counts[origin._get_case_reference()] if origin else 0

    def action_view_cases(self):
        self.ensure_one()
        reference = self._get_case_reference()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections_purchase.crm_case_action_supplier"
        )
        action["name"] = self.env._("Follow-ups")
        action["domain"] = ["|", ("ref", "=", reference), ("ref2", "=", reference)]
        action["context"] = {
            "default_partner_id": self.partner_id.id,
            "default_ref": reference,
            **self.env["crm.case"]._get_supplier_followup_defaults(),
        }
        return action

    def _get_case_reference(self):
        """The value of a case's ``ref`` or ``ref2`` pointing to this order."""
        self.ensure_one()
        return f"{self._name},{self.id}"
