# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import Form, TransactionCase
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon, load_spanish


class TestCaseNamesSpanish(CaseCommon):
    """Section paths, stages, types and channels read in the user's language
    wherever the path is shown or searched."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_spanish(cls.env, ["mail", "crm_case_sections"])
        cls.user_manager.lang = "es_ES"
        cls.es_env = cls.env(user=cls.user_manager, context={"lang": "es_ES"})

    def test_path_follows_the_language(self):
        self.support.update_field_translations("name", {"es_ES": "Soporte"})
        self.hardware.update_field_translations("name", {"es_ES": "Averías"})
        hardware = self.hardware.with_env(self.es_env)
        self.assertEqual(hardware.complete_name, "Soporte / Averías")
        self.assertEqual(hardware.display_name, "Soporte / Averías")
        self.assertEqual(
            self.hardware.with_context(lang="en_US").complete_name, "Support / Hardware"
        )
        found = self.es_env["crm.case.section"].name_search("soporte / aver")
        self.assertEqual([section_id for section_id, _name in found], hardware.ids)
        # a list of cases as the web client reads it
        case = self._new_case(self.hardware)
        rows = self.es_env["crm.case"].web_search_read(
            [("id", "=", case.id)], {"section_id": {"fields": {"display_name": {}}}}
        )["records"]
        self.assertEqual(rows[0]["section_id"]["display_name"], "Soporte / Averías")

    def test_parent_renamed_in_its_form_renames_the_subtree(self):
        with Form(self.support) as form:
            form.name = "Supp2"
        self.assertEqual(self.website.complete_name, "Supp2 / Web site")

    def test_renamed_in_spanish_keeps_the_english_path(self):
        with Form(self.support.with_env(self.es_env)) as form:
            form.name = "Soporte"
        website = self.website.with_env(self.es_env)
        self.assertEqual(website.complete_name, "Soporte / Web site")
        self.assertEqual(
            self.website.with_context(lang="en_US").complete_name, "Support / Web site"
        )

    def test_new_section_named_in_spanish(self):
        with Form(self.es_env["crm.case.section"]) as form:
            form.name = "Bombas"
            form.parent_id = self.support.with_env(self.es_env)
        self.assertEqual(form.record.complete_name, "Support / Bombas")
        self.assertEqual(
            form.record.with_context(lang="en_US").complete_name, "Support / Bombas"
        )

    def test_chatter_and_records_read_in_spanish(self):
        with Form(self.es_env["crm.case"]) as form:
            form.name = "La bomba gotea"
            form.section_id = self.hardware.with_env(self.es_env)
        bodies = " ".join(form.record.message_ids.mapped("body"))
        self.assertIn("Caso creado", bodies)
        self.assertNotIn("Case created", bodies)
        meeting = self.env.ref("crm_case_sections.utm_medium_meeting")
        self.assertEqual(meeting.with_env(self.es_env).name, "Reunión")
        self.assertEqual(
            self.env.ref("crm_case_sections.stage_new").with_env(self.es_env).name,
            "Nuevo",
        )


class TestCaseDemoCompany(TransactionCase):
    """The demo is the Spanish industrial-oil distributor, with meetings in
    the coming days."""

    def test_demo_company_is_the_spanish_distributor(self):
        company = self.env.ref("base.main_company")
        self.assertEqual(company.name, "Distribuciones Aceites Industriales S.L.")
        self.assertEqual(company.alias_domain_id.name, "oil-distributor.example.com")
        self.assertTrue(self.env.ref("base.EUR").active)

    def test_support_agent_has_meetings_in_the_coming_days(self):
        support = self.env.ref("crm_case_sections.user_support")
        action = self.env["ir.actions.actions"]._for_xml_id(
            "crm_case_sections.crm_case_action_next_meetings"
        )
        today = fields.Datetime.to_datetime(fields.Date.today())
        cases = (
            self.env["crm.case"]
            .with_user(support)
            .search(
                [
                    *safe_eval(action["domain"]),  # the action's own domain
                    ("is_closed", "=", False),  # its default filter: open
                    ("date_action_next", ">=", today),
                    ("date_action_next", "<", today + timedelta(days=2)),
                ]
            )
        )
        self.assertGreaterEqual(len(cases), 2)
