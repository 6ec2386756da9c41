# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    case_id = fields.Many2one(
        "crm.case",
        index="btree_not_null",
        help="Case the time was spent on.",
    )

    @api.constrains("case_id", "project_id")
    def _check_case_project(self):
        for line in self:
            if line.case_id and not line.project_id:
                raise ValidationError(self._case_project_error(line.case_id))

    @api.onchange("case_id")
    def _onchange_case_id(self):
        if self.case_id:
            self.project_id = self.case_id.timesheet_project_id

    @api.model_create_multi
    def create(self, vals_list):
        self._check_case_access(vals_list)
        # before hr_timesheet's create: only a line with a project is a
        # timesheet, given its employee, accounts and unit
        without_project = [
            vals
            for vals in vals_list
            if vals.get("case_id") and not vals.get("project_id")
        ]
        # browsed together: their sections are read at once
        cases = self.env["crm.case"].browse(vals["case_id"] for vals in without_project)
        for vals, case in zip(without_project, cases, strict=True):
            project = case.timesheet_project_id
            if not project:
                raise ValidationError(self._case_project_error(case))
            vals["project_id"] = project.id
        return super().create(vals_list)

    def write(self, vals):
        self._check_case_access([vals])
        return super().write(vals)

    @api.model
    def _check_case_access(self, vals_list):
        """Time is logged only on a case its author may open: the case's
        hours (computed as superuser) would otherwise count time on a case
        of another department, given with a project he may use."""
        cases = self.env["crm.case"].browse(
            {vals["case_id"] for vals in vals_list if vals.get("case_id")}
        )
        cases.check_access("read")

    def _case_project_error(self, case):
        return self.env._(
            "Choose a project for the section %(section)s to log time on the "
            "case %(case)s.",
            section=case.section_id.display_name,
            case=case.display_name,
        )
