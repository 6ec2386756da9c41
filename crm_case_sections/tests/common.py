# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


class CaseCommon(TransactionCase):
    """Two departments, Support and Opportunities, each with a sub-tree, a
    user working each one, a manager, and a second company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.user_manager = mail_new_test_user(
            cls.env,
            login="case_manager",
            name="Marta Manager",
            groups="base.group_user,crm_case_sections.group_case_manager",
        )
        cls.user_support = mail_new_test_user(
            cls.env,
            login="case_support",
            name="Sergio Support",
            groups="base.group_user,crm_case_sections.group_case_user",
        )
        cls.user_sales = mail_new_test_user(
            cls.env,
            login="case_sales",
            name="Olga Opportunities",
            groups="base.group_user,crm_case_sections.group_case_user",
        )
        Section = cls.env["crm.case.section"]
        cls.support = Section.create(
            {
                "name": "Support",
                "user_id": cls.user_support.id,
                "member_ids": [(6, 0, cls.user_support.ids)],
            }
        )
        cls.hardware = Section.create({"name": "Hardware", "parent_id": cls.support.id})
        cls.website = Section.create({"name": "Web site", "parent_id": cls.support.id})
        cls.first_level = Section.create(
            {"name": "First level", "parent_id": cls.website.id}
        )
        cls.opportunities = Section.create(
            {
                "name": "Opportunities",
                "user_id": cls.user_sales.id,
                "member_ids": [(6, 0, cls.user_sales.ids)],
            }
        )
        cls.web_opportunities = Section.create(
            {"name": "Web", "parent_id": cls.opportunities.id}
        )
        cls.type_support = cls.env["crm.case.type"].create(
            {"name": "Test support", "kind": "support", "section_id": cls.support.id}
        )
        cls.type_opportunity = cls.env["crm.case.type"].create(
            {
                "name": "Test opportunity",
                "kind": "opportunity",
                "section_id": cls.opportunities.id,
            }
        )
        cls.stage_new = cls.env.ref("crm_case_sections.stage_new")
        cls.stage_done = cls.env.ref("crm_case_sections.stage_done")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Oil Buyer", "email": "buyer@oil.example.com", "phone": "+34 600"}
        )

    @classmethod
    def _new_case(cls, section, name="A case", **values):
        return cls.env["crm.case"].create(
            dict(values, name=name, section_id=section.id)
        )
