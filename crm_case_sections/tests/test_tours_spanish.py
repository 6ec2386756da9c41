# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import load_spanish, new_case_user


class SpanishTourCase(HttpCase):
    """Spanish active with the terms of every installed addon, as a Spanish
    database has them: a screen shows English only where a term is missing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_spanish(cls.env, None)


@tagged("post_install", "-at_install")
class TestRoleToursSpanish(SpanishTourCase):
    """Each role walks its screens in Spanish through the menus: a tour fails
    on English words on the screen, on a counter that disagrees with its
    list, and on any console error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.customer = ref("crm_case_sections.user_portal_carmen")
        cls.agent = ref("crm_case_sections.user_support")
        cls.manager = new_case_user(
            cls.env, "tour_es_manager", "Marta Gerente", manager=True
        )
        (cls.customer | cls.agent | cls.manager).lang = "es_ES"

    def test_console_error_fails_a_tour(self):
        with (
            mute_logger("odoo.tests.common"),
            self.assertRaises(AssertionError),
        ):
            self.browser_js(
                "/odoo",
                "console.error('A broken screen')",
                "odoo.isReady === true",
                login="tour_es_manager",
                timeout=60,
            )

    def test_portal_customer(self):
        self.start_tour("/my", "crm_case_sections_role_portal_es", login="carmen")
        message = self.env["mail.message"].search(
            [("body", "ilike", "placa de la bomba")]
        )
        self.assertEqual(message.author_id, self.customer.partner_id)
        self.assertEqual(message.model, "crm.case")

    def test_support_agent(self):
        self.start_tour("/odoo", "crm_case_sections_role_agent_es", login="support")

    def test_support_agent_reads_her_department(self):
        """The Spanish paths of the sections (finding 11) and the open and
        late counters opening what they count (finding 6)."""
        self.start_tour(
            "/odoo", "crm_case_sections_role_agent_names_es", login="support"
        )

    def test_manager(self):
        self.start_tour(
            "/odoo", "crm_case_sections_role_manager_es", login="tour_es_manager"
        )

    def test_manager_sets_a_service_level_for_a_section(self):
        """The section field of the service level (finding 1) and the Spanish
        names of sections and service levels (finding 11)."""
        self.start_tour(
            "/odoo",
            "crm_case_sections_role_manager_section_es",
            login="tour_es_manager",
        )
        policy = self.env["crm.case.sla"].search([("name", "=", "Bombas urgentes")])
        self.assertEqual(
            policy.section_id, self.env.ref("crm_case_sections.section_support")
        )
