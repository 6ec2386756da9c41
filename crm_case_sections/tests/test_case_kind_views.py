# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Each kind of case shows its own fields and words, as its user opens it:
no money on a support case, the supplier on a supplier follow-up, dates
without seconds; the analysis opens on a measure every case has; the form
warns before a case leaves the user's sight, and an escalation says where
the case went."""

from lxml import etree

from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .common import CaseCommon

MONEY = ("expected_revenue", "planned_cost", "probability", "prorated_revenue")


@tagged("post_install", "-at_install")
class TestCaseKindViews(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.type_supplier = cls.env["crm.case.type"].create(
            {"name": "Test supplier", "kind": "supplier"}
        )
        cls.Case = cls.env["crm.case"].with_user(cls.user_support)

    def _form_arch(self):
        return etree.fromstring(
            self.Case.get_views([(False, "form")])["views"]["form"]["arch"]
        )

    def test_money_only_on_opportunities(self):
        case = self._new_case(self.support, type_id=self.type_support.id)
        with Form(case.with_user(self.user_support)) as form:
            for name in MONEY:
                self.assertTrue(form._get_modifier(name, "invisible"), name)
        opportunity = self._new_case(
            self.opportunities, type_id=self.type_opportunity.id
        )
        with Form(opportunity.with_user(self.user_sales)) as form:
            for name in MONEY:
                self.assertFalse(form._get_modifier(name, "invisible"), name)

    def test_partner_label_follows_the_kind(self):
        labels = self._form_arch().xpath("//label[@for='partner_id']")
        self.assertTrue(labels)
        for kind, expected in (
            ("supplier", ["Supplier"]),
            ("support", ["Customer"]),
            ("opportunity", ["Customer"]),
        ):
            shown = [
                label.get("string")
                for label in labels
                if not safe_eval(label.get("invisible") or "False", {"kind": kind})
            ]
            self.assertEqual(shown, expected, kind)
        case = self._new_case(self.support, type_id=self.type_supplier.id)
        with Form(case.with_user(self.user_support)) as form:
            self.assertEqual(
                form._get_context("partner_id")["res_partner_search_mode"],
                "supplier",
            )

    def test_dates_without_seconds(self):
        arch = self._form_arch()
        for name in ("date_deadline", "date_action_next", "date_closed"):
            [node] = arch.xpath(f"//field[@name='{name}']")
            self.assertEqual(
                safe_eval(node.get("options"))["show_seconds"], False, name
            )

    def test_service_level_only_where_a_policy_applies(self):
        [page] = self._form_arch().xpath("//page[@name='service_level']")
        self.assertEqual(page.get("invisible"), "not sla_ids")

    def test_analysis_opens_on_the_count_without_technical_measures(self):
        for view_type in ("graph", "pivot"):
            arch = etree.fromstring(
                self.Case.get_views([(False, view_type)])["views"][view_type]["arch"]
            )
            measures = arch.xpath("//field[@type='measure']/@name")
            self.assertFalse(set(measures) & set(MONEY), view_type)
            for name in ("color", "message_bounce"):
                [node] = arch.xpath(f"//field[@name='{name}']")
                self.assertEqual(node.get("invisible"), "1", (view_type, name))
        # the support agent's chart counts her cases
        self._new_case(self.hardware, type_id=self.type_support.id)
        groups = self.Case.read_group([], ["__count"], ["section_root_id"], lazy=False)
        self.assertEqual(groups[0]["__count"], 1)
        # the opportunities' analysis opens on their money
        context = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections.crm_case_action_opportunity"
        )["context"]
        self.assertIn("'graph_measure': 'expected_revenue'", context)

    def test_form_warns_before_a_transfer_out_of_sight(self):
        case = self._new_case(self.support, type_id=self.type_support.id)
        with Form(case.with_user(self.user_support)) as form:
            self.assertFalse(form.is_outside_my_sections)
            form.section_id = self.hardware
            self.assertFalse(form.is_outside_my_sections)
            with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
                form.type_id = self.type_opportunity
            self.assertEqual(form.section_id, self.opportunities)
            self.assertTrue(form.is_outside_my_sections)
            self.assertIn("you will no longer see it", logs.output[0])
            form.type_id = self.type_support
            form.section_id = self.support
            self.assertFalse(form.is_outside_my_sections)

    def test_escalation_says_where_the_case_went(self):
        case = self._new_case(self.hardware, type_id=self.type_support.id)
        result = case.with_user(self.user_support).action_escalate()
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(
            result["params"]["message"],
            f"{case.number} escalated to Support (Sergio Support)",
        )
        # she still sees it: the form shows it in its new section
        self.assertEqual(result["params"]["next"]["tag"], "soft_reload")

    def test_transfer_notice_and_chatter_say_transferred(self):
        case = self._new_case(self.support, type_id=self.type_support.id)
        self.env.flush_all()
        self.env.cr.flush()  # the creation's tracking, out of the way
        as_user = case.with_user(self.user_support)
        as_user.type_id = self.type_opportunity
        self.env.flush_all()
        self.env.cr.flush()  # tracking messages are posted at commit time
        self.assertEqual(
            as_user.get_transfer_notice(),
            [f"{case.number} transferred to Opportunities (Olga Opportunities)"],
        )
        self.assertIn(
            "Transferred from Support to Opportunities",
            case.message_ids[0].body,
        )
