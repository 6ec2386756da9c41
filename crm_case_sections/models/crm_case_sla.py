# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .crm_case_stage import PRIORITIES


class CrmCaseSla(models.Model):
    """A service level promised on the cases of a section and of all its
    sub-sections: an answer within so many working hours, a solution within
    so many, counted in the section's working calendar (its public holidays
    skipped), the clock stopped while the case waits on someone else."""

    _name = "crm.case.sla"
    _description = "Case Service Level"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    section_id = fields.Many2one(
        "crm.case.section",
        required=True,
        index=True,
        ondelete="cascade",
        # no company check: the policy's company is the section's, so the check
        # would only offer sections without a company
        help="The policy applies to the cases of this section and of its "
        "sub-sections, unless a sub-section has a policy of its own.",
    )
    company_id = fields.Many2one(related="section_id.company_id", store=True)
    type_ids = fields.Many2many(
        "crm.case.type",
        string="Case Types",
        help="Only cases of these types. Empty: every type.",
    )
    priority = fields.Selection(
        PRIORITIES, help="Only cases of this priority. Empty: every priority."
    )
    tag_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Only cases of customers with one of these tags. Empty: every "
        "customer.",
    )
    time_first_response = fields.Float(
        "First Response (working hours)",
        help="Working hours within which an employee answers the customer. "
        "0: no target.",
    )
    time_resolution = fields.Float(
        "Resolution (working hours)",
        help="Working hours within which the case is closed. 0: no target.",
    )
    stage_ids_pause = fields.Many2many(
        "crm.case.stage",
        string="Stages Pausing the Clock",
        help="While a case is in one of these stages (waiting for the "
        "customer, for a supplier), its service-level clock stops.",
    )
    at_risk_percent = fields.Float(
        "At Risk at (%)",
        default=80.0,
        help="Share of a target after which a case still open is at risk.",
    )

    _sql_constraints = [
        (
            "targets_positive",
            "CHECK(time_first_response >= 0 AND time_resolution >= 0)",
            "Service-level targets cannot be negative.",
        ),
    ]

    @api.constrains("at_risk_percent")
    def _check_at_risk_percent(self):
        for sla in self:
            if not 0 < sla.at_risk_percent <= 100:
                raise ValidationError(
                    self.env._("The at-risk share must be between 1 and 100 %.")
                )

    def _matches(self, case):
        """Whether this policy's filters admit ``case``."""
        self.ensure_one()
        if self.type_ids and case.type_id not in self.type_ids:
            return False
        if self.priority and case.priority != self.priority:
            return False
        if self.tag_ids:
            partner = case.partner_id
            tags = partner.category_id | partner.commercial_partner_id.category_id
            if not tags & self.tag_ids:
                return False
        return True

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _get_policy_ids
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()  # _get_policy_ids
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _get_policy_ids
        return super().unlink()

    @api.model
    @tools.ormcache("section_ids")
    def _get_policy_ids(self, section_ids):
        # searched on every new case and rarely changed: cached per tree of
        # sections; as superuser and active only, for it serves every caller
        policies = self.sudo().with_context(active_test=True)
        return tuple(policies.search([("section_id", "in", section_ids)]).ids)

    @api.model
    def _get_policies(self, cases):
        """The policies of each case: those of the nearest section, up the
        tree from the case's own, that has policies admitting it."""
        by_section = {}
        above = {i for section in cases.section_id for i in section._get_ancestor_ids()}
        policies = self.browse(self._get_policy_ids(tuple(sorted(above))))
        # what matching and planning read, at once: grouped by section here
        # and by case after, they would be read one group at a time
        policies.fetch(
            [
                "active",
                "section_id",
                "type_ids",
                "priority",
                "tag_ids",
                "time_first_response",
                "time_resolution",
                "at_risk_percent",
            ]
        )
        for sla in policies:
            by_section.setdefault(sla.section_id.id, self.browse())
            by_section[sla.section_id.id] |= sla
        result = {}
        for case in cases:
            result[case] = self.browse()
            if not case.section_id:
                continue
            for section_id in reversed(case.section_id._get_ancestor_ids()):
                matching = by_section.get(section_id, self.browse()).filtered(
                    lambda sla, case=case: sla._matches(case)
                )
                if matching:
                    result[case] = matching
                    break
        return result
