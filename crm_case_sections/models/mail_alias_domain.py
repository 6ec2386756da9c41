# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models, tools


class MailAliasDomain(models.Model):
    _inherit = "mail.alias.domain"

    @api.model_create_multi
    def create(self, vals_list):
        domains = super().create(vals_list)
        self.env.registry.clear_cache()  # _get_own_addresses
        return domains

    def write(self, vals):
        res = super().write(vals)
        if {"name", "bounce_alias", "catchall_alias"} & vals.keys():
            self.env.registry.clear_cache()  # _get_own_addresses
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # _get_own_addresses
        return res

    @api.model
    @tools.ormcache()
    def _get_own_addresses(self):
        """``{domain name: (catchall address, bounce address)}`` of every alias
        domain. Cached: the gateway checks every incoming mail's addresses
        against them, and they seldom change."""
        return {
            domain.name: (domain.catchall_email, domain.bounce_email)
            for domain in self.sudo().search([])
        }
