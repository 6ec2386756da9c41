# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    supplier_case_count = fields.Integer(
        "Supplier Follow-ups",
        compute="_compute_supplier_case_count",
        groups="crm_case_sections.group_case_user",
        help="Cases of this vendor and its contacts, and cases whose related "
        "documents include them or their purchase orders.",
    )

    # the count follows the cases the current user may read
    @api.depends_context("uid")
    def _compute_supplier_case_count(self):
        vendors = self._origin.commercial_partner_id
        partner_owners, ref_owners = vendors._get_case_owners()
        counts = defaultdict(int)
        if partner_owners:
            groups = self.env["crm.case"]._read_group(
                self._get_case_domain(partner_owners, ref_owners),
                groupby=["partner_id", "ref", "ref2"],
                aggregates=["__count"],
            )
            for partner, ref, ref2, count in groups:
                # a case reaching a vendor several ways counts once for it
                owners = (
                    partner_owners.get(partner.id, set())
                    | ref_owners.get(ref, set())
                    | ref_owners.get(ref2, set())
                )
                for vendor_id in owners:
                    counts[vendor_id] += count
        for partner in self:
            partner.supplier_case_count = counts[
                partner._origin.commercial_partner_id.id
            ]

    def action_view_supplier_cases(self):
        self.ensure_one()
        partner_owners, ref_owners = self.commercial_partner_id._get_case_owners()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections_purchase.crm_case_action_supplier"
        )
        action["name"] = self.env._("Follow-ups")
        action["domain"] = self._get_case_domain(partner_owners, ref_owners)
        action["context"] = {
            "default_partner_id": self.id,
            **self.env["crm.case"]._get_supplier_followup_defaults(),
        }
        return action

    def _get_case_owners(self):
        """Which of the vendors ``self`` each case partner and each case
        reference belongs to.

        Returns ``(partner_owners, ref_owners)``: the first maps the id of
        every partner below the vendors to the ids of the vendors above it,
        the second maps the references (``"res.partner,7"``,
        ``"purchase.order,3"``) to those partners and to their purchase
        orders to the same vendor ids.
        """
        if not self:
            return {}, {}
        # archived contacts still carry their cases, as purchase counts orders
        tree = self.with_context(active_test=False).search_fetch(
            [("id", "child_of", self.ids)], ["parent_id"], order="id"
        )
        tree_ids, vendor_ids = set(tree.ids), set(self.ids)
        partner_owners = {}
        for partner in tree:
            owners, ancestor = set(), partner
            # a vendor may sit below another vendor of the batch
            while ancestor.id in tree_ids:
                if ancestor.id in vendor_ids:
                    owners.add(ancestor.id)
                ancestor = ancestor.parent_id
            partner_owners[partner.id] = owners
        ref_owners = {
            f"{self._name},{partner_id}": owners
            for partner_id, owners in partner_owners.items()
        }
        # sudo: the orders only decide which cases count, the cases themselves
        # stay filtered by the user's access; case users may not be buyers
        orders = (
            self.env["purchase.order"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", list(partner_owners))], ["partner_id"], order="id"
            )
        )
        for order in orders:
            ref_owners[order._get_case_reference()] = partner_owners[
                order.partner_id.id
            ]
        return partner_owners, ref_owners

    @api.model
    def _get_case_domain(self, partner_owners, ref_owners):
        refs = list(ref_owners)
        return [
            "|",
            "|",
            ("partner_id", "in", list(partner_owners)),
            ("ref", "in", refs),
            ("ref2", "in", refs),
        ]
