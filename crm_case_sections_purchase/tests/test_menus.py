# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from .common import PurchaseCaseCommon


class TestSupplierFollowupMenu(PurchaseCaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.menu = cls.env.ref("crm_case_sections_purchase.menu_crm_case_supplier")
        cls.supplier_case = cls._new_case("Late drums", partner_id=cls.vendor.id)
        cls.support_case = cls._new_case(
            "Pump leaks", partner_id=cls.vendor.id, type_id=cls.type_support.id
        )
        cls.untyped_case = cls._new_case("No type yet", type_id=False)

    def _visible_menu_ids(self, user):
        menus = self.env["ir.ui.menu"].with_user(user).load_menus(debug=False)
        return {menu["id"] for menu in menus.values() if isinstance(menu, dict)}

    def test_menu_under_purchase_orders(self):
        self.assertEqual(
            self.menu.parent_id, self.env.ref("purchase.menu_procurement_management")
        )
        self.assertEqual(self.menu.name, "Supplier Follow-ups")
        self.assertIn(self.menu.id, self._visible_menu_ids(self.user_buyer))
        self.assertNotIn(self.menu.id, self._visible_menu_ids(self.user_buyer_no_case))

    def test_menu_action_lists_supplier_cases_only(self):
        values = self.menu.action._get_action_dict()
        Case = self.env[values["res_model"]].with_user(self.user_buyer)
        modes = values["view_mode"].split(",")
        self.assertEqual(modes[0], "list")
        views = Case.get_views([(False, mode) for mode in [*modes, "search"]])
        self.assertEqual(set(views["views"]), set(modes) | {"search"})
        cases = Case.search(safe_eval(values["domain"]))
        self.assertEqual(cases, self.supplier_case)

    def test_menu_action_creates_supplier_followups(self):
        values = self.menu.action._get_action_dict()
        context = safe_eval(values["context"])
        self.assertEqual(context["default_type_id"], self.type_supplier.id)
        self.assertTrue(context["search_default_open"])
        form = Form(
            self.env["crm.case"].with_user(self.user_buyer).with_context(**context)
        )
        form.name = "Invoice does not match the order"
        form.section_id = self.purchasing
        case = form.save()
        self.assertEqual(case.type_id, self.type_supplier)
        self.assertEqual(case.kind, "supplier")
