# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form

from .common import CaseCommon


class TestCase(CaseCommon):
    def test_numbers_follow_the_sequence(self):
        first = self._new_case(self.hardware)
        second = self._new_case(self.hardware)
        self.assertRegex(first.number, r"^C\d{5}$")
        self.assertEqual(int(second.number[1:]), int(first.number[1:]) + 1)

    def test_display_name_carries_the_number(self):
        case = self._new_case(self.hardware, name="Pump leaks")
        self.assertEqual(case.display_name, f"[{case.number}] Pump leaks")

    def test_case_found_by_number(self):
        case = self._new_case(self.hardware)
        found = self.env["crm.case"].name_search(case.number)
        self.assertEqual([case_id for case_id, _name in found], case.ids)

    def test_copy_gets_new_number(self):
        case = self._new_case(self.hardware, name="Pump leaks")
        copy = case.copy()
        self.assertNotEqual(copy.number, case.number)
        self.assertEqual(copy.name, "Pump leaks (copy)")

    def test_new_case_takes_section_responsible_and_default_type(self):
        self.hardware.write(
            {"user_id": self.user_support.id, "default_type_id": self.type_support.id}
        )
        case = self._new_case(self.hardware)
        self.assertEqual(case.user_id, self.user_support)
        self.assertEqual(case.type_id, self.type_support)

    def test_new_case_starts_in_first_stage(self):
        case = self._new_case(self.hardware)
        self.assertEqual(case.stage_id, self.stage_new)
        self.assertFalse(case.is_closed)

    def test_new_case_starts_in_first_stage_of_its_section(self):
        triage = self.env["crm.case.stage"].create(
            {"name": "Triage", "sequence": 0, "section_ids": [(6, 0, self.support.ids)]}
        )
        in_support = self._new_case(self.first_level)
        in_sales = self._new_case(self.opportunities)
        self.assertEqual(in_support.stage_id, triage)
        self.assertEqual(in_sales.stage_id, self.stage_new)

    def test_moving_case_leaves_a_stage_of_another_section(self):
        triage = self.env["crm.case.stage"].create(
            {"name": "Triage", "sequence": 0, "section_ids": [(6, 0, self.support.ids)]}
        )
        case = self._new_case(self.hardware)
        self.assertEqual(case.stage_id, triage)
        case.section_id = self.opportunities
        self.assertEqual(case.stage_id, self.stage_new)

    def test_closing_stage_sets_closed_date(self):
        case = self._new_case(self.hardware)
        case.stage_id = self.stage_done
        self.assertTrue(case.is_closed)
        self.assertTrue(case.date_closed)
        case.stage_id = self.stage_new
        self.assertFalse(case.date_closed)

    def test_partner_fills_contact_fields(self):
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self.assertEqual(case.email_from, "buyer@oil.example.com")
        self.assertEqual(case.contact_name, "Oil Buyer")
        self.assertEqual(case.phone, "+34 600")

    def test_watchers_are_the_cc_field(self):
        field = self.env["crm.case"]._fields["email_cc"]
        self.assertEqual(field.string, "Watchers")
        case = self._new_case(self.hardware, email_cc="a@example.com, b@example.com")
        self.assertEqual(
            set(case._mail_cc_sanitized_raw_dict(case.email_cc)),
            {"a@example.com", "b@example.com"},
        )

    def test_references_point_to_any_document(self):
        other = self._new_case(self.hardware)
        case = self._new_case(
            self.hardware,
            ref=f"res.partner,{self.customer.id}",
            ref2=f"crm.case,{other.id}",
        )
        self.assertEqual(case.ref, self.customer)
        self.assertEqual(case.ref2, other)
        models = dict(self.env["crm.case"]._selection_reference_models())
        self.assertIn("res.partner", models)
        self.assertNotIn("res.users", models)

    def test_company_follows_section(self):
        other_company = self.env["res.company"].create({"name": "Oil Portugal"})
        section = self.env["crm.case.section"].create(
            {"name": "Lisbon", "company_id": other_company.id}
        )
        case = self._new_case(section)
        self.assertEqual(case.company_id, other_company)

    def test_kanban_shows_unfolded_empty_stages_and_hides_folded(self):
        self._new_case(self.hardware)
        groups = (
            self.env["crm.case"]
            .with_context(default_section_id=self.hardware.id)
            .web_read_group(
                [("section_id", "=", self.hardware.id)], ["stage_id"], ["stage_id"]
            )
        )["groups"]
        stages = {group["stage_id"][0] for group in groups}
        self.assertIn(self.stage_new.id, stages)
        self.assertIn(self.env.ref("crm_case_sections.stage_in_progress").id, stages)
        self.assertNotIn(self.env.ref("crm_case_sections.stage_cancelled").id, stages)

    def test_kanban_hides_stages_of_other_sections(self):
        triage = self.env["crm.case.stage"].create(
            {"name": "Triage", "section_ids": [(6, 0, self.support.ids)]}
        )
        groups = (
            self.env["crm.case"]
            .with_context(default_section_id=self.opportunities.id)
            .web_read_group(
                [("section_id", "=", self.opportunities.id)], ["stage_id"], ["stage_id"]
            )
        )["groups"]
        self.assertNotIn(triage.id, {group["stage_id"][0] for group in groups})

    def test_search_by_section_includes_sub_sections(self):
        top = self._new_case(self.support)
        deep = self._new_case(self.first_level)
        self._new_case(self.opportunities)
        found = self.env["crm.case"].search(
            [("section_id", "child_of", self.support.id)]
        )
        self.assertEqual(found, top | deep)

    def test_form_creates_case_in_chosen_section(self):
        form = Form(self.env["crm.case"])
        form.name = "Drum heater does not stop"
        form.section_id = self.hardware
        form.partner_id = self.customer
        self.assertEqual(form.email_from, "buyer@oil.example.com")
        case = form.save()
        self.assertEqual(case.section_id, self.hardware)
        self.assertEqual(case.stage_id, self.stage_new)

    def test_each_company_numbers_its_own_cases(self):
        main_case = self._new_case(self.support)
        other = self.env["res.company"].create({"name": "Oil Portugal"})
        lisbon = self.env["crm.case.section"].create(
            {"name": "Lisbon", "company_id": other.id}
        )
        first, second = (
            self.env["crm.case"]
            .with_company(other)
            .create(
                [
                    {"name": "Primeiro", "section_id": lisbon.id},
                    {"name": "Segundo", "section_id": lisbon.id},
                ]
            )
        )
        self.assertEqual((first.number, second.number), ("C00001", "C00002"))
        next_main = self._new_case(self.support)
        self.assertEqual(
            int(next_main.number[1:]),
            int(main_case.number[1:]) + 1,
            "the first company's numbering goes on",
        )
