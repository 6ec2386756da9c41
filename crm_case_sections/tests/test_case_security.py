# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import users

from .common import CaseCommon, new_case_user, new_section


class TestCaseSecurity(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.case_support = cls._new_case(cls.support, name="Support top")
        cls.case_first_level = cls._new_case(cls.first_level, name="Support deep")
        cls.case_opportunity = cls._new_case(cls.web_opportunities, name="Quote")
        cls.other_company = cls.env["res.company"].create({"name": "Oil Portugal"})
        cls.lisbon = new_section(cls.env, "Lisbon", company_id=cls.other_company.id)
        cls.case_lisbon = cls._new_case(cls.lisbon, name="Lisbon case")
        cls.user_lisbon = new_case_user(
            cls.env,
            "case_lisbon",
            "Luis Lisbon",
            manager=True,
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )
        cls.all_cases = (
            cls.case_support
            | cls.case_first_level
            | cls.case_opportunity
            | cls.case_lisbon
        )

    def _visible_cases(self):
        return self.env["crm.case"].search([("id", "in", self.all_cases.ids)])

    @users("case_support")
    def test_support_user_sees_support_tree_only(self):
        self.assertEqual(
            self._visible_cases(), self.case_support | self.case_first_level
        )

    @users("case_support")
    def test_support_user_cannot_read_opportunity(self):
        with self.assertRaises(AccessError):
            self.case_opportunity.with_env(self.env).read(["name"])

    @users("case_sales")
    def test_sales_user_sees_opportunities_only(self):
        self.assertEqual(self._visible_cases(), self.case_opportunity)

    @users("case_sales")
    def test_sales_user_cannot_write_support_case(self):
        with self.assertRaises(AccessError):
            self.case_support.with_env(self.env).write({"name": "Hijacked"})

    @users("case_support")
    def test_user_works_cases_of_his_sections(self):
        case = self.case_first_level.with_env(self.env)
        case.write({"priority": "2", "stage_id": self.stage_done.id})
        self.assertEqual(case.priority, "2")
        created = self.env["crm.case"].create(
            {"name": "New in hardware", "section_id": self.hardware.id}
        )
        self.assertEqual(created.user_id, self.user_support)

    @users("case_support")
    def test_user_cannot_delete_cases(self):
        with self.assertRaises(AccessError):
            self.case_support.with_env(self.env).unlink()

    @users("case_sales")
    def test_user_sees_case_assigned_to_him_elsewhere(self):
        self.case_first_level.sudo().user_id = self.user_sales
        self.assertEqual(
            self._visible_cases(), self.case_opportunity | self.case_first_level
        )

    def test_joining_a_section_opens_its_cases(self):
        self.opportunities.member_ids = [(4, self.user_support.id)]
        visible = (
            self.env["crm.case"]
            .with_user(self.user_support)
            .search([("id", "in", self.all_cases.ids)])
        )
        self.assertIn(self.case_opportunity, visible)

    @users("case_manager")
    def test_manager_sees_every_case_of_his_company(self):
        self.assertEqual(
            self._visible_cases(),
            self.case_support | self.case_first_level | self.case_opportunity,
        )

    @users("case_lisbon")
    def test_other_company_sees_only_its_cases(self):
        self.assertEqual(self._visible_cases(), self.case_lisbon)

    @users("case_lisbon")
    def test_other_company_cannot_read_main_company_case(self):
        with self.assertRaises(AccessError):
            self.case_support.with_env(self.env).read(["name"])

    @users("case_support")
    def test_user_cannot_change_configuration(self):
        with self.assertRaises(AccessError):
            self.env["crm.case.section"].create({"name": "Rogue section"})
        with self.assertRaises(AccessError):
            self.support.with_env(self.env).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.env["crm.case.type"].create({"name": "Rogue type"})
        with self.assertRaises(AccessError):
            self.stage_new.with_env(self.env).write({"fold": True})

    @users("case_support")
    def test_user_reads_the_section_tree(self):
        sections = self.env["crm.case.section"].search([])
        self.assertIn(self.opportunities, sections)
        self.assertNotIn(self.lisbon, sections)

    @users("case_manager")
    def test_manager_configures_sections(self):
        section = self.env["crm.case.section"].create(
            {"name": "Second level", "parent_id": self.website.id}
        )
        self.assertEqual(section.complete_name, "Support / Web site / Second level")

    def _visible_to_support(self):
        return (
            self.env["crm.case"]
            .with_user(self.user_support)
            .search([("id", "in", self.all_cases.ids)])
        )

    def test_leaving_a_section_hides_its_cases_at_once(self):
        (self.case_support | self.case_first_level).user_id = self.user_manager
        # the rule's domain is cached with the user's section ids in it
        self.assertIn(self.case_first_level, self._visible_to_support())
        self.registry.cache_invalidated.clear()
        self.user_support.write({"case_section_ids": [(3, self.support.id)]})
        self.support.user_id = False
        # every worker drops its cached rules at the end of this request
        self.assertIn("default", self.registry.cache_invalidated)
        self.assertFalse(self._visible_to_support())

    def test_joining_from_the_user_side_shows_cases_at_once(self):
        self.assertNotIn(self.case_opportunity, self._visible_to_support())
        self.registry.cache_invalidated.clear()
        self.user_support.write({"case_section_ids": [(4, self.opportunities.id)]})
        self.assertIn("default", self.registry.cache_invalidated)
        self.assertIn(self.case_opportunity, self._visible_to_support())
