# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests import Form

from .common import PurchaseCaseCommon


class TestVendorFollowups(PurchaseCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls._reference
        cls.case_vendor = cls._new_case("Vendor", partner_id=cls.vendor.id)
        cls.case_contact = cls._new_case("Contact", partner_id=cls.vendor_contact.id)
        cls.case_old_contact = cls._new_case(
            "Old contact", partner_id=cls.vendor_old_contact.id
        )
        cls.case_ref_contact = cls._new_case(
            "About Rita", partner_id=cls.other_partner.id, ref=ref(cls.vendor_contact)
        )
        cls.case_ref2_order = cls._new_case(
            "About the contact's order", ref2=ref(cls.order_contact)
        )
        # reaches the vendor three ways, counts once
        cls.case_three_ways = cls._new_case(
            "Three ways",
            partner_id=cls.vendor.id,
            ref=ref(cls.order),
            ref2=ref(cls.vendor),
        )
        # reaches both vendors
        cls.case_two_vendors = cls._new_case(
            "Two vendors",
            partner_id=cls.vendor_2.id,
            ref=ref(cls.order),
        )
        cls.case_other_kind = cls._new_case(
            "Support kind", ref=ref(cls.vendor_2), type_id=cls.type_support.id
        )
        cls.case_unrelated = cls._new_case(
            "Unrelated", partner_id=cls.other_partner.id, ref=ref(cls.order_quiet)
        )
        cls.case_archived = cls._new_case("Archived", partner_id=cls.vendor.id)
        cls.case_archived.active = False
        cls.case_hidden = cls._new_case(
            "Hidden", section=cls.support, partner_id=cls.vendor.id
        )
        cls.vendor_cases = (
            cls.case_vendor
            | cls.case_contact
            | cls.case_old_contact
            | cls.case_ref_contact
            | cls.case_ref2_order
            | cls.case_three_ways
            | cls.case_two_vendors
        )

    def test_counts_of_several_vendors(self):
        partners = (
            self.vendor
            | self.vendor_contact
            | self.vendor_2
            | self.vendor_quiet
            | self.other_partner
        )
        counts = partners.with_user(self.user_buyer).mapped("supplier_case_count")
        # a contact counts the cases of its whole vendor
        self.assertEqual(counts, [7, 7, 2, 1, 2])

    def test_action_lists_the_counted_cases(self):
        vendor = self.vendor.with_user(self.user_buyer)
        action = vendor.action_view_supplier_cases()
        self.assertEqual(action["views"][0][1], "list")
        cases = self.env["crm.case"].with_user(self.user_buyer).search(action["domain"])
        self.assertEqual(cases, self.vendor_cases)
        self.assertEqual(len(cases), vendor.supplier_case_count)
        # the manager sees the section the buyer does not work
        manager_cases = self.env["crm.case"].search(action["domain"])
        self.assertEqual(manager_cases, self.vendor_cases | self.case_hidden)
        self.assertEqual(self.vendor.supplier_case_count, 8)

    def test_action_from_a_contact_lists_the_vendor_cases(self):
        action = self.vendor_contact.with_user(
            self.user_buyer
        ).action_view_supplier_cases()
        cases = self.env["crm.case"].with_user(self.user_buyer).search(action["domain"])
        self.assertEqual(cases, self.vendor_cases)
        self.assertEqual(
            action["context"]["default_partner_id"], self.vendor_contact.id
        )

    def test_action_creates_a_followup_of_the_vendor(self):
        # supplier follow-ups are handled by Purchasing: the new one goes there
        self.type_supplier.section_id = self.purchasing
        action = self.vendor.with_user(self.user_buyer).action_view_supplier_cases()
        self.assertEqual(
            action["context"],
            {
                "default_partner_id": self.vendor.id,
                "default_type_id": self.type_supplier.id,
                "default_section_id": self.purchasing.id,
            },
        )
        Case = self.env["crm.case"].with_user(self.user_buyer)
        form = Form(Case.with_context(**action["context"]))
        form.name = "Prices for next year"
        case = form.save()
        self.assertEqual(case.section_id, self.purchasing)
        self.assertEqual(case.partner_id, self.vendor)
        self.assertEqual(case.kind, "supplier")
        self.assertIn(case, Case.search(action["domain"]))

    def test_vendor_form_shows_the_button_to_case_users(self):
        Partner = self.env["res.partner"].with_user(self.user_buyer)
        arch = Partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_view_supplier_cases"', arch)
        form = Form(self.vendor.with_user(self.user_buyer))
        self.assertEqual(form.supplier_case_count, 7)

    def test_buyer_without_cases_sees_no_button(self):
        Partner = self.env["res.partner"].with_user(self.user_buyer_no_case)
        arch = Partner.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="action_view_supplier_cases"', arch)
        self.assertNotIn('name="supplier_case_count"', arch)
        with self.assertRaises(AccessError):
            self.vendor.with_user(self.user_buyer_no_case).supplier_case_count  # noqa: B018

    def test_case_user_who_is_not_a_buyer_counts_order_cases(self):
        self.user_buyer.groups_id -= self.env.ref("purchase.group_purchase_user")
        self.assertFalse(self.user_buyer.has_group("purchase.group_purchase_user"))
        self.assertEqual(self.vendor.with_user(self.user_buyer).supplier_case_count, 7)
