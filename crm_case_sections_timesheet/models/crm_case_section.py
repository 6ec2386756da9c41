# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import defaultdict

from odoo import fields, models

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"


class CrmCaseSection(models.Model):
    _inherit = "crm.case.section"

    project_id = fields.Many2one(
        "project.project",
        check_company=True,
        domain="[('allow_timesheets', '=', True)]",
        help="Project on which the time spent on the cases of the section is "
        "logged. Empty: the project of the parent section.",
    )
    timesheet_hours = fields.Float(
        "Hours Spent",
        compute="_compute_timesheet_hours",
        groups=TIMESHEET_USER,
        help="Hours logged on the cases of the section and of all its sub-sections.",
    )

    def _compute_timesheet_hours(self):
        """The hours of the cases of each section's subtree: one query
        grouped by section (``child_of`` reads ``parent_path``), folded up
        along ``parent_path`` as the case counts are. The user's record
        rules apply: he sums the cases he may open."""
        self.timesheet_hours = 0.0
        sections = self.filtered("id")
        if not sections:
            return
        groups = self.env["crm.case"]._read_group(
            [("section_id", "child_of", sections.ids)],
            ["section_id"],
            ["effective_hours:sum"],
        )
        totals = defaultdict(float)
        for section, hours in groups:
            for ancestor_id in section._get_ancestor_ids():
                totals[ancestor_id] += hours
        for section in sections:
            section.timesheet_hours = totals[section.id]

    def _get_project(self):
        """The section's project, or the nearest one up the tree."""
        if not self:
            return self.env["project.project"]
        self.ensure_one()
        ancestors = self.browse(reversed(self._get_ancestor_ids()))
        return next(
            (section.project_id for section in ancestors if section.project_id),
            self.project_id,
        )
