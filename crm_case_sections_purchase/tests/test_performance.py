# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import users, warmup

from odoo.addons.crm_case_sections.tests.common import new_companies_with_contacts

from .common import PurchaseCaseCommon


class TestFollowupPerformance(PurchaseCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.many_vendors, _contacts = new_companies_with_contacts(cls.env, "Vendor", 10)
        cls.many_orders = cls.env["purchase.order"].create(
            [{"partner_id": vendor.id} for vendor in cls.many_vendors]
        )
        cls.env["crm.case"].create(
            [
                {
                    "name": f"Case {index}",
                    "section_id": cls.purchasing.id,
                    "partner_id": order.partner_id.child_ids.id,
                    "ref": cls._reference(order),
                    "ref2": cls._reference(order.partner_id),
                }
                for index, order in enumerate(list(cls.many_orders) * 2)
            ]
        )

    def _counts(self, records, field="case_count"):
        # as when a list or a form is opened: nothing in cache yet
        self.env.invalidate_all()
        return records.mapped(field)

    @users("purchase_case_user")
    @warmup
    def test_order_counts_query_count_does_not_grow_with_orders(self):
        Order = self.env["purchase.order"]
        with self.assertQueryCount(purchase_case_user=2):
            self.assertEqual(self._counts(Order.browse(self.many_orders[0].id)), [2])
        with self.assertQueryCount(purchase_case_user=2):
            self.assertEqual(self._counts(Order.browse(self.many_orders.ids)), [2] * 10)

    @users("purchase_case_user")
    @warmup
    def test_vendor_counts_query_count_does_not_grow_with_vendors(self):
        Partner = self.env["res.partner"]
        with self.assertQueryCount(purchase_case_user=8):
            self.assertEqual(
                self._counts(
                    Partner.browse(self.many_vendors[0].id), "supplier_case_count"
                ),
                [2],
            )
        with self.assertQueryCount(purchase_case_user=8):
            self.assertEqual(
                self._counts(
                    Partner.browse(self.many_vendors.ids), "supplier_case_count"
                ),
                [2] * 10,
            )
