# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .crm_case_section import TIMESHEET_USER


class CrmCase(models.Model):
    _inherit = "crm.case"

    # time is the company's business: customers on the portal and employees
    # without timesheet rights never read it
    timesheet_ids = fields.One2many(
        "account.analytic.line", "case_id", "Timesheets", groups=TIMESHEET_USER
    )
    effective_hours = fields.Float(
        "Hours Spent",
        compute="_compute_effective_hours",
        compute_sudo=True,
        store=True,
        # in the INSERT: a new case (e.g. from the gateway) costs no query more
        precompute=True,
        groups=TIMESHEET_USER,
        help="Hours logged on the case.",
    )
    timesheet_project_id = fields.Many2one(
        "project.project",
        compute="_compute_timesheet_project_id",
        help="Project of the section, or of the nearest parent section that "
        "has one: the time spent on the case is logged on it.",
    )

    @api.depends("timesheet_ids.unit_amount")
    def _compute_effective_hours(self):
        if not any(self._ids):
            for case in self:
                case.effective_hours = sum(case.timesheet_ids.mapped("unit_amount"))
            return
        hours = dict(
            self.env["account.analytic.line"]._read_group(
                [("case_id", "in", self.ids)], ["case_id"], ["unit_amount:sum"]
            )
        )
        for case in self:
            case.effective_hours = hours.get(case, 0.0)

    @api.depends("section_id.project_id", "section_id.parent_path")
    def _compute_timesheet_project_id(self):
        for case in self:
            case.timesheet_project_id = case.section_id._get_project()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_timesheets(self):
        # sudo: lines the user may not read still hold the time of the case
        if (
            self.env["account.analytic.line"]
            .sudo()
            .search_count([("case_id", "in", self.ids)], limit=1)
        ):
            raise UserError(
                self.env._(
                    "A case with time logged on it cannot be deleted: archive it "
                    "instead."
                )
            )
