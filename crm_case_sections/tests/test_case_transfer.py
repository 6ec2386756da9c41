# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import Form

from .common import CaseCommon


class TestCaseTransfer(CaseCommon):
    def test_type_change_moves_case_to_handling_section(self):
        case = self._new_case(self.web_opportunities, type_id=self.type_opportunity.id)
        case.type_id = self.type_support
        self.assertEqual(case.section_id, self.support)
        self.assertEqual(case.user_id, self.user_support)

    def _flush_tracking(self):
        """Tracking messages are posted at commit, as in mail's MailCase."""
        self.env.flush_all()
        self.env.cr.flush()

    def test_type_change_logs_the_transfer(self):
        case = self._new_case(self.web_opportunities, type_id=self.type_opportunity.id)
        self._flush_tracking()
        case.type_id = self.type_support
        self._flush_tracking()
        message = case.message_ids[0]
        self.assertIn("Transferred from Opportunities / Web to Support", message.body)
        tracked = message.tracking_value_ids.mapped("field_id.name")
        self.assertIn("section_id", tracked)
        self.assertIn("user_id", tracked)

    def test_type_change_keeps_case_already_inside_handling_section(self):
        case = self._new_case(self.first_level, user_id=self.user_manager.id)
        self._flush_tracking()
        messages_before = case.message_ids
        case.type_id = self.type_support
        self._flush_tracking()
        self.assertEqual(case.section_id, self.first_level)
        self.assertEqual(case.user_id, self.user_manager)
        self.assertNotIn(
            "Transferred", "".join((case.message_ids - messages_before).mapped("body"))
        )

    def test_type_without_handling_section_does_not_move(self):
        free_type = self.env["crm.case.type"].create(
            {"name": "Anything", "kind": "other"}
        )
        case = self._new_case(self.hardware)
        case.type_id = free_type
        self.assertEqual(case.section_id, self.hardware)

    def test_new_case_with_type_goes_to_handling_section(self):
        case = self.env["crm.case"].create(
            {"name": "Quote", "type_id": self.type_opportunity.id}
        )
        self.assertEqual(case.section_id, self.opportunities)
        self.assertEqual(case.user_id, self.user_sales)

    def test_type_change_in_form_shows_the_move(self):
        case = self._new_case(self.hardware)
        with Form(case) as form:
            form.type_id = self.type_opportunity
            self.assertEqual(form.section_id, self.opportunities)
            self.assertEqual(form.user_id, self.user_sales)
        self.assertEqual(case.section_id, self.opportunities)

    def test_manual_section_change_assigns_its_responsible(self):
        case = self._new_case(self.hardware)
        case.section_id = self.opportunities
        self.assertEqual(case.user_id, self.user_sales)

    def test_sub_section_without_responsible_uses_parent_responsible(self):
        case = self._new_case(self.first_level)
        self.assertEqual(case.user_id, self.user_support)

    def test_section_change_keeps_user_when_no_responsible_up_the_tree(self):
        orphan = self.env["crm.case.section"].create({"name": "Nobody's"})
        case = self._new_case(self.opportunities)
        case.section_id = orphan
        self.assertEqual(case.user_id, self.user_sales)

    def test_explicit_section_wins_over_type_on_creation(self):
        case = self._new_case(self.hardware, type_id=self.type_opportunity.id)
        self.assertEqual(case.section_id, self.hardware)
        self.assertEqual(case.type_id, self.type_opportunity)

    def test_context_type_is_kept_over_section_default(self):
        self.hardware.default_type_id = self.type_support
        case = (
            self.env["crm.case"]
            .with_context(default_type_id=self.type_opportunity.id)
            .create(
                {"name": "From the opportunity menu", "section_id": self.hardware.id}
            )
        )
        self.assertEqual(case.type_id, self.type_opportunity)

    def test_handover_save_returns_only_where_the_case_went(self):
        """A user who hands his case to a department he does not work in
        reads back where it went, nothing of what his specification asks
        about that department's other cases."""
        other = self._new_case(
            self.hardware,
            name="Leaking valve at Other Customer",
            partner_id=(self.env["res.partner"].create({"name": "Other Customer"}).id),
        )
        case = self._new_case(self.web_opportunities, type_id=self.type_opportunity.id)
        greedy = {
            "name": {},
            "description": {},
            "section_id": {
                "fields": {
                    "display_name": {},
                    "child_ids": {
                        "fields": {
                            "case_ids": {"fields": {"name": {}, "partner_id": {}}}
                        }
                    },
                    "case_ids": {"fields": {"name": {}, "email_from": {}}},
                }
            },
            "partner_id": {"fields": {"display_name": {}}},
        }
        result = case.with_user(self.user_sales).web_save(
            {"type_id": self.type_support.id}, greedy
        )
        self.assertEqual(case.section_id, self.support)
        self.assertFalse(case.with_user(self.user_sales).has_access("read"))
        self.assertEqual(
            result,
            [
                {
                    "id": case.id,
                    "number": case.number,
                    "display_name": case.display_name,
                    "section_id": {"id": self.support.id, "display_name": "Support"},
                    "user_id": {
                        "id": self.user_support.id,
                        "display_name": self.user_support.display_name,
                    },
                }
            ],
        )
        self.assertNotIn(other.name, str(result))

    def test_save_in_own_section_reads_what_the_form_asks(self):
        case = self._new_case(self.web_opportunities)
        result = case.with_user(self.user_sales).web_save(
            {"name": "Quote for 200 l"}, {"name": {}, "description": {}}
        )
        self.assertEqual(
            result, [{"id": case.id, "name": "Quote for 200 l", "description": False}]
        )


class TestCaseResponsible(CaseCommon):
    """The responsible follows the section, unless a user chose him."""

    def test_user_written_with_the_section_wins(self):
        case = self._new_case(self.hardware)
        case.write({"section_id": self.opportunities.id, "user_id": False})
        self.assertEqual(case.section_id, self.opportunities)
        self.assertFalse(case.user_id)
        case.write({"section_id": self.support.id, "user_id": self.user_manager.id})
        self.assertEqual(case.user_id, self.user_manager)

    def test_responsible_chosen_by_hand_stays(self):
        case = self._new_case(self.hardware)
        case.user_id = self.user_manager
        case.write({"priority": "2", "name": "Pump leaks again"})
        case.stage_id = self.stage_done
        self.assertEqual(case.user_id, self.user_manager)

    def test_responsible_chosen_on_creation_wins(self):
        case = self._new_case(self.hardware, user_id=self.user_manager.id)
        self.assertEqual(case.user_id, self.user_manager)
        case = (
            self.env["crm.case"]
            .with_context(default_user_id=False)
            .create({"name": "Nobody yet", "section_id": self.hardware.id})
        )
        self.assertFalse(case.user_id)

    def test_responsible_from_the_section_follows_the_case(self):
        case = self._new_case(self.hardware)
        self.assertIn(self.user_support.partner_id, case.message_partner_ids)
        case.section_id = self.opportunities
        self.assertIn(self.user_sales.partner_id, case.message_partner_ids)

    def test_cases_of_several_sections_moved_by_type_together(self):
        cases = self._new_case(self.hardware) | self._new_case(
            self.web_opportunities, type_id=self.type_opportunity.id
        )
        cases.write({"type_id": self.type_opportunity.id, "priority": "1"})
        self.assertEqual(cases.section_id, self.opportunities | self.web_opportunities)
        self.assertEqual(cases[0].section_id, self.opportunities)
        self.assertEqual(cases.user_id, self.user_sales)
        self.assertEqual(set(cases.mapped("priority")), {"1"})
