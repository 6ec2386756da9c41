# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from freezegun import freeze_time

from .common import CaseCommon


class TestCaseAutomation(CaseCommon):
    """Cases work with Odoo's own automation rules (base.automation)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model_case = cls.env["ir.model"]._get("crm.case")

    def _rule(self, trigger, code, **values):
        return self.env["base.automation"].create(
            {
                "name": f"Test {trigger}",
                "model_id": self.model_case.id,
                "trigger": trigger,
                "action_server_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Tag",
                            "model_id": self.model_case.id,
                            "state": "code",
                            "code": code,
                        },
                    )
                ],
                **values,
            }
        )

    def _field(self, name):
        return self.env["ir.model.fields"]._get("crm.case", name)

    def test_example_rules_are_shipped_inactive(self):
        for xmlid in (
            "crm_case_sections.automation_urgent_support_notify_members",
            "crm_case_sections.automation_idle_opportunity_follow_up",
        ):
            self.assertFalse(self.env.ref(xmlid).active)

    def test_urgent_support_rule_notifies_members(self):
        self.env.ref(
            "crm_case_sections.automation_urgent_support_notify_members"
        ).active = True
        member = self.env["res.users"].create(
            {
                "name": "Mario Member",
                "login": "mario",
                "email": "mario@example.com",
                "groups_id": [(6, 0, self.env.ref("base.group_user").ids)],
            }
        )
        self.hardware.member_ids = member
        case = self._new_case(self.hardware, type_id=self.type_support.id)
        case.priority = "3"
        note = case.message_ids.filtered(
            lambda m: "Urgent support case" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn(member.partner_id, note.partner_ids)
        self.assertIn(member.partner_id, case.message_partner_ids)

    def test_urgent_rule_ignores_opportunities(self):
        self.env.ref(
            "crm_case_sections.automation_urgent_support_notify_members"
        ).active = True
        case = self._new_case(self.opportunities, type_id=self.type_opportunity.id)
        case.priority = "3"
        self.assertFalse(
            case.message_ids.filtered(lambda m: "Urgent" in (m.body or ""))
        )

    def test_idle_opportunity_rule_plans_a_follow_up(self):
        rule = self.env.ref("crm_case_sections.automation_idle_opportunity_follow_up")
        rule.active = True
        idle = self._new_case(self.opportunities, type_id=self.type_opportunity.id)
        support = self._new_case(self.hardware, type_id=self.type_support.id)
        self.env.flush_all()
        # write_date comes from the database clock, which freezegun leaves alone
        self.env.cr.execute(
            "UPDATE crm_case SET write_date = '2026-10-01 09:00' WHERE id IN %s",
            [(idle | support)._ids],
        )
        (idle | support).invalidate_recordset(["write_date"])
        with freeze_time("2026-11-05 09:00:00"):
            rule.last_run = datetime(2026, 10, 1)
            self.env["base.automation"]._check()
        self.assertEqual(idle.activity_ids.summary, "Follow up: no news for 30 days")
        self.assertEqual(idle.activity_ids.user_id, self.user_sales)
        self.assertFalse(support.activity_ids)

    def test_stage_set_trigger(self):
        self._rule(
            "on_stage_set",
            "record.write({'color': 3})",
            trg_field_ref=self.stage_done.id,
        )
        case = self._new_case(self.hardware)
        case.stage_id = self.stage_done
        self.assertEqual(case.color, 3)

    def test_priority_set_trigger(self):
        urgent = self.env.ref("crm_case_sections.selection__crm_case__priority__3")
        self._rule(
            "on_priority_set",
            "record.write({'color': record.color + 1})",
            trg_selection_field_id=urgent.id,
        )
        case = self._new_case(self.hardware)
        case.priority = "2"
        self.assertEqual(case.color, 0)
        case.priority = "3"
        self.assertEqual(case.color, 1)

    def test_user_set_trigger(self):
        self._rule("on_user_set", "record.write({'color': 4})")
        case = self._new_case(self.opportunities)  # the section gives a responsible
        self.assertEqual(case.color, 4)

    def test_message_received_trigger(self):
        self._rule("on_message_received", "record.write({'color': 5})")
        case = self._new_case(self.hardware)
        case.message_post(
            body="Hello",
            message_type="email",
            author_id=self.customer.id,
            subtype_xmlid="mail.mt_comment",
        )
        self.assertEqual(case.color, 5)

    def test_time_trigger_on_deadline(self):
        rule = self._rule(
            "on_time",
            "record.write({'color': 6})",
            trg_date_id=self._field("date_deadline").id,
            trg_date_range=-1,
            trg_date_range_type="day",
        )
        with freeze_time("2026-11-20 11:00:00"):
            case = self._new_case(
                self.hardware, date_deadline=datetime(2026, 11, 21, 10)
            )
            rule.last_run = datetime(2026, 11, 19)
            self.env["base.automation"]._check()
        self.assertEqual(case.color, 6)

    def test_rule_handing_a_case_over_names_the_user(self):
        # a company rule: very urgent support cases go to the sales department
        self._rule(
            "on_priority_set",
            f"record.write({{'type_id': {self.type_opportunity.id}}})",
            trg_selection_field_id=self.env.ref(
                "crm_case_sections.selection__crm_case__priority__3"
            ).id,
        )
        case = self._new_case(self.hardware)
        self.env.flush_all()
        self.env.cr.flush()
        case.with_user(self.user_support).priority = "3"
        self.env.flush_all()
        self.env.cr.flush()  # tracking messages are posted at commit time
        self.assertEqual(case.section_id, self.opportunities)
        self.assertIn(
            "Transferred from Support / Hardware to Opportunities by Sergio Support",
            " ".join(case.message_ids.mapped(lambda message: str(message.body))),
        )
