# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    case_section_ids = fields.Many2many(
        "crm.case.section",
        "crm_case_section_member_rel",
        "user_id",
        "section_id",
        string="Case Sections",
        help="Sections this user is a member of.",
    )
    case_section_responsible_ids = fields.One2many(
        "crm.case.section", "user_id", string="Responsible of Sections"
    )
    case_section_tree_ids = fields.Many2many(
        "crm.case.section",
        compute="_compute_case_section_tree_ids",
        help="The sections the user belongs to or is responsible of, and all "
        "their sub-sections: those whose cases he works.",
    )

    @api.depends("case_section_ids", "case_section_responsible_ids")
    def _compute_case_section_tree_ids(self):
        # sudo, active_test: the tree as child_of reads it; the case record
        # rule lists these ids, so that PostgreSQL finds a user's cases by
        # index instead of testing every case against a sub-query
        Section = self.env["crm.case.section"].sudo().with_context(active_test=False)
        for user in self:
            user_sudo = user.sudo()
            sections = (
                user_sudo.case_section_ids | user_sudo.case_section_responsible_ids
            )
            user.case_section_tree_ids = (
                Section.search([("id", "child_of", sections.ids)])
                if sections
                else Section
            )

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if any(vals.get("case_section_ids") for vals in vals_list):
            self.env.registry.clear_cache()
        return users

    def write(self, vals):
        res = super().write(vals)
        if {"case_section_ids", "case_section_responsible_ids"} & vals.keys():
            # the case record rules read the user's sections and are cached
            # by every worker: clearing signals them all at the end of the
            # request
            self.env.registry.clear_cache()
        return res
