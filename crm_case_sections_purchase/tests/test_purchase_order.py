# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import Form

from .common import PurchaseCaseCommon


class TestPurchaseOrderFollowups(PurchaseCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        order, order_2 = cls._reference(cls.order), cls._reference(cls.order_2)
        cls.case_ref = cls._new_case("Late", ref=order)
        cls.case_ref2 = cls._new_case(
            "Wrong oil", ref=cls._reference(cls.vendor), ref2=order
        )
        cls.case_twice = cls._new_case("Twice", ref=order, ref2=order)
        cls.case_both = cls._new_case("Both orders", ref=order_2, ref2=order)
        cls.case_support = cls._new_case(
            "Support kind", ref=order_2, type_id=cls.type_support.id
        )
        # in a section the buyer does not work: not his to count
        cls.case_hidden = cls._new_case("Hidden", section=cls.support, ref=order)

    def test_counts_of_several_orders(self):
        orders = self.order | self.order_contact | self.order_2 | self.order_quiet
        counts = orders.with_user(self.user_buyer).mapped("case_count")
        self.assertEqual(counts, [4, 0, 2, 0])

    def test_count_follows_the_reader_access(self):
        self.assertEqual(self.order.with_user(self.user_buyer).case_count, 4)
        # the superuser also counts the case of the section the buyer does not work
        self.assertEqual(self.order.case_count, 5)

    def test_action_lists_the_counted_cases(self):
        order = self.order.with_user(self.user_buyer)
        action = order.action_view_cases()
        self.assertEqual(action["res_model"], "crm.case")
        self.assertEqual(action["views"][0][1], "list")
        cases = self.env["crm.case"].with_user(self.user_buyer).search(action["domain"])
        self.assertEqual(
            cases, self.case_ref | self.case_ref2 | self.case_twice | self.case_both
        )
        self.assertEqual(len(cases), order.case_count)

    def test_action_creates_a_followup_of_the_order(self):
        self.order.partner_id = self.vendor_contact
        # supplier follow-ups are handled by Purchasing: the new one goes there
        self.type_supplier.section_id = self.purchasing
        action = self.order.with_user(self.user_buyer).action_view_cases()
        self.assertEqual(
            action["context"],
            {
                "default_partner_id": self.vendor_contact.id,
                "default_ref": self._reference(self.order),
                "default_type_id": self.type_supplier.id,
                "default_section_id": self.purchasing.id,
            },
        )
        Case = self.env["crm.case"].with_user(self.user_buyer)
        form = Form(Case.with_context(**action["context"]))
        form.name = "Half the drums are missing"
        case = form.save()
        self.assertEqual(case.section_id, self.purchasing)
        self.assertEqual(case.partner_id, self.vendor_contact)
        self.assertEqual(case.ref, self.order)
        self.assertEqual(case.type_id, self.type_supplier)
        self.order.invalidate_recordset(["case_count"])
        self.assertEqual(self.order.with_user(self.user_buyer).case_count, 5)

    def test_form_shows_the_button_to_case_users(self):
        Order = self.env["purchase.order"].with_user(self.user_buyer)
        arch = Order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_view_cases"', arch)
        self.assertIn('name="case_count"', arch)
        form = Form(self.order.with_user(self.user_buyer))
        self.assertEqual(form.case_count, 4)

    def test_buyer_without_cases_sees_no_button(self):
        Order = self.env["purchase.order"].with_user(self.user_buyer_no_case)
        arch = Order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="action_view_cases"', arch)
        self.assertNotIn('name="case_count"', arch)
        self.assertNotIn("case_count", Order.fields_get())
        with self.assertRaises(AccessError):
            self.order.with_user(self.user_buyer_no_case).case_count  # noqa: B018
        with self.assertRaises(AccessError):
            self.env["crm.case"].with_user(self.user_buyer_no_case).search([])
