# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tools import mute_logger

from .common import GatewayCommon, load_spanish


class TestCaseSpanish(GatewayCommon):
    """Spanish-speaking users read the addon in Spanish, and Spanish-speaking
    customers get their acknowledgement in Spanish."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_spanish(cls.env)
        cls.user_support.lang = "es_ES"

    def test_menus_read_in_spanish(self):
        menus = (
            self.env["ir.ui.menu"]
            .with_user(self.user_support)
            .with_context(lang="es_ES")
            .load_menus(debug=False)
        )
        names = {menu.get("name") for menu in menus.values() if isinstance(menu, dict)}
        self.assertTrue(
            {"Ayuda en línea", "Todos los casos", "Casos por sección"} <= names
        )

    def test_case_form_labels_in_spanish(self):
        Case = (
            self.env["crm.case"].with_user(self.user_support).with_context(lang="es_ES")
        )
        labels = {
            name: description["string"]
            for name, description in Case.fields_get(
                ["email_cc", "channel_id", "date_deadline", "expected_revenue"]
            ).items()
        }
        self.assertEqual(
            labels,
            {
                "email_cc": "Observadores",
                "channel_id": "Canal",
                "date_deadline": "Fecha de cierre",
                "expected_revenue": "Ingresos estimados",
            },
        )
        arch = Case.get_view(view_type="form")["arch"]
        self.assertIn("Escalar", arch)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    def test_spanish_customer_gets_spanish_acknowledgement(self):
        self.customer.lang = "es_ES"
        with self.mock_mail_gateway():
            case = self._process("new_known_partner.eml")
        ack = self._acknowledgements(case)
        self.assertEqual(len(ack), 1)
        self.assertIn("Hemos recibido su mensaje", ack.body_html)
        self.assertIn(case.number, ack.body_html)

    def test_demo_sections_carry_the_seed_spanish_names(self):
        names = {
            "section_opportunities": "Oportunidades",
            "section_support": "Asistencia",
            "section_support_hardware": "Problema de hardware",
            "section_support_unknown": "Desconocido",
            "section_support_misuse": "Uso inadecuado del software",
            "section_support_website": "Sitio web",
            "section_sales_odoo": "Solicitud de Odoo",
            "section_sales_website": "Intervención en sitio web",
            "section_suppliers_complaint": "Queja",
            "section_suppliers_markers": "Espera de marcadores",
        }
        for xmlid, spanish in names.items():
            section = self.env.ref(f"crm_case_sections.{xmlid}").with_context(
                lang="es_ES"
            )
            self.assertEqual(section.name, spanish)
        hardware = self.env.ref("crm_case_sections.section_support_hardware")
        self.assertEqual(hardware.with_context(lang="en_US").name, "Hardware problem")
