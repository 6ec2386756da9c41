# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from itertools import pairwise

from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon, GatewayCommon, new_case_user


class TestCaseConfiguration(CaseCommon):
    """A case manager configures sections, service levels and channels from
    their forms, as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager_env = cls.env(user=cls.user_manager)

    def test_service_level_from_scratch_finds_and_creates_sections(self):
        Sla = self.manager_env["crm.case.sla"]
        domain = Sla.fields_get(["section_id"], ["domain"])["section_id"].get("domain")
        if isinstance(domain, str):  # evaluated on the new, empty policy
            domain = safe_eval(domain, {"company_id": False, "id": False})
        found = self.manager_env["crm.case.section"].name_search(
            "Hardware", domain or []
        )
        self.assertIn(self.hardware.id, [section_id for section_id, _name in found])
        with Form(Sla) as form:
            form.name = "Answer hardware in 4 hours"
            form.section_id = self.hardware.with_env(self.manager_env)
            form.time_first_response = 4
        self.assertEqual(form.record.section_id, self.hardware)
        self.assertEqual(form.record.company_id, self.hardware.company_id)
        # "Create..." from the field: a section named as typed
        section_id, name = self.manager_env["crm.case.section"].name_create("Pumps")
        self.assertEqual(name, "Pumps")
        self.assertEqual(self.env["crm.case.section"].browse(section_id).name, "Pumps")

    def test_sub_section_starts_as_its_parent(self):
        self.support.write(
            {"portal_open": True, "default_type_id": self.type_support.id}
        )
        with Form(self.manager_env["crm.case.section"]) as form:
            form.name = "Pumps and dispensers"
            form.parent_id = self.support.with_env(self.manager_env)
            self.assertEqual(form.user_id, self.user_support)
            self.assertEqual(form.default_type_id, self.type_support)
            self.assertTrue(form.portal_open)
            form.portal_open = False  # still the manager's to change
        section = form.record
        self.assertEqual(section.user_id, self.user_support)
        self.assertEqual(section.default_type_id, self.type_support)
        self.assertFalse(section.portal_open)
        self.assertEqual(section.complete_name, "Support / Pumps and dispensers")

    def test_sections_list_follows_the_tree(self):
        Section = self.manager_env["crm.case.section"]
        with Form(Section) as form:
            form.name = "Aaa pumps"
            form.parent_id = self.support.with_env(self.manager_env)
        arch = Section.get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertNotIn('widget="handle"', arch, "a handle would order by sequence")
        self.assertIn('default_order="sort_path, id"', arch)
        sections = Section.search(
            [("id", "child_of", (self.support | self.opportunities).ids)],
            order="sort_path, id",
        )
        paths = sections.mapped("complete_name")
        for before, after in pairwise(paths):
            # a section comes right after its parent or a section of its tree
            parent = after.rsplit(" / ", 1)[0]
            if parent != after:
                self.assertTrue(
                    before == parent or before.startswith(parent + " / "),
                    f"{after} listed after {before}",
                )
        self.assertIn("Support / Aaa pumps", paths)

    def test_channels_page_says_channels(self):
        menu = self.env.ref("crm_case_sections.menu_crm_case_channel")
        self.assertEqual(
            menu.action, self.env.ref("crm_case_sections.utm_medium_action_channel")
        )
        # what the web client loads when the manager clicks the menu
        action = self.manager_env["ir.actions.actions"]._for_xml_id(
            "crm_case_sections.utm_medium_action_channel"
        )
        self.assertEqual(action["res_model"], "utm.medium")
        self.assertEqual(action["name"], "Channels")
        views = self.manager_env["utm.medium"].get_views(action["views"])["views"]
        self.assertIn('string="Channel"', views["list"]["arch"])
        self.assertNotIn("Medium", views["list"]["arch"])

    def test_service_level_targets_read_as_hours(self):
        views = self.manager_env["crm.case.sla"].get_views(
            [(False, "list"), (False, "form")]
        )["views"]
        for view in views.values():
            self.assertNotIn("float_time", view["arch"])


class TestCaseConfigurationMail(GatewayCommon):
    def test_new_sub_section_alias_takes_the_company_domain(self):
        self.env.company.alias_domain_id = self.mail_alias_domain
        manager = new_case_user(self.env, "bombas_manager", "Marta", manager=True)
        Section = self.env(user=manager)["crm.case.section"]
        with Form(Section) as form:
            form.name = "Pumps and dispensers"
            form.parent_id = self.support.with_user(manager)
            form.alias_name = "bombas"
            self.assertEqual(form.alias_domain_id, self.mail_alias_domain)
        section = form.record
        self.assertEqual(section.alias_email, f"bombas@{self.alias_domain}")
        listed = Section.search_read([("id", "=", section.id)], ["alias_email"])
        self.assertEqual(listed[0]["alias_email"], f"bombas@{self.alias_domain}")
        mail = (
            self._raw("new_plain.eml")
            .replace(b"To: support@", b"To: bombas@")
            .replace(b"plain-0001@", b"bombas-0001@")
        )
        with self.mock_mail_gateway():
            self.env["mail.thread"].message_process(None, mail)
        case = self.env["crm.case"].search([("section_id", "=", section.id)])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.name, "The oil pump leaks at the coupling")
