# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.tests import Form

from .common import CaseCommon


class TestCaseDuplicates(CaseCommon):
    """Sergio Support opens a case of a customer who wrote about the same
    matter a few days ago: the form shows the earlier case."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Odoo's own database creation adds pg_trgm; without it the form
        # offers no duplicate, and these tests would prove nothing
        if not cls.env.registry.has_trigram:
            raise AssertionError("the test database lacks PostgreSQL's pg_trgm")
        cls.earlier = cls._new_case(
            cls.support, "The oil pump leaks", partner_id=cls.customer.id
        )

    def _new_as_support(self, name, **values):
        return (
            self.env["crm.case"]
            .with_user(self.user_support)
            .create(dict(values, name=name, section_id=self.support.id))
        )

    def _age(self, case, days):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_case SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days), case.id),
        )
        case.invalidate_recordset()

    def test_similar_subject_of_same_customer_is_a_possible_duplicate(self):
        case = self._new_as_support(
            "Oil pump leaking again", partner_id=self.customer.id
        )
        self.assertEqual(case.duplicate_case_ids, self.earlier)
        # shown, never merged by itself
        self.assertTrue(case.active and self.earlier.active)
        self.assertFalse(self.earlier.merged_into_id)

    def test_form_shows_duplicates_while_the_case_is_typed(self):
        form = Form(self.env["crm.case"].with_user(self.user_support))
        form.section_id = self.support
        form.partner_id = self.customer
        self.assertFalse(form.duplicate_case_ids)
        form.name = "Oil pump leaking again"
        self.assertEqual(
            form.duplicate_case_ids[:], self.earlier.with_user(self.user_support)
        )

    def test_same_address_without_contact_is_the_same_customer(self):
        earlier = self._new_case(
            self.support, "Invoice 42 is wrong", email_from="Ana <ana@acme.example.com>"
        )
        case = self._new_as_support(
            "Invoice 42 wrong amount", email_from="ana@acme.example.com"
        )
        self.assertEqual(case.duplicate_case_ids, earlier)

    def test_other_subject_is_no_duplicate(self):
        case = self._new_as_support(
            "Please send the invoice copy", partner_id=self.customer.id
        )
        self.assertFalse(case.duplicate_case_ids)

    def test_other_customer_is_no_duplicate(self):
        other = self.env["res.partner"].create(
            {"name": "Oil Seller", "email": "seller@oil.example.com"}
        )
        case = self._new_as_support("Oil pump leaking again", partner_id=other.id)
        self.assertFalse(case.duplicate_case_ids)

    def test_cases_older_than_a_week_are_not_offered(self):
        self._age(self.earlier, 8)
        case = self._new_as_support(
            "Oil pump leaking again", partner_id=self.customer.id
        )
        self.assertFalse(case.duplicate_case_ids)
        self._age(self.earlier, 6)
        case.invalidate_recordset()
        self.assertEqual(case.duplicate_case_ids, self.earlier)

    def test_closed_and_merged_cases_are_not_offered(self):
        self.earlier.stage_id = self.stage_done
        case = self._new_as_support(
            "Oil pump leaking again", partner_id=self.customer.id
        )
        self.assertFalse(case.duplicate_case_ids)

    def test_cases_the_user_cannot_see_are_not_offered(self):
        hidden = self._new_case(
            self.opportunities, "The oil pump leaks", partner_id=self.customer.id
        )
        case = self._new_as_support(
            "Oil pump leaking again", partner_id=self.customer.id
        )
        self.assertEqual(case.duplicate_case_ids, self.earlier)
        self.assertNotIn(hidden, case.duplicate_case_ids)
        # the manager sees both
        self.assertEqual(
            case.with_user(self.user_manager).duplicate_case_ids, self.earlier | hidden
        )

    def test_duplicates_of_several_cases_in_one_query(self):
        cases = self._new_as_support(
            "Oil pump leaking again", partner_id=self.customer.id
        ) | self._new_as_support(
            "The oil pump still leaks", partner_id=self.customer.id
        )
        cases.invalidate_recordset()
        cases.mapped("name")  # the cases themselves are read already
        with self.assertQueryCount(1):
            duplicates = cases.mapped("duplicate_case_ids")
        self.assertEqual(duplicates, self.earlier | cases)

    def test_one_click_opens_the_merge_with_the_duplicates(self):
        case = self._new_as_support(
            "Oil pump leaking again", partner_id=self.customer.id
        )
        action = case.action_open_merge()
        wizard = Form(
            self.env["crm.case.merge"]
            .with_user(self.user_support)
            .with_context(**action["context"])
        )
        self.assertEqual(
            {record.id for record in wizard.case_ids}, {case.id, self.earlier.id}
        )
        self.assertEqual(wizard.target_case_id.id, self.earlier.id, "the oldest")
