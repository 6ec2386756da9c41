# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Case users may create cases in any department (a hand-over): the
    user rule, kept as data users may edit, stops restricting creation."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("crm_case_sections.crm_case_rule_user", raise_if_not_found=False)
    if rule:
        rule.perm_create = False
