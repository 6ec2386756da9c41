# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon, load_spanish

BODY = (
    '<p>Hello <t t-out="object.contact_name"/>, your case '
    '<t t-out="object.number"/> is followed by <t t-out="object.user_id.name"/>.</p>'
)
BODY_ES = (
    '<p>Hola, <t t-out="object.contact_name"/>: su caso '
    '<t t-out="object.number"/> lo sigue <t t-out="object.user_id.name"/>.</p>'
)


class TestCaseReadyAnswers(CaseCommon):
    """Sergio Support answers a case from the chatter's full composer with
    a ready answer of Support."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Template = cls.env["mail.template"]
        model = cls.env["ir.model"]._get_id("crm.case")
        cls.answer_support = Template.create(
            {
                "name": "Support: we are on it",
                "model_id": model,
                "section_id": cls.support.id,
                "subject": "[{{ object.number }}] We are on it",
                "body_html": BODY,
                "partner_to": "{{ object.partner_id.id }}",
                "lang": "{{ object.partner_id.lang }}",
            }
        )
        cls.answer_opportunities = Template.create(
            {
                "name": "Opportunities: your offer",
                "model_id": model,
                "section_id": cls.opportunities.id,
                "body_html": "<p>Your offer</p>",
            }
        )
        cls.answer_everyone = Template.create(
            {
                "name": "Any case: thank you",
                "model_id": model,
                "body_html": "<p>Thank you</p>",
            }
        )
        cls.case = cls._new_case(
            cls.first_level,
            "The web shop refuses my card",
            partner_id=cls.customer.id,
            user_id=cls.user_support.id,
        )

    def _composer(self, case, user):
        """The full composer opened from the case's chatter, as ``user``."""
        return Form(
            self.env["mail.compose.message"]
            .with_user(user)
            .with_context(
                default_model="crm.case",
                default_res_ids=case.ids,
                default_composition_mode="comment",
            )
        )

    def _offered(self, composer, user):
        """The templates the composer's template field offers, its domain
        evaluated with the composer's values as the web client does."""
        Composer = self.env["mail.compose.message"].with_user(user)
        domain = Composer.fields_get(["template_id"])["template_id"]["domain"]
        values = dict(composer._get_eval_context(), uid=user.id)
        return (
            self.env["mail.template"].with_user(user).search(safe_eval(domain, values))
        )

    def test_section_answers_offered_in_its_sub_sections(self):
        composer = self._composer(self.case, self.user_support)
        offered = self._offered(composer, self.user_support)
        self.assertIn(self.answer_support, offered, "Support's, from First level")
        self.assertIn(self.answer_everyone, offered)
        self.assertNotIn(self.answer_opportunities, offered)

    def test_other_department_answers_not_offered(self):
        case = self._new_case(
            self.web_opportunities, "Offer for 200 l of oil", user_id=self.user_sales.id
        )
        composer = self._composer(case, self.user_sales)
        offered = self._offered(composer, self.user_sales)
        self.assertIn(self.answer_opportunities, offered)
        self.assertNotIn(self.answer_support, offered)

    def test_other_models_composer_unchanged(self):
        partner_template = self.env["mail.template"].create(
            {
                "name": "Partner hello",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
            }
        )
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(self.user_support)
            .with_context(
                default_model="res.partner",
                default_res_ids=self.customer.ids,
                default_composition_mode="comment",
            )
        )
        self.assertIn(partner_template, self._offered(composer, self.user_support))

    def test_answer_renders_customer_number_and_responsible(self):
        composer = self._composer(self.case, self.user_support)
        composer.template_id = self.answer_support
        self.assertEqual(composer.subject, f"[{self.case.number}] We are on it")
        self.assertIn("Hello Oil Buyer", composer.body)
        self.assertIn(self.case.number, composer.body)
        self.assertIn("Sergio Support", composer.body)
        composer.save().action_send_mail()
        message = self.case.message_ids[0]
        self.assertIn("Sergio Support", message.body)
        self.assertEqual(message.author_id, self.user_support.partner_id)
        self.assertIn(self.customer, message.partner_ids)

    def test_answer_renders_in_the_customer_language(self):
        load_spanish(self.env)
        self.answer_support.with_context(lang="es_ES").write(
            {"subject": "[{{ object.number }}] Nos ocupamos", "body_html": BODY_ES}
        )
        self.customer.lang = "es_ES"
        composer = self._composer(self.case, self.user_support)
        composer.template_id = self.answer_support
        self.assertEqual(composer.subject, f"[{self.case.number}] Nos ocupamos")
        self.assertIn("Hola, Oil Buyer: su caso", composer.body)
        self.assertIn("lo sigue Sergio Support", composer.body)
        self.customer.lang = "en_US"
        composer = self._composer(self.case, self.user_support)
        composer.template_id = self.answer_support
        self.assertIn("Hello Oil Buyer", composer.body)

    def test_demo_has_ready_answers_per_department(self):
        demo = self.env.ref(
            "crm_case_sections.mail_template_ready_support_received",
            raise_if_not_found=False,
        )
        if not demo:
            self.skipTest("the demo data is not installed")
        templates = self.env["mail.template"].search(
            [("model", "=", "crm.case"), ("section_id", "!=", False)]
        )
        self.assertGreaterEqual(len(templates.section_id.root_id), 3)
        canned = self.env["mail.canned.response"].search(
            [("source", "in", ["received", "recibido"])]
        )
        self.assertEqual(len(canned), 2)
