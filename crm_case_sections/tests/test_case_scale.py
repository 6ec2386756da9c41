# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from .common import CaseCommon


class TestCaseScale(CaseCommon):
    """What keeps a million cases as fast as a hundred: the lookups of the
    gateway and the record rule of section users are served by indexes
    (bench/ measures them at scale, the search by number included)."""

    def _plan(self, query):
        """The indexes PostgreSQL uses for ``query`` when it may choose any
        (sequential scans made prohibitive)."""
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL enable_seqscan = off")
        try:
            self.env.cr.execute(SQL("EXPLAIN (FORMAT JSON) %s", query.select()))
            plan = json.dumps(self.env.cr.fetchone()[0])
        finally:
            self.env.cr.execute("SET LOCAL enable_seqscan = on")
        return plan

    def test_loop_detection_finds_the_sender_by_index(self):
        Case = self.env["crm.case"]
        since = fields.Datetime.now() - timedelta(hours=2)
        domain = [("create_date", ">=", since)]
        domain += Case._detect_loop_sender_domain("ana@customer.example.com")
        plan = self._plan(Case.sudo()._search(domain))
        self.assertIn("crm_case__email_normalized_index", plan)
        self.assertNotIn("Seq Scan", plan)

    def test_subject_reference_finds_the_case_by_index(self):
        plan = self._plan(self.env["crm.case"]._search([("number", "=", "C00042")]))
        self.assertIn("crm_case__number_index", plan)

    def test_section_user_rule_lists_the_sections(self):
        """The rule of a section user names his sections and their
        sub-sections instead of a sub-query that every case is tested
        against: his cases are read through the section index."""
        Case = self.env["crm.case"].with_user(self.user_support)
        query = Case._search([("is_closed", "=", False)])
        # which index serves it depends on the rows of the table; the
        # clause that lets any serve it does not
        code = query.select().code
        self.assertIn('"crm_case"."section_id" IN', code)
        self.assertNotIn("parent_path", code)
        self.assertNotIn("SubPlan", self._plan(query))

    def test_new_sub_section_cases_visible_at_once(self):
        self.registry.cache_invalidated.clear()
        desk = self.env["crm.case.section"].create(
            {"name": "Night desk", "parent_id": self.first_level.id}
        )
        # every worker drops its cached rules at the end of this request
        self.assertIn("default", self.registry.cache_invalidated)
        case = self._new_case(desk, name="Pump leaks at night")
        case.user_id = self.user_manager
        visible = (
            self.env["crm.case"]
            .with_user(self.user_support)
            .search([("id", "=", case.id)])
        )
        self.assertEqual(visible, case)
