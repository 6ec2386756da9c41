# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How long a section's cases may wait on a silent customer before they
are closed."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmCaseSectionAutoCloseMixin(models.AbstractModel):
    _name = "crm.case.section.auto.close.mixin"
    _description = "Section Auto-close"

    auto_close_reminder_days = fields.Integer(
        "Remind After (working days)",
        help="Working days a case waiting on the customer may stay without "
        "word from him before he is reminded.",
    )
    auto_close_days = fields.Integer(
        "Close After (working days)",
        help="Working days after the reminder before a case still without "
        "word from the customer is closed, with a last mail saying so. "
        "0: as the parent section; no section with a value: never closed.",
    )

    @api.constrains("auto_close_reminder_days", "auto_close_days")
    def _check_auto_close_days(self):
        if any(
            section.auto_close_reminder_days < 0 or section.auto_close_days < 0
            for section in self
        ):
            raise ValidationError(
                self.env._("The auto-close delays cannot be negative.")
            )

    def _get_auto_close_delays(self):
        """``(reminder days, closing days)`` of the nearest section up the
        tree that closes its cases waiting on the customer; None when none
        does."""
        section = self._get_setting_section("auto_close_days")
        if not section.auto_close_days:
            return None
        return section.auto_close_reminder_days, section.auto_close_days
