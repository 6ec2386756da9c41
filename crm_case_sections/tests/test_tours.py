# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import load_spanish, new_case_user, new_portal_user, new_section


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    """What people do in the browser, in headless Chromium: Customer Care
    handles requests, Key Accounts / Renewals handles renewal offers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_case_user(
            cls.env, "tour_manager", "Marta Manager", manager=True
        )
        cls.agent = new_case_user(cls.env, "tour_agent", "Sergio Agent")
        cls.customer = new_portal_user(
            cls.env, "tour_customer", "Ana Customer", email="ana@acme.example.com"
        )
        cls.care = new_section(
            cls.env, "Customer Care", user=cls.agent, portal_open=True
        )
        # the agent works Key Accounts' cases, for the manager
        cls.key_accounts = new_section(
            cls.env, "Key Accounts", user_id=cls.manager.id, member_ids=cls.agent.ids
        )
        cls.renewals = new_section(
            cls.env, "Renewals", parent=cls.key_accounts, user_id=cls.agent.id
        )
        cls.env["crm.case.type"].create(
            {
                "name": "Renewal offer",
                "kind": "opportunity",
                "section_id": cls.renewals.id,
            }
        )

    def test_manager_builds_a_section_and_a_user_works_a_case(self):
        self.start_tour("/odoo", "crm_case_sections_section_tour", login="tour_manager")
        printers = self.env["crm.case.section"].search([("name", "=", "Printers")])
        self.assertEqual(printers.parent_id, self.care)
        self.assertEqual(printers.alias_name, "printers-tour")
        self.assertEqual(printers.alias_contact, "partners")

        self.start_tour("/odoo", "crm_case_sections_case_tour", login="tour_agent")
        case = self.env["crm.case"].search(
            [("name", "=", "Printer jams on every page")]
        )
        self.assertEqual(len(case), 1)
        self.assertEqual(case.section_id, self.key_accounts)
        self.assertEqual(case.user_id, self.manager)
        self.assertEqual(case.priority, "1")
        self.assertEqual(case.email_cc, "boss@acme.example.com")
        bodies = " ".join(case.message_ids.mapped(lambda message: str(message.body)))
        self.assertIn("Key Accounts / Renewals", bodies)
        self.assertIn("Escalated", bodies)

    def test_portal_customer_opens_a_case_and_answers(self):
        self.start_tour("/my", "crm_case_sections_portal_tour", login="tour_customer")
        case = self.env["crm.case"].search(
            [("name", "=", "Gearbox noise at high speed")]
        )
        self.assertEqual(len(case), 1)
        self.assertEqual(case.partner_id, self.customer.partner_id)
        self.assertEqual(case.section_id, self.care)
        answer = case.message_ids.filtered(
            lambda message: "photo of the gearbox plate" in str(message.body)
        )
        self.assertEqual(answer.author_id, self.customer.partner_id)
        self.assertEqual(answer.message_type, "comment")

    def test_spanish_interface(self):
        load_spanish(self.env)
        self.agent.lang = "es_ES"
        new_section(self.env, "Printers", parent=self.care)
        self.start_tour("/odoo", "crm_case_sections_spanish_tour", login="tour_agent")
        case = self.env["crm.case"].search([("name", "=", "La bomba pierde aceite")])
        self.assertEqual(case.section_id, self.care)
        self.assertEqual(case.priority, "1")


@tagged("post_install", "-at_install")
class TestHandoverTours(HttpCase):
    """The demo company's first-level staff hand cases over and escalate them
    in the browser: `support` (Support only) and a member of Support / Web
    site / First level only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.support_user = ref("crm_case_sections.user_support")
        cls.first_level = ref("crm_case_sections.section_support_website_l1")
        cls.leaf_agent = new_case_user(cls.env, "tour_leaf", "Lea Leaf")
        cls.first_level.member_ids = [(6, 0, cls.leaf_agent.ids)]
        Case = cls.env["crm.case"]
        cls.quote = Case.create(
            {
                "name": "Customer asks for a quote",
                "section_id": ref("crm_case_sections.section_support_hardware").id,
            }
        )
        cls.login_case = Case.create(
            {"name": "Web shop login fails", "section_id": cls.first_level.id}
        )

    def _notes(self, case):
        return " ".join(case.message_ids.mapped(lambda message: str(message.body)))

    def test_support_hands_a_case_to_opportunities(self):
        self.start_tour("/odoo", "crm_case_sections_handover_tour", login="support")
        opportunities = self.env.ref("crm_case_sections.section_opportunities")
        self.assertEqual(self.quote.section_id, opportunities)
        self.assertEqual(self.quote.user_id, self.env.ref("base.user_demo"))
        self.assertEqual(self.quote.kind, "opportunity")
        self.assertIn(
            "Transferred from Support / Hardware problem to Opportunities by "
            "Sofia Ortega",
            self._notes(self.quote),
        )
        self.assertFalse(self.quote.with_user(self.support_user).has_access("read"))

    def test_first_level_escalates_to_the_level_above(self):
        self.start_tour("/odoo", "crm_case_sections_escalation_tour", login="tour_leaf")
        website = self.env.ref("crm_case_sections.section_support_website")
        self.assertEqual(self.login_case.section_id, website)
        self.assertEqual(self.login_case.priority, "1")
        self.assertIn(
            "Escalated from Support / Web site / First level to Support / Web site "
            "by Lea Leaf",
            self._notes(self.login_case),
        )


@tagged("post_install", "-at_install")
class TestOverviewTours(HttpCase):
    """The sections tree and the departments' overview, as a member of
    Customer Care, in English and in Spanish."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.member = new_case_user(cls.env, "tour_care", "Carla Care")
        cls.care = new_section(cls.env, "Care", member_ids=cls.member.ids)
        cls.printers = new_section(cls.env, "Printers", parent=cls.care)
        Case = cls.env["crm.case"]
        Case.create(
            [
                {"name": "Toner leak", "section_id": cls.printers.id, "priority": "3"},
                {"name": "Paper jam", "section_id": cls.printers.id},
                {"name": "Login fails", "section_id": cls.care.id},
            ]
        )

    def test_tree_and_overview(self):
        self.assertEqual(self.care.open_case_count, 3)
        self.assertEqual(self.care.urgent_case_count, 1)
        self.start_tour("/odoo", "crm_case_sections_overview_tour", login="tour_care")

    def test_tree_and_overview_in_spanish(self):
        load_spanish(self.env)
        self.member.lang = "es_ES"
        self.start_tour(
            "/odoo", "crm_case_sections_overview_tour_es", login="tour_care"
        )
