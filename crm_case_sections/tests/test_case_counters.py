# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every counter of the overview, of *Cases by section* and of the contact's
smart button opens exactly the cases it counts, for the support agent who
reads it: the count he is shown equals the number of cases the list opened
by its button finds, with the filters that button turns on."""

import re
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestCaseCounters(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        yesterday, tomorrow = now - timedelta(days=2), now + timedelta(days=2)
        new = cls._new_case
        cls.late_cases = (
            new(cls.support, "Late 1", date_deadline=yesterday)
            | new(cls.hardware, "Late 2", date_deadline=yesterday, priority="3")
            | new(cls.first_level, "Late 3", date_deadline=yesterday, user_id=False)
        )
        new(cls.support, "On time", date_deadline=tomorrow)
        new(cls.hardware, "Urgent", priority="3", partner_id=cls.customer.id)
        new(cls.website, "Unassigned", user_id=False, partner_id=cls.customer.id)
        failed = new(cls.support, "SLA failed", date_deadline=tomorrow)
        # closed cases count in no open counter, late or not
        new(cls.support, "Done late", date_deadline=yesterday, priority="3").write(
            {"stage_id": cls.stage_done.id, "user_id": False}
        )
        new(cls.hardware, "Done", partner_id=cls.customer.id).stage_id = cls.stage_done
        # elsewhere: not the agent's
        new(cls.opportunities, "Sales late", date_deadline=yesterday)
        cls.env.flush_all()
        # the service level's verdict, as its cron writes it
        cls.env.cr.execute(
            "UPDATE crm_case SET sla_status = 'failed' WHERE id = %s", [failed.id]
        )
        cls.env.invalidate_all()

    def _view_counters(self, view_xmlid, view_type):
        """(counted field, button context) of each counter of the view, as
        the agent's web client gets it."""
        Section = self.env["crm.case.section"].with_user(self.user_support)
        view = self.env.ref(view_xmlid)
        arch = Section.get_views([(view.id, view_type)])["views"][view_type]["arch"]
        counters = []
        for button in etree.fromstring(arch).iter("button"):
            if button.get("name") != "action_open_cases":
                continue
            text = etree.tostring(button, encoding="unicode")
            field = re.search(r'name="(\w+_count)"|record\.(\w+_count)', text)
            self.assertTrue(field, f"a button without a count: {text}")
            self.assertTrue(button.get("title"), f"a counter without a title: {text}")
            counters.append(
                (field.group(1) or field.group(2), safe_eval(button.get("context")))
            )
        return counters

    def _opened_count(self, action):
        """What the list the action opens shows: its domain, and the filters
        its context turns on, as the search view defines them."""
        Case = self.env["crm.case"].with_user(self.user_support)
        context = dict(action.get("context") or {})
        search_arch = etree.fromstring(
            Case.get_views([(False, "search")])["views"]["search"]["arch"]
        )
        domain = list(action["domain"])
        for key in context:
            if not key.startswith("search_default_"):
                continue
            name = key[len("search_default_") :]
            [node] = search_arch.xpath(f"//filter[@name='{name}']")
            domain += safe_eval(
                node.get("domain"),
                {"uid": self.user_support.id, "context_today": fields.Date.today},
            )
        result = Case.with_context(**context).web_search_read(
            domain, {"display_name": {}}
        )
        return result["length"]

    def _assert_counters_open_what_they_count(self, view_xmlid, view_type):
        Section = self.env["crm.case.section"].with_user(self.user_support)
        counters = self._view_counters(view_xmlid, view_type)
        self.assertGreaterEqual(len(counters), 5)
        names = [name for name, _context in counters]
        for section in self.support | self.website:
            counts = Section.browse(section.id).web_read({name: {} for name in names})[
                0
            ]
            for name, context in counters:
                with self.subTest(section=section.name, counter=name):
                    action = Section.browse(section.id).with_context(**context)
                    opened = self._opened_count(action.action_open_cases())
                    self.assertEqual(counts[name], opened)

    def test_overview_counters_open_what_they_count(self):
        self._assert_counters_open_what_they_count(
            "crm_case_sections.crm_case_section_view_kanban_overview", "kanban"
        )

    def test_section_tree_counters_open_what_they_count(self):
        self._assert_counters_open_what_they_count(
            "crm_case_sections.crm_case_section_view_hierarchy", "hierarchy"
        )

    def test_late_counter_is_the_late_filter(self):
        """Three open cases past their closing date: the overview says 3
        late, the Late filter finds the same 3, the list paints them red."""
        section = self.support.with_user(self.user_support)
        self.assertEqual(section.late_case_count, 3)
        action = section.with_context(search_default_late=1).action_open_cases()
        self.assertEqual(self._opened_count(action), 3)
        Case = self.env["crm.case"].with_user(self.user_support)
        self.assertEqual(Case.search([("is_late", "=", True)]), self.late_cases)
        self.assertEqual(Case.browse(self.late_cases.ids).mapped("is_late"), [True] * 3)
        # the failed service level is another counter, with its own filter
        self.assertEqual(section.sla_failed_case_count, 1)

    def test_open_counter_opens_without_done_cases(self):
        section = self.support.with_user(self.user_support)
        action = section.with_context(search_default_open=1).action_open_cases()
        self.assertEqual(section.open_case_count, 7)
        self.assertEqual(self._opened_count(action), 7)

    def test_cases_by_section_row_opens_all_its_cases(self):
        """A row of the list opens all the cases of the section, as its
        *Cases* column counts them."""
        section = self.support.with_user(self.user_support)
        self.assertEqual(section.case_count, 9)
        self.assertEqual(self._opened_count(section.action_open_cases()), 9)

    def test_partner_smart_button_opens_what_it_counts(self):
        contact = self.env["res.partner"].create(
            {"name": "Buyer's clerk", "parent_id": self.customer.id}
        )
        self._new_case(self.support, "From the clerk", partner_id=contact.id)
        partner = self.customer.with_user(self.user_support)
        counted = partner.web_read({"case_count": {}})[0]["case_count"]
        self.assertEqual(counted, 3)
        self.assertEqual(self._opened_count(partner.action_view_cases()), counted)
