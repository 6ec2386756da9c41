# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._create_case_sequences()
        return companies

    def _create_case_sequences(self):
        """Give each company its own case numbering, a copy of the shared
        sequence. A company that already numbered cases from the shared one
        goes on from its counter, so that no reference is given twice."""
        # sudo: numbering is set up for every company, whoever creates it
        Sequence = self.env["ir.sequence"].sudo()
        shared = self.env.ref(
            "crm_case_sections.seq_crm_case", raise_if_not_found=False
        )
        if not shared:
            return
        numbered = Sequence.search(
            [("code", "=", "crm.case"), ("company_id", "in", self.ids)]
        ).company_id
        Case = self.env["crm.case"].sudo().with_context(active_test=False)
        for company in self - numbered:
            has_cases = Case.search_count([("company_id", "=", company.id)], limit=1)
            shared.sudo().copy(
                {
                    "name": f"{shared.name} ({company.name})",
                    "company_id": company.id,
                    "number_next": shared.number_next_actual if has_cases else 1,
                }
            )

    @api.model
    def _create_all_case_sequences(self):
        numbered = (
            self.env["ir.sequence"]
            .sudo()
            .search([("code", "=", "crm.case"), ("company_id", "!=", False)])
            .company_id
        )
        self.sudo().search([("id", "not in", numbered.ids)])._create_case_sequences()
