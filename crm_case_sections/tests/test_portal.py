# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, JsonRpcException, tagged

from .common import load_spanish, new_case_user, new_portal_user, new_section


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    """A customer's company has three cases, another customer has one: what
    each customer reads, answers and opens from My Account > Cases."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Acme Oils", "is_company": True})
        cls.ana = new_portal_user(
            cls.env, "portal_ana", "Ana Customer", email="ana@acme.example.com"
        )
        cls.ana.partner_id.parent_id = cls.acme
        cls.colleague = Partner.create(
            {"name": "Carlos Colleague", "parent_id": cls.acme.id}
        )
        cls.zoe = new_portal_user(
            cls.env, "portal_zoe", "Zoe Zeta", email="zoe@zeta.example.com"
        )
        cls.employee = new_case_user(
            cls.env,
            "portal_support_agent",
            "Sergio Support",
            email="sergio@company.example.com",
        )
        cls.support = new_section(
            cls.env, "Support", user=cls.employee, portal_open=True
        )
        cls.internal = new_section(cls.env, "Internal audits")
        Case = cls.env["crm.case"]

        def case(name, partner, **vals):
            return Case.create(
                {
                    "name": name,
                    "section_id": cls.support.id,
                    "partner_id": partner.id,
                    "expected_revenue": 987654.32,
                    "planned_cost": 123456.78,
                    "probability": 35,
                    **vals,
                }
            )

        cls.own_case = case("Pump leaking", cls.ana.partner_id)
        cls.company_case = case("Invoice question", cls.acme)
        cls.colleague_case = case("Oil sample", cls.colleague)
        cls.other_case = case("Zeta barrels", cls.zoe.partner_id)
        cls.own_case.message_post(
            body="Our margin on this pump is thin, keep it quiet",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        cls.own_case.message_post(
            body="A technician visits you on Monday",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def test_customer_reads_exactly_his_and_his_company_cases(self):
        company_cases = self.own_case | self.company_case | self.colleague_case
        self.assertEqual(
            self.env["crm.case"].with_user(self.ana).search([]), company_cases
        )
        self.assertEqual(
            self.env["crm.case"].with_user(self.zoe).search([]), self.other_case
        )
        self.authenticate("portal_ana", "portal_ana")
        page = self.url_open("/my/cases")
        self.assertEqual(page.status_code, 200)
        for case in company_cases:
            self.assertIn(case.number, page.text)
        self.assertNotIn(self.other_case.number, page.text)
        self.assertNotIn("Zeta barrels", page.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["case_count"]}
        )
        self.assertEqual(counters["case_count"], 3)

    def test_cases_of_a_colleague_who_left_stay_listed(self):
        self.colleague.active = False
        self.authenticate("portal_ana", "portal_ana_pwd")
        page = self.url_open("/my/cases")
        self.assertIn(self.colleague_case.number, page.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["case_count"]}
        )
        self.assertEqual(counters["case_count"], 3)

    def test_another_customer_case_is_forbidden(self):
        self.authenticate("portal_ana", "portal_ana")
        own = self.url_open(f"/my/cases/{self.colleague_case.id}")
        self.assertEqual(own.status_code, 200)
        self.assertIn("Oil sample", own.text)
        other = self.url_open(f"/my/cases/{self.other_case.id}")
        self.assertEqual(other.status_code, 403)
        self.assertNotIn("Zeta barrels", other.text)
        missing = self.url_open(f"/my/cases/{self.other_case.id + 1000000}")
        self.assertEqual(missing.status_code, 404)
        with self.assertRaises(AccessError):
            self.other_case.with_user(self.ana).read(["name"])
        with self.assertRaises(AccessError):
            self.own_case.with_user(self.ana).write({"name": "Renamed"})

    def test_shared_link_opens_the_case_with_its_token(self):
        self.authenticate("portal_ana", "portal_ana")
        url = self.other_case._get_share_url(redirect=False)
        self.assertIn("access_token=", url)
        shared = self.url_open(url)
        self.assertEqual(shared.status_code, 200)
        self.assertIn("Zeta barrels", shared.text)
        wrong = self.url_open(
            f"/my/cases/{self.other_case.id}?access_token=not-the-token"
        )
        self.assertEqual(wrong.status_code, 403)

    def test_no_internal_note_and_no_money_on_the_portal(self):
        self.authenticate("portal_ana", "portal_ana")
        page = self.url_open(f"/my/cases/{self.own_case.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Pump leaking", page.text)
        for secret in ("987,654", "987654", "123,456", "123456", "margin on this pump"):
            self.assertNotIn(secret, page.text)
        thread = self.make_jsonrpc_request(
            "/mail/thread/messages",
            {"thread_model": "crm.case", "thread_id": self.own_case.id},
        )
        bodies = " ".join(
            str(message.get("body"))
            for message in thread["data"]["mail.message"]
            if message["id"] in thread["messages"]
        )
        self.assertIn("A technician visits you on Monday", bodies)
        self.assertNotIn("margin on this pump", bodies)
        # the ORM refuses the money fields to portal users, whatever the page
        as_ana = self.own_case.with_user(self.ana)
        for field in ("expected_revenue", "planned_cost", "probability"):
            with self.assertRaises(AccessError):
                as_ana.read([field])
        self.assertNotIn("expected_revenue", as_ana.fields_get())

    def _answer_as_ana(self, body, message_type="comment"):
        """Ana answers her case from its portal page, as the chatter does
        (or as a hand-made request with another message type does)."""
        self.authenticate("portal_ana", "portal_ana")
        post_data = {"body": body, "subtype_xmlid": "mail.mt_comment"}
        if message_type:
            post_data["message_type"] = message_type
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "crm.case",
                "thread_id": self.own_case.id,
                "post_data": post_data,
            },
        )

    def test_portal_reply_lands_in_chatter_and_reaches_watchers(self):
        self.own_case.email_cc = (
            '"Boss" <boss@acme.example.com>, eve@partner.example.com'
        )
        self._answer_as_ana("Monday suits us, thank you")
        reply = self.own_case.message_ids[0]
        self.assertEqual(reply.author_id, self.ana.partner_id)
        self.assertIn("Monday suits us", str(reply.body))
        copies = self.env["mail.mail"].search([("mail_message_id", "=", reply.id)])
        recipients = ",".join(filter(None, copies.mapped("email_to")))
        self.assertIn("boss@acme.example.com", recipients)
        self.assertIn("eve@partner.example.com", recipients)
        self.assertNotIn("ana@acme.example.com", recipients)

    def test_new_case_from_the_portal(self):
        self.authenticate("portal_ana", "portal_ana")
        form = self.url_open("/my/cases/new")
        self.assertEqual(form.status_code, 200)
        self.assertIn("Support", form.text)
        self.assertNotIn("Internal audits", form.text)
        response = self.url_open(
            "/my/cases/new",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "section_id": self.support.id,
                "name": "Gearbox noise",
                "description": "Since yesterday\nat high speed",
            },
        )
        case = self.env["crm.case"].search([("name", "=", "Gearbox noise")])
        self.assertEqual(len(case), 1)
        self.assertTrue(response.url.endswith(f"/my/cases/{case.id}"))
        self.assertEqual(case.partner_id, self.ana.partner_id)
        self.assertEqual(case.section_id, self.support)
        self.assertEqual(case.user_id, self.employee)
        self.assertEqual(
            case.channel_id, self.env.ref("crm_case_sections.utm_medium_portal")
        )
        self.assertIn("Since yesterday", str(case.description))
        self.assertIn(self.ana.partner_id, case.message_partner_ids)
        # his request is the first message: the answer clock runs, and the
        # acknowledgement cron gives him the reference
        request = case.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(request.author_id, self.ana.partner_id)
        self.assertIn("Since yesterday", str(request.body))
        self.assertTrue(case.waiting_since)
        self.env["crm.case"]._cron_send_acknowledgements()
        ack = (
            self.env["mail.mail"]
            .search([("model", "=", "crm.case"), ("res_id", "=", case.id)])
            .filtered(lambda mail: mail.email_to == "ana@acme.example.com")
        )
        self.assertEqual(len(ack), 1)
        self.assertIn(f"[{case.number}]", ack.subject)

    def test_new_case_refused_outside_portal_sections_keeps_the_input(self):
        self.authenticate("portal_ana", "portal_ana")
        Case = self.env["crm.case"]
        before = Case.search_count([])
        for section, name, error in (
            (self.internal, "Audit my account", "choose one of the proposed"),
            (self.support, "   ", "give your case a subject"),
        ):
            response = self.url_open(
                "/my/cases/new",
                data={
                    "csrf_token": http.Request.csrf_token(self),
                    "section_id": section.id,
                    "name": name,
                    "description": "Please keep this text",
                },
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn(error, response.text)
            self.assertIn("Please keep this text", response.text)
        self.assertEqual(Case.search_count([]), before)

    def test_no_portal_section_means_no_new_case(self):
        # the demo company's Support is open to the portal too
        self.env["crm.case.section"].search(
            [("portal_open", "=", True)]
        ).portal_open = False
        self.authenticate("portal_ana", "portal_ana")
        response = self.url_open("/my/cases/new")
        self.assertTrue(response.url.endswith("/my"))
        self.assertNotIn("/my/cases/new", self.url_open("/my/cases").text)

    def test_portal_pages_in_spanish(self):
        load_spanish(self.env)
        self.ana.lang = "es_ES"
        self.authenticate("portal_ana", "portal_ana")
        home = self.url_open("/my").text
        self.assertIn("Siga y responda a sus casos", home)
        cases = self.url_open("/my/cases").text
        self.assertIn("Nuevo caso", cases)
        self.assertIn("Abierto el", cases)
        page = self.url_open(f"/my/cases/{self.own_case.id}").text
        self.assertIn("Sección:", page)
        self.assertIn("Mensajes", page)
        form = self.url_open("/my/cases/new").text
        self.assertIn("Abrir un nuevo caso", form)

    def test_opportunities_and_supplier_follow_ups_stay_internal(self):
        Type = self.env["crm.case.type"]
        internal = self.own_case.copy({"name": "Upsell the blue pump"})
        internal.type_id = Type.create(
            {"name": "Portal test opportunity", "kind": "opportunity"}
        )
        supplier = self.own_case.copy({"name": "Acme late delivery"})
        supplier.type_id = Type.create(
            {"name": "Portal test supplier", "kind": "supplier"}
        )
        visible = self.env["crm.case"].with_user(self.ana).search([])
        self.assertNotIn(internal, visible)
        self.assertNotIn(supplier, visible)
        self.authenticate("portal_ana", "portal_ana")
        self.assertNotIn("Upsell the blue pump", self.url_open("/my/cases").text)
        self.assertEqual(self.url_open(internal.access_url).status_code, 403)

    def test_employees_see_on_the_portal_only_their_cases_as_customers(self):
        self.authenticate("portal_support_agent", "portal_support_agent")
        page = self.url_open("/my/cases")
        self.assertEqual(page.status_code, 200)
        self.assertIn("You have no case yet", page.text)
        self.assertNotIn(self.own_case.number, page.text)

    def test_new_case_needs_the_form_token(self):
        self.authenticate("portal_ana", "portal_ana")
        response = self.url_open(
            "/my/cases/new",
            data={"section_id": self.support.id, "name": "Forged request"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["crm.case"].search([("name", "=", "Forged request")]))

    def test_sections_of_another_company_are_not_offered(self):
        other_company = self.env["res.company"].create({"name": "Other Oils"})
        foreign = new_section(
            self.env, "Foreign support", portal_open=True, company_id=other_company.id
        )
        self.authenticate("portal_ana", "portal_ana")
        self.assertNotIn("Foreign support", self.url_open("/my/cases/new").text)
        response = self.url_open(
            "/my/cases/new",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "section_id": foreign.id,
                "name": "Through the back door",
            },
        )
        self.assertIn("choose one of the proposed", response.text)
        self.assertFalse(self.env["crm.case"].search([("section_id", "=", foreign.id)]))

    def test_portal_answer_reopens_a_closed_case(self):
        self.own_case.stage_id = self.env.ref("crm_case_sections.stage_done")
        self.assertTrue(self.own_case.is_closed)
        self._answer_as_ana("The pump leaks again")
        self.assertFalse(self.own_case.is_closed)
        self.assertTrue(self.own_case.waiting_since)

    def test_answer_long_after_the_close_is_refused_for_a_new_case(self):
        self.support.reopen_days = 7
        with freeze_time(datetime.now() - timedelta(days=30)):
            self.own_case.stage_id = self.env.ref("crm_case_sections.stage_done")
            self.env.flush_all()
        messages = self.own_case.message_ids
        self.authenticate("portal_ana", "portal_ana")
        page = self.url_open(self.own_case.access_url).text
        self.assertIn("This case is closed", page)
        self.assertIn('data-allow_composer="0"', page)
        self.assertIn('href="/my/cases/new"', page)
        with self.assertRaisesRegex(JsonRpcException, "UserError"):
            self._answer_as_ana("The pump leaks again")
        # /mail/message/post passes the client's message type on: none opens
        # the door the chatter's comment finds closed
        for message_type in ("email", "notification", None):
            with self.assertRaisesRegex(JsonRpcException, "UserError"):
                self._answer_as_ana("The pump leaks again", message_type)
        # what the chatter shows her: the case, its close, and what to do
        case_as_ana = self.own_case.with_user(self.ana).sudo()
        with self.assertRaisesRegex(
            UserError, r"C\d+ was closed on .+ please open a new case"
        ):
            case_as_ana.message_post(body="Still leaking", message_type="comment")
        self.assertTrue(self.own_case.is_closed)
        self.assertEqual(self.own_case.message_ids, messages)
        load_spanish(self.env, ["crm_case_sections"])
        self.ana.lang = "es_ES"
        self.authenticate("portal_ana", "portal_ana")
        page = self.url_open(self.own_case.access_url).text
        self.assertIn("ya no admite respuestas", page)

    def test_answer_within_the_days_keeps_the_composer(self):
        self.support.reopen_days = 7
        with freeze_time(datetime.now() - timedelta(days=3)):
            self.own_case.stage_id = self.env.ref("crm_case_sections.stage_done")
            self.env.flush_all()
        self.authenticate("portal_ana", "portal_ana")
        page = self.url_open(self.own_case.access_url).text
        self.assertNotIn("This case is closed", page)
        self.assertIn('data-allow_composer="1"', page)
        self._answer_as_ana("The pump leaks again")
        self.assertFalse(self.own_case.is_closed)

    def test_customer_sees_the_service_level_and_expected_answer(self):
        self.env["crm.case.sla"].create(
            {
                "name": "Answer in 4 hours",
                "section_id": self.support.id,
                "time_first_response": 4,
            }
        )
        case = self.env["crm.case"].create(
            {
                "name": "Valve stuck",
                "section_id": self.support.id,
                "partner_id": self.ana.partner_id.id,
            }
        )
        self.assertEqual(case.sla_status, "on_time")
        self.authenticate("portal_ana", "portal_ana")
        page = self.url_open(f"/my/cases/{case.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Answer Expected By", page.text)
        self.assertIn("On Time", page.text)
        listing = self.url_open("/my/cases")
        self.assertIn("On Time", listing.text)
        # no policy, nothing promised
        self.assertNotIn(
            "Answer Expected By", self.url_open(self.own_case.access_url).text
        )

    def test_section_of_a_sub_section_in_the_customer_language(self):
        self.env["res.lang"]._activate_lang("es_ES")
        self.support.with_context(lang="es_ES").name = "Soporte"
        pumps = new_section(self.env, "Pumps", parent=self.support)
        pumps.with_context(lang="es_ES").name = "Bombas"
        self.own_case.section_id = pumps
        self.ana.lang = "es_ES"
        self.authenticate("portal_ana", "portal_ana")
        self.assertIn("Soporte / Bombas", self.url_open("/my/cases").text)
        page = self.url_open(f"/my/cases/{self.own_case.id}").text
        self.assertIn("Soporte / Bombas", page)
        self.assertNotIn("Support / Pumps", page)

    def test_empty_filter_says_no_case_matches_it(self):
        self.authenticate("portal_ana", "portal_ana")
        closed = self.url_open("/my/cases?filterby=closed").text
        self.assertIn("No case matches this filter.", closed)
        self.assertNotIn("You have no case yet", closed)
        self.assertIn("Pump leaking", self.url_open("/my/cases").text)

    def test_cases_card_uses_a_portal_sized_icon(self):
        self.authenticate("portal_ana", "portal_ana")
        home = self.url_open("/my").text
        self.assertIn("/crm_case_sections/static/src/img/cases.svg", home)
        icon = self.url_open("/crm_case_sections/static/src/img/cases.svg").text
        self.assertIn('width="64" height="64"', icon)

    def test_chatter_terms_load_on_the_portal(self):
        load_spanish(self.env, ["mail", "crm_case_sections"])
        self.ana.lang = "es_ES"
        self.authenticate("portal_ana", "portal_ana")
        # what the portal's pages fetch for their scripts, the chatter's included
        modules = self.url_open("/website/translations/1?lang=es_ES").json()["modules"]
        mail_terms = {
            message["id"]: message["string"] for message in modules["mail"]["messages"]
        }
        self.assertEqual(mail_terms["Read More"], "Leer más")
        self.assertIn("crm_case_sections", modules)
