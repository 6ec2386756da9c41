# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon

VIEW_TYPES = ("list", "kanban", "form", "calendar", "pivot", "graph", "search")


class TestCaseViews(CaseCommon):
    def test_case_views_render(self):
        views = self.env["crm.case"].get_views([(False, view) for view in VIEW_TYPES])
        self.assertEqual(set(views["views"]), set(VIEW_TYPES))

    def test_section_form(self):
        form = Form(self.env["crm.case.section"])
        form.name = "Second level"
        form.parent_id = self.website
        form.escalation_delay_hours = 4
        section = form.save()
        self.assertEqual(section.complete_name, "Support / Web site / Second level")
        self.assertEqual(section.reminder_delay_hours, 24)

    def test_type_form(self):
        form = Form(self.env["crm.case.type"])
        form.name = "Complaint"
        form.kind = "support"
        form.section_id = self.hardware
        self.assertEqual(form.save().section_id, self.hardware)

    def test_stage_form(self):
        form = Form(self.env["crm.case.stage"])
        form.name = "Waiting for parts"
        form.section_ids.add(self.hardware)
        stage = form.save()
        self.assertTrue(stage._applies_to(self.hardware))
        self.assertFalse(stage._applies_to(self.opportunities))

    def test_case_form_shows_both_tabs(self):
        arch = self.env["crm.case"].get_view(view_type="form")["arch"]
        for name in ("general", "extra"):
            self.assertIn(f'name="{name}"', arch)
        for field in ("email_cc", "channel_id", "ref", "ref2", "expected_revenue"):
            self.assertIn(f'name="{field}"', arch)
        self.assertIn('name="action_escalate"', arch)

    def test_every_menu_action_opens(self):
        root = self.env.ref("crm_case_sections.menu_crm_case_root")
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id)])
        menus |= self.env.ref("crm_case_sections.menu_crm_case_opportunity")
        actions = [menu.action for menu in menus if menu.action]
        # cases: all, mine, by section, overview, next meetings; analysis;
        # sections, types, stages, service levels, channels, ready answers,
        # unprocessed mail, blocked senders; opportunities
        self.assertEqual(len(actions), 15)
        for action in actions:
            values = action._get_action_dict()
            model = self.env[values["res_model"]].with_user(self.user_manager)
            modes = values["view_mode"].split(",")
            views = model.get_views([(False, mode) for mode in [*modes, "search"]])
            self.assertEqual(set(views["views"]), set(modes) | {"search"})
            model.search(safe_eval(values.get("domain") or "[]"), limit=5)

    def test_cases_by_section_rows_open_cases(self):
        view = self.env.ref("crm_case_sections.crm_case_section_view_list_cases")
        self.assertIn('action="action_open_cases"', view.arch)
        self._new_case(self.first_level)
        action = self.env.ref("crm_case_sections.crm_case_section_action_cases")
        # the tree first, then the same figures as a list
        self.assertEqual(
            action.view_ids.mapped("view_id"),
            self.env.ref("crm_case_sections.crm_case_section_view_hierarchy") | view,
        )
        rows = self.env["crm.case.section"].search_read(
            [("id", "=", self.support.id)], ["open_case_count", "case_count"]
        )
        self.assertEqual(rows[0]["case_count"], 1)

    def test_menu_names_for_users(self):
        menus = (
            self.env["ir.ui.menu"].with_user(self.user_support).load_menus(debug=False)
        )
        names = {
            menu["name"]
            for menu in menus.values()
            if isinstance(menu, dict) and "name" in menu
        }
        self.assertTrue(
            {"Helpdesk", "All Cases", "My Cases", "Cases by Section"} <= names
        )
        self.assertNotIn(
            "Configuration",
            {
                m["name"]
                for m in menus.values()
                if isinstance(m, dict)
                and m.get("xmlid") == "crm_case_sections.menu_crm_case_config"
            },
        )

    def test_escalate_button_only_where_something_is_above(self):
        arch = self.env["crm.case"].get_view(view_type="form")["arch"]
        self.assertIn('name="action_escalate"', arch)
        self.assertRegex(
            arch,
            r'name="action_escalate"[^>]*invisible="is_closed or not is_escalable"',
        )
        top = self._new_case(self.support)
        below = self._new_case(self.first_level)
        self.assertFalse(top.is_escalable)
        self.assertTrue(below.is_escalable)
        self.support.escalation_section_id = self.opportunities
        self.assertTrue(top.is_escalable)
