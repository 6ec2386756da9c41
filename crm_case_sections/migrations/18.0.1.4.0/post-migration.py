# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api

OLD_DOMAIN = (
    "['|', ('user_id', '=', user.id), ('section_id', 'child_of', "
    "user.case_section_ids.ids + user.case_section_responsible_ids.ids)]"
)
NEW_DOMAIN = (
    "['|', ('user_id', '=', user.id), "
    "('section_id', 'in', user.case_section_tree_ids.ids)]"
)


def migrate(cr, version):
    """The case users' rule names their sections and sub-sections, which
    PostgreSQL finds by index; a rule edited by the company is left as is."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("crm_case_sections.crm_case_rule_user", raise_if_not_found=False)
    if rule and rule.domain_force == OLD_DOMAIN:
        rule.domain_force = NEW_DOMAIN
