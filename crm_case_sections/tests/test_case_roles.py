# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every action the interface offers, tried by every role the way the web
client does it: ``Form`` (``onchange``/``web_save``/``web_read`` with the
form's own specs) for the backend, ``web_search_read``/``read_group`` for
lists and reports, HTTP for the portal. Each cell of ``MATRIX`` is the
outcome a person of that role must get:

- ``ok``: done, and the user still sees the case;
- ``handed``: done, the case went to a department he does not work in; he is
  told where and can no longer open it;
- ``denied``: a clear error (``UserError``, ``AccessError`` included), nothing
  changed;
- ``None``: the action does not exist for that role (not tried).
"""

import ast

from odoo import http
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import CASE_MANAGER_GROUPS, CASE_USER_GROUPS, new_section

ROLES = (
    "first_level",  # member of Support / Web site / First level only
    "department",  # member of Support
    "salesman",  # CRM salesman, member of Opportunities
    "purchase",  # member of Suppliers
    "manager",
    "portal",  # customer of the cases
    "portal_other",  # customer of another company
    "internal",  # employee without case rights
    "company2",  # case user of the second company
)
MATRIX = {
    # action: outcome per role, in the order of ROLES
    "create_in_own_section": "ok ok ok ok ok denied denied denied ok",
    "create_in_other_department": (
        "handed handed handed handed ok denied denied denied denied"
    ),
    "create_from_opportunity_menu": (
        "handed handed ok handed ok denied denied denied denied"
    ),
    "create_from_cases_by_section": "ok ok ok ok ok denied denied denied ok",
    "change_type": "handed handed handed handed ok denied denied denied denied",
    "escalate": "handed ok ok ok ok denied denied denied denied",
    "change_stage": "ok ok ok ok ok denied denied denied ok",
    "close_and_reopen": "ok ok ok ok ok denied denied denied ok",
    "post_message_and_note": "ok ok ok ok ok denied denied denied ok",
    "add_watchers": "ok ok ok ok ok denied denied denied ok",
    "cases_by_section": "ok ok ok ok ok denied denied denied ok",
    "pivot_and_graph": "ok ok ok ok ok denied denied denied ok",
    "portal_list": "- - - - - ok ok - -",
    "portal_open": "- - - - - ok denied - -",
    "portal_answer": "- - - - - ok denied - -",
    "portal_create": "- - - - - ok ok - -",
}


@tagged("post_install", "-at_install")
class TestCaseRoles(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.other_company = cls.env["res.company"].create({"name": "Oil Portugal"})

        def user(role, groups, **vals):
            return mail_new_test_user(
                cls.env,
                login=f"role_{role}",
                password=f"role_{role}_pwd",
                name=f"{role.replace('_', ' ').title()} Person",
                email=f"{role}@roles.example.com",
                groups=groups,
                **vals,
            )

        cls.users = {
            "first_level": user("first_level", CASE_USER_GROUPS),
            "department": user("department", CASE_USER_GROUPS),
            "salesman": user(
                "salesman", CASE_USER_GROUPS + ",sales_team.group_sale_salesman"
            ),
            "purchase": user("purchase", CASE_USER_GROUPS),
            "manager": user("manager", CASE_MANAGER_GROUPS),
            "portal": user("portal", "base.group_portal"),
            "portal_other": user("portal_other", "base.group_portal"),
            "internal": user("internal", "base.group_user"),
            "company2": user(
                "company2",
                CASE_USER_GROUPS,
                company_id=cls.other_company.id,
                company_ids=[(6, 0, cls.other_company.ids)],
            ),
        }
        u = cls.users

        def section(name, parent=None, **vals):
            return new_section(cls.env, name, parent=parent, **vals)

        cls.support = section("Support", user=u["department"], portal_open=True)
        cls.hardware = section("Hardware", cls.support)
        cls.website = section("Web site", cls.support)
        cls.first_level = section(
            "First level", cls.website, member_ids=u["first_level"].ids
        )
        cls.opportunities = section("Opportunities", user=u["salesman"])
        cls.web_opportunities = section("Web", cls.opportunities)
        cls.suppliers = section("Suppliers", user=u["purchase"])
        cls.complaints = section("Complaint", cls.suppliers)
        cls.lisbon = section(
            "Lisbon", user=u["company2"], company_id=cls.other_company.id
        )
        Type = cls.env["crm.case.type"]
        cls.type_support = Type.create(
            {"name": "Role support", "kind": "support", "section_id": cls.support.id}
        )
        cls.type_opportunity = Type.create(
            {
                "name": "Role opportunity",
                "kind": "opportunity",
                "section_id": cls.opportunities.id,
            }
        )
        cls.support.default_type_id = cls.type_support
        cls.acme = cls.env["res.partner"].create(
            {"name": "Acme Oils", "is_company": True}
        )
        u["portal"].partner_id.parent_id = cls.acme
        cls.home_sections = {
            "first_level": cls.first_level,
            "department": cls.hardware,
            "salesman": cls.web_opportunities,
            "purchase": cls.complaints,
            "manager": cls.first_level,
            "company2": cls.lisbon,
        }
        cls.stage_new = cls.env.ref("crm_case_sections.stage_new")
        cls.stage_progress = cls.env.ref("crm_case_sections.stage_in_progress")
        cls.stage_done = cls.env.ref("crm_case_sections.stage_done")

    # ------------------------------------------------------------
    # The table
    # ------------------------------------------------------------

    def test_role_matrix(self):
        results = {}
        for action, row in MATRIX.items():
            for role, expected in zip(ROLES, row.split(), strict=True):
                if expected == "-":
                    continue
                with self.subTest(action=action, role=role):
                    outcome = self._try(action, role)
                    results[action, role] = outcome == expected
                    self.assertEqual(
                        outcome, expected, f"{action} as {role}: {outcome}"
                    )
        self.assertEqual(
            len(results), sum(c != "-" for row in MATRIX.values() for c in row.split())
        )

    def _try(self, action, role):
        """Run ``action`` as ``role`` in a savepoint; its outcome."""
        self.env.invalidate_all()
        try:
            with self.env.cr.savepoint():
                return getattr(self, f"_action_{action}")(role) or "ok"
        except UserError:
            # AccessError is a UserError: the web client shows its message
            return "denied"
        finally:
            self.env.invalidate_all()

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def _as(self, role):
        return self.env(user=self.users[role])

    def _home_case(self, role, **vals):
        """A new case of the role's own department; for those who have none,
        a case of Support that is not theirs."""
        section = self.home_sections.get(role, self.hardware)
        kind = self.type_opportunity if role == "salesman" else self.type_support
        values = {"name": f"Case of {role}", "section_id": section.id}
        if section.company_id == self.env.company:
            values["type_id"] = kind.id
        return self.env["crm.case"].create(dict(values, **vals))

    def _outcome_of_move(self, role, case, target):
        """``handed`` when the case left the user's sight, ``ok`` otherwise;
        either way it is in ``target`` with its responsible."""
        case.invalidate_recordset()
        self.assertEqual(case.section_id, target)
        self.assertEqual(case.user_id, target._get_responsible())
        as_user = case.with_env(self._as(role))
        notices = as_user.get_transfer_notice()
        if as_user.has_access("read"):
            self.assertFalse(notices)
            return "ok"
        self.assertEqual(
            notices,
            [
                f"{case.number} transferred to {target.display_name} "
                f"({target._get_responsible().name})"
            ],
        )
        return "handed"

    def _form_create(self, role, context=None, **values):
        Case = self._as(role)["crm.case"].with_context(**(context or {}))
        with Form(Case) as form:
            form.name = f"Created by {role}"
            for name, value in values.items():
                setattr(form, name, value)
        case = form.record.sudo()
        self.assertTrue(case.number.startswith("C"), case.number)
        self.assertEqual(case.create_uid, self.users[role])
        return case

    # ------------------------------------------------------------
    # Backend actions
    # ------------------------------------------------------------

    def _action_create_in_own_section(self, role):
        section = self.home_sections.get(role, self.hardware)
        case = self._form_create(role, {"search_default_open": 1}, section_id=section)
        return self._outcome_of_move(role, case, section)

    def _action_create_in_other_department(self, role):
        target = self.support if role == "salesman" else self.opportunities
        case = self._form_create(role, section_id=target)
        # the creator follows the case: he keeps hearing of it
        self.assertIn(self.users[role].partner_id, case.message_partner_ids)
        return self._outcome_of_move(role, case, target)

    def _action_create_from_opportunity_menu(self, role):
        # the menu's context; the type's department fills the section
        case = self._form_create(
            role,
            {"default_type_id": self.type_opportunity.id, "search_default_open": 1},
        )
        self.assertEqual(case.kind, "opportunity")
        return self._outcome_of_move(role, case, self.opportunities)

    def _action_create_from_cases_by_section(self, role):
        section = self.home_sections.get(role, self.hardware)
        action = section.with_env(self._as(role)).action_open_cases()
        case = self._form_create(role, action["context"])
        return self._outcome_of_move(role, case, section)

    def _action_change_type(self, role):
        case = self._home_case(role)
        source = case.section_id
        new_type = self.type_support if role == "salesman" else self.type_opportunity
        self.env.flush_all()
        self.env.cr.flush()  # the creation's tracking, out of the way
        with Form(case.with_env(self._as(role))) as form:
            form.type_id = new_type
        outcome = self._outcome_of_move(role, case, new_type.section_id)
        self.env.flush_all()
        self.env.cr.flush()  # tracking messages are posted at commit time
        note = case.message_ids[0]
        self.assertIn(
            f"Transferred from {source.display_name} to "
            f"{new_type.section_id.display_name} by {self.users[role].name}",
            note.body,
        )
        self.assertEqual(note.author_id, self.users[role].partner_id)
        return outcome

    def _action_escalate(self, role):
        case = self._home_case(role)
        source = case.section_id
        target = source.parent_id
        as_user = case.with_env(self._as(role))
        self.assertEqual(as_user.is_escalable, bool(target))
        result = as_user.action_escalate()
        outcome = self._outcome_of_move(role, case, target)
        note = case.message_ids.filtered(lambda m: "Escalated" in (m.body or ""))
        self.assertIn(
            f"Escalated from {source.display_name} to {target.display_name} "
            f"by {self.users[role].name}",
            note.body,
        )
        # told where it went, whether he still sees it or not
        self.assertEqual(result["tag"], "display_notification")
        self.assertEqual(
            result["params"]["message"],
            f"{case.number} escalated to {target.display_name} "
            f"({target._get_responsible().name})",
        )
        if outcome == "handed":
            self.assertEqual(result["params"]["next"]["res_model"], "crm.case")
        else:
            self.assertEqual(result["params"]["next"]["tag"], "soft_reload")
        return outcome

    def _action_change_stage(self, role):
        case = self._home_case(role)
        with Form(case.with_env(self._as(role))) as form:
            form.stage_id = self.stage_progress
        self.assertEqual(case.stage_id, self.stage_progress)

    def _action_close_and_reopen(self, role):
        case = self._home_case(role)
        with Form(case.with_env(self._as(role))) as form:
            form.stage_id = self.stage_done
        self.assertTrue(case.is_closed)
        self.assertTrue(case.date_closed)
        with Form(case.with_env(self._as(role))) as form:
            form.stage_id = self.stage_new
        self.assertFalse(case.is_closed)
        self.assertFalse(case.date_closed)

    def _action_post_message_and_note(self, role):
        case = self._home_case(role).with_env(self._as(role))
        message = case.message_post(
            body="We ship on Monday",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        note = case.message_post(
            body="Check the stock first",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(message.author_id, self.users[role].partner_id)
        self.assertTrue(note.is_internal or note.subtype_id.internal)

    def _action_add_watchers(self, role):
        case = self._home_case(role)
        with Form(case.with_env(self._as(role))) as form:
            form.email_cc = "boss@acme.example.com, eve@acme.example.com"
        self.assertEqual(case.email_cc, "boss@acme.example.com, eve@acme.example.com")

    def _action_cases_by_section(self, role):
        case = self._home_case(role)
        env = self._as(role)
        action = env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections.crm_case_section_action_cases"
        )
        spec = {
            "complete_name": {},
            "user_id": {"fields": {"display_name": {}}},
            "open_case_count": {},
            "case_count": {},
        }
        Section = env["crm.case.section"]
        rows = Section.web_search_read(ast.literal_eval(action["domain"]), spec)[
            "records"
        ]
        shown = Section.browse(row["id"] for row in rows)
        home = self.home_sections.get(role)
        if not home:
            # no section of his: nothing to list, and no case to open
            self.assertFalse(shown)
            env["crm.case"].web_search_read([], {"number": {}})
        departments = {
            "first_level": self.first_level,
            "department": self.support,
            "salesman": self.opportunities,
            "purchase": self.suppliers,
            "company2": self.lisbon,
        }
        if role == "manager":
            expected = Section.search([])
            self.assertLessEqual(self.support | self.opportunities, shown)
        else:
            expected = Section.search([("id", "child_of", departments[role].id)])
        self.assertEqual(shown, expected)
        row = next(row for row in rows if row["id"] == home.id)
        self.assertGreaterEqual(row["open_case_count"], 1)
        # a click lists the cases of the section and of its sub-sections
        click = home.with_env(env).action_open_cases()
        cases = env["crm.case"].web_search_read(
            click["domain"], {"number": {}, "name": {}}
        )["records"]
        self.assertIn(case.id, [record["id"] for record in cases])
        self.assertEqual(len(cases), row["case_count"])

    def _action_pivot_and_graph(self, role):
        case = self._home_case(role, expected_revenue=1000)
        Case = self._as(role)["crm.case"]
        # the pivot and the graph read grouped data the same way
        groups = Case.read_group(
            [],
            ["expected_revenue:sum"],
            ["section_root_id", "create_date:month"],
            lazy=False,
        )
        visible = Case.search([])
        self.assertIn(case, visible)
        self.assertEqual(
            sum(group["__count"] for group in groups),
            len(visible),
        )

    # ------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------

    def _portal_case(self):
        return self.env["crm.case"].create(
            {
                "name": "Pump leaking",
                "section_id": self.support.id,
                "partner_id": self.users["portal"].partner_id.id,
            }
        )

    def _login(self, role):
        self.authenticate(f"role_{role}", f"role_{role}_pwd")

    def _action_portal_list(self, role):
        case = self._portal_case()
        self._login(role)
        page = self.url_open("/my/cases")
        self.assertEqual(page.status_code, 200)
        if role == "portal":
            self.assertIn(case.number, page.text)
        else:
            self.assertNotIn(case.number, page.text)

    def _action_portal_open(self, role):
        case = self._portal_case()
        self._login(role)
        page = self.url_open(f"/my/cases/{case.id}")
        if page.status_code == 403:
            raise UserError(page.reason)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Pump leaking", page.text)

    def _action_portal_answer(self, role):
        case = self._portal_case()
        self._login(role)
        try:
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": "crm.case",
                    "thread_id": case.id,
                    "post_data": {
                        "body": "Monday suits us",
                        "message_type": "comment",
                        "subtype_xmlid": "mail.mt_comment",
                    },
                },
            )
        except JsonRpcException as error:
            raise UserError(str(error)) from error
        self.assertIn("Monday suits us", str(case.message_ids[0].body))
        self.assertEqual(case.message_ids[0].author_id, self.users[role].partner_id)

    def _action_portal_create(self, role):
        self._login(role)
        self.url_open(
            "/my/cases/new",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "section_id": self.support.id,
                "name": f"Gearbox noise of {role}",
                "description": "Since yesterday",
            },
        )
        case = self.env["crm.case"].search([("name", "=", f"Gearbox noise of {role}")])
        self.assertEqual(len(case), 1)
        self.assertEqual(case.partner_id, self.users[role].partner_id)
        self.assertTrue(case.with_user(self.users[role]).has_access("read"))

    def test_transfer_notice_only_on_cases_the_user_moved(self):
        case = self._home_case("department")
        case.with_user(self.users["department"]).type_id = self.type_opportunity
        as_mover = case.with_user(self.users["department"])
        self.assertEqual(len(as_mover.get_transfer_notice()), 1)
        # another user, who never touched it, learns nothing about it
        self.assertFalse(
            case.with_user(self.users["first_level"]).get_transfer_notice()
        )
        self.assertFalse(case.with_user(self.users["company2"]).get_transfer_notice())
