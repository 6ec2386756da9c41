# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from .common import PurchaseCaseCommon


class TestSupplierViews(PurchaseCaseCommon):
    """Supplier follow-ups read as such: the vendor, the supplier's stage, no
    customer wording, no service-level column without a policy."""

    def _views(self):
        action = self.order.with_user(self.user_buyer).action_view_cases()
        views = (
            self.env["crm.case"]
            .with_user(self.user_buyer)
            .get_views(
                [view for view in action["views"] if view[1] in ("list", "form")]
            )
        )["views"]
        return {
            kind: etree.fromstring(views[kind]["arch"]) for kind in ("list", "form")
        }

    def test_form_speaks_of_the_supplier(self):
        form = self._views()["form"]
        # the case's own field, not those of the lists embedded in the form
        [partner] = form.xpath("//field[@name='partner_id'][not(ancestor::field)]")
        self.assertEqual(partner.get("string"), "Supplier")
        [description] = form.xpath("//field[@name='description']")
        self.assertEqual(
            description.get("placeholder"), "What is expected from the supplier..."
        )
        self.assertIn("'supplier'", partner.get("context"))

    def test_service_level_column_hidden_by_default(self):
        [status] = self._views()["list"].xpath("//field[@name='sla_status']")
        self.assertEqual(status.get("optional"), "hide")

    def test_suppliers_wait_for_the_supplier(self):
        suppliers = self.env.ref("crm_case_sections.section_suppliers")
        Stage = self.env["crm.case.stage"]
        stages = Stage.search(self.env["crm.case"]._stage_domain(suppliers))
        self.assertIn(self.env.ref("crm_case_sections.stage_waiting_supplier"), stages)
        self.assertNotIn(self.env.ref("crm_case_sections.stage_waiting"), stages)
        support = self.env.ref("crm_case_sections.section_support_hardware")
        stages = Stage.search(self.env["crm.case"]._stage_domain(support))
        self.assertIn(self.env.ref("crm_case_sections.stage_waiting"), stages)
        self.assertNotIn(
            self.env.ref("crm_case_sections.stage_waiting_supplier"), stages
        )
