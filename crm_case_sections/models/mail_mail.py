# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models


class MailMail(models.Model):
    _inherit = "mail.mail"

    @api.model_create_multi
    def create(self, vals_list):
        """``mail_references`` in the context, ``{case id: Message-Id}``,
        threads the mails a case's template generates under the mails they
        answer: ``mail.template.send_mail_batch`` gives every mail of a batch
        the same extra values."""
        references = self.env.context.get("mail_references")
        if references:
            for vals in vals_list:
                if vals.get("model") == "crm.case" and not vals.get("references"):
                    vals["references"] = references.get(vals.get("res_id"))
        return super().create(vals_list)
