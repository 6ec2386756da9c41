# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
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
