# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .test_tours_spanish import SpanishTourCase


@tagged("post_install", "-at_install")
class TestCaseMergeTour(SpanishTourCase):
    """Sofía, of Support, merges in the browser the two cases a customer
    opened about the same leak."""

    def test_support_agent_merges_two_cases_from_the_list(self):
        ref = self.env.ref
        agent = ref("crm_case_sections.user_support")
        agent.lang = "es_ES"
        customer = self.env["res.partner"].create(
            {"name": "Aceites Norte", "email": "compras@aceites-norte.example.com"}
        )
        # created in Spanish: their creation notes are written in it
        Case = self.env["crm.case"].with_context(lang="es_ES")
        support = ref("crm_case_sections.section_support")
        first = Case.create(
            {
                "name": "La bomba de aceite pierde",
                "section_id": support.id,
                "partner_id": customer.id,
            }
        )
        second = Case.create(
            {
                "name": "La bomba de aceite sigue perdiendo",
                "section_id": support.id,
                "partner_id": customer.id,
            }
        )
        self.start_tour("/odoo", "crm_case_sections_merge_es", login="support")
        self.assertFalse(second.active)
        self.assertEqual(second.merged_into_id, first)
        notice = second.message_ids.filtered(
            lambda message: message.message_type == "comment"
        )
        self.assertEqual(notice.partner_ids, customer, "the customer is told")
