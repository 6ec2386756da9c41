# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

# as crm's AVAILABLE_PRIORITIES in crm_stage.py: Odoo's stars
PRIORITIES = [
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Very High"),
]


class CrmCaseStage(models.Model):
    _name = "crm.case.stage"
    _description = "Case Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    fold = fields.Boolean(
        "Folded in Kanban", help="Folded stages are collapsed in the kanban view."
    )
    is_closed = fields.Boolean(
        "Closing Stage",
        help="Cases in this stage are done: they no longer count " "as open.",
    )
    section_ids = fields.Many2many(
        "crm.case.section",
        "crm_case_stage_section_rel",
        "stage_id",
        "section_id",
        string="Sections",
        help="Sections that use this stage. Empty: every section.",
    )
    description = fields.Text(translate=True)
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'crm.case')]",
        help="Sent to the customer and the watchers of a case when it enters "
        "this stage.",
    )

    is_waiting_for_customer = fields.Boolean(
        "Waiting for the Customer",
        help="Cases in this stage wait on the customer: in the sections that "
        "say so, he is reminded, then the case is closed, when he gives no "
        "word for a while.",
    )

    def _applies_to(self, section):
        """Whether this stage can hold the cases of ``section``."""
        self.ensure_one()
        if not self.section_ids:
            return True
        return bool(section) and any(
            section.parent_path.startswith(stage_section.parent_path)
            for stage_section in self.section_ids
        )
