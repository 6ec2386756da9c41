# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from odoo.addons.crm_case_sections.tests.test_tours_spanish import SpanishTourCase


@tagged("post_install", "-at_install")
class TestBuyerTourSpanish(SpanishTourCase):
    """The buyer of the demo company, in Spanish: an order's follow-ups, and a
    new one that belongs to the order and its vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.buyer = cls.env.ref("crm_case_sections.user_purchase")
        cls.buyer.lang = "es_ES"
        cls.vendor = cls.env["res.partner"].create(
            {"name": "Bombas Levante", "is_company": True}
        )
        cls.order = cls.env["purchase.order"].create({"partner_id": cls.vendor.id})

    def test_buyer_follows_an_order_up(self):
        self.start_tour("/odoo", "crm_case_sections_role_buyer_es", login="purchases")
        case = self.env["crm.case"].search(
            [("name", "=", "Faltan la mitad de los bidones")]
        )
        self.assertEqual(case.partner_id, self.vendor)
        self.assertEqual(case.ref, self.order)
        self.assertEqual(case.kind, "supplier")
        self.assertEqual(case.stage_id, self.env.ref("crm_case_sections.stage_new"))
        self.assertEqual(self.order.with_user(self.buyer).case_count, 1)
