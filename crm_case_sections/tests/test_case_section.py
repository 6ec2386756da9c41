# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form
from odoo.tools import mute_logger

from .common import CaseCommon


class TestCaseSection(CaseCommon):
    def test_display_name_is_full_path(self):
        self.assertEqual(self.hardware.display_name, "Support / Hardware")
        self.assertEqual(
            self.first_level.display_name, "Support / Web site / First level"
        )

    def test_rename_parent_renames_whole_subtree(self):
        self.support.name = "Customer care"
        self.assertEqual(
            self.first_level.complete_name, "Customer care / Web site / First level"
        )

    def test_move_section_updates_path_and_name(self):
        self.website.parent_id = self.opportunities
        self.assertEqual(
            self.first_level.complete_name, "Opportunities / Web site / First level"
        )
        self.assertTrue(
            self.first_level.parent_path.startswith(self.opportunities.parent_path)
        )

    def test_child_of_search_reaches_every_depth(self):
        found = self.env["crm.case.section"].search(
            [("id", "child_of", self.support.id)]
        )
        self.assertEqual(
            found, self.support | self.hardware | self.website | self.first_level
        )

    def test_section_cannot_be_its_own_parent(self):
        with self.assertRaisesRegex(
            ValidationError, "cannot be its own parent, nor be placed under"
        ):
            self.support.parent_id = self.support

    def test_cycle_through_descendant_is_refused(self):
        with self.assertRaisesRegex(
            ValidationError, "cannot be its own parent, nor be placed under"
        ):
            self.support.parent_id = self.first_level
        self.assertFalse(self.support.parent_id)

    def test_section_cannot_escalate_to_itself(self):
        with self.assertRaisesRegex(ValidationError, "cannot escalate to itself"):
            self.hardware.escalation_section_id = self.hardware

    @mute_logger("odoo.sql_db")
    def test_negative_delay_refused(self):
        with self.assertRaises(IntegrityError):
            self.hardware.write({"escalation_delay_hours": -1})
            self.hardware.flush_recordset()

    def test_empty_section_can_be_deleted(self):
        section = self.env["crm.case.section"].create({"name": "Temporary"})
        section.unlink()
        self.assertFalse(section.exists())

    def test_section_with_cases_cannot_be_deleted(self):
        case = self._new_case(self.hardware)
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.hardware.unlink()
        self.assertTrue(self.hardware.exists())
        self.assertEqual(case.section_id, self.hardware)

    def test_section_with_only_archived_cases_cannot_be_deleted(self):
        self._new_case(self.hardware).action_archive()
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.hardware.unlink()

    def test_parent_with_sub_sections_cannot_be_deleted(self):
        with self.assertRaises(Exception):  # noqa: B017 - ondelete=restrict
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                self.website.unlink()
        self.assertTrue(self.first_level.exists())

    def test_section_with_cases_can_be_archived(self):
        case = self._new_case(self.hardware)
        self.hardware.action_archive()
        self.assertFalse(self.hardware.active)
        self.assertEqual(case.section_id, self.hardware)

    def test_counts_include_sub_sections(self):
        self._new_case(self.support)
        self._new_case(self.hardware)
        self._new_case(self.first_level)
        self._new_case(self.first_level, stage_id=self.stage_done.id)
        self._new_case(self.opportunities)
        self.assertEqual(
            (self.support.case_count, self.support.open_case_count), (4, 3)
        )
        self.assertEqual(
            (self.website.case_count, self.website.open_case_count), (2, 1)
        )
        self.assertEqual(
            (self.hardware.case_count, self.hardware.open_case_count), (1, 1)
        )
        self.assertEqual(self.web_opportunities.case_count, 0)
        self.assertEqual(self.opportunities.case_count, 1)

    def test_open_cases_action_lists_sub_section_cases(self):
        own = self._new_case(self.website)
        below = self._new_case(self.first_level)
        self._new_case(self.hardware)
        action = self.website.action_open_cases()
        cases = self.env["crm.case"].search(action["domain"])
        self.assertEqual(cases, own | below)
        self.assertEqual(action["context"]["default_section_id"], self.website.id)

    def test_alias_creates_cases_in_its_section(self):
        self.hardware.alias_name = "hardware"
        alias = self.hardware.alias_id
        self.assertEqual(alias.alias_model_id.model, "crm.case")
        self.assertEqual(alias.alias_defaults, repr({"section_id": self.hardware.id}))
        self.assertEqual(alias.alias_parent_thread_id, self.hardware.id)

    def test_section_without_alias_has_no_alias_record(self):
        self.assertFalse(self.website.alias_id)

    def test_sections_listed_in_tree_order(self):
        self.support.sequence = 50
        self.opportunities.sequence = 10
        late_child = self.env["crm.case.section"].create(
            {"name": "Aaa first by name", "parent_id": self.support.id, "sequence": 99}
        )
        sections = self.env["crm.case.section"].search(
            [("id", "child_of", (self.support | self.opportunities).ids)]
        )
        self.assertEqual(
            sections.mapped("complete_name"),
            [
                "Opportunities",
                "Opportunities / Web",
                "Support",
                "Support / Hardware",
                "Support / Web site",
                "Support / Web site / First level",
                "Support / Aaa first by name",
            ],
        )
        # moved under another parent: listed under it
        late_child.parent_id = self.opportunities
        sections = self.env["crm.case.section"].search(
            [("id", "child_of", self.opportunities.id)]
        )
        self.assertEqual(sections[-1], late_child)

    def test_sub_section_inherits_default_type(self):
        self.support.default_type_id = self.type_support
        lubricants = self.env["crm.case.section"].create(
            {"name": "Lubricant quality", "parent_id": self.hardware.id}
        )
        case = self._new_case(lubricants)
        self.assertEqual(case.type_id, self.type_support)
        self.assertEqual(case.kind, "support")
        self.assertEqual(case.user_id, self.user_support)
        self.assertIn(
            case,
            self.env["crm.case"].search([("kind", "=", "support")]),
            "the case appears in the Support Requests filter",
        )

    def test_alias_saves_without_touching_who_may_write(self):
        manager_env = self.env(user=self.user_manager)
        with Form(self.hardware.with_env(manager_env)) as form:
            form.alias_name = "hardware-help"
            self.assertEqual(form.alias_contact, "everyone")
        self.assertEqual(self.hardware.alias_id.alias_contact, "everyone")
        self.assertEqual(self.hardware.alias_name, "hardware-help")

    def test_escalation_delay_only_where_something_is_above(self):
        with Form(self.support) as form, self.assertRaises(AssertionError):
            form.escalation_delay_hours = 4  # invisible: nothing above Support
        with Form(self.hardware) as form:
            form.escalation_delay_hours = 4
        self.assertEqual(self.hardware.escalation_delay_hours, 4)
        with Form(self.opportunities) as form:
            form.escalation_section_id = self.support
            form.escalation_delay_hours = 2
        self.assertEqual(self.opportunities.escalation_delay_hours, 2)

    def test_demo_company_receives_mail_on_its_sections(self):
        for xmlid, alias in (
            ("section_support", "support"),
            ("section_sales", "sales"),
            ("section_suppliers", "suppliers"),
        ):
            section = self.env.ref(f"crm_case_sections.{xmlid}")
            self.assertEqual(
                section.alias_email, f"{alias}@oil-distributor.example.com"
            )
            self.assertEqual(section.alias_contact, "everyone")
