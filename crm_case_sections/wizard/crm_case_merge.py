# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class CrmCaseMerge(models.TransientModel):
    """Merge duplicate cases into one, from the case list (several selected
    cases) or from a case's form (the case and its possible duplicates)."""

    _name = "crm.case.merge"
    _description = "Merge Cases"

    case_ids = fields.Many2many(
        "crm.case",
        string="Cases",
        required=True,
        default=lambda self: self._default_case_ids(),
    )
    target_case_id = fields.Many2one(
        "crm.case",
        string="Case to Keep",
        compute="_compute_target_case_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', case_ids)]",
        help="The case that receives the messages, attachments, followers, "
        "watchers and documents of the others, which are archived.",
    )
    notify_customer = fields.Boolean(
        "Tell the Customers",
        help="Mail the customers of the merged cases that their request goes "
        "on in the case kept.",
    )
    warning = fields.Char(compute="_compute_warning")

    @api.model
    def _default_case_ids(self):
        context = self.env.context
        if context.get("active_model") == "crm.case" and context.get("active_ids"):
            return [fields.Command.set(context["active_ids"])]
        return False

    @api.depends("case_ids")
    def _compute_target_case_id(self):
        for wizard in self:
            if wizard.target_case_id not in wizard.case_ids:
                # the oldest case: the customer's first conversation goes on
                wizard.target_case_id = wizard.case_ids.sorted(
                    lambda case: case._origin.id
                )[:1]

    @api.depends("case_ids.partner_id", "case_ids.email_normalized")
    def _compute_warning(self):
        for wizard in self:
            customers = {
                case.partner_id.commercial_partner_id or case.email_normalized
                for case in wizard.case_ids
            }
            wizard.warning = (
                self.env._(
                    "These cases are of different customers: the customers of "
                    "the merged cases will follow the case kept and receive "
                    "its messages."
                )
                if len(customers) > 1
                else False
            )

    def action_merge(self):
        self.ensure_one()
        target = self.case_ids._merge_into(
            self.target_case_id, notify_customer=self.notify_customer
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.case",
            "res_id": target.id,
            "view_mode": "form",
            "target": "current",
        }
