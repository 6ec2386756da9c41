# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re
from datetime import timedelta

from odoo import fields, http
from odoo.tests import Form, HttpCase, tagged

from .common import (
    CaseCommon,
    GatewayCommon,
    load_spanish,
    new_case_user,
    new_portal_user,
    new_section,
)

TOKEN = re.compile(r"/rate/([\w-]+)/5")


class RatingCommon(CaseCommon):
    """Support asks its customers for a rating when a case is done, and
    reopens a case rated 'Dissatisfied'; Opportunities does not ask."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.template = cls.env.ref(
            "crm_case_sections.mail_template_case_rating_request"
        )
        cls.stage_done.mail_template_id = cls.template
        cls.stage_cancelled = cls.env.ref("crm_case_sections.stage_cancelled")
        cls.support.write({"use_rating": "yes", "rating_reopen": True})

    def _new_case(self, section, name="A case", **values):
        case = super()._new_case(section, name=name, **values)
        self._flush_tracking()  # a case is tracked once created
        return case

    def _flush_tracking(self):
        # the stage's mail is posted when the transaction commits
        self.env.flush_all()
        self.env.cr.flush()

    def _close(self, case, stage=None):
        """Close the case as its responsible does, from the form."""
        user = self.user_support
        if case.section_root_id == self.opportunities:
            user = self.user_sales
        with Form(case.with_user(user)) as form:
            form.stage_id = stage or self.stage_done
        self._flush_tracking()

    def _closing_mails(self, case):
        return case.message_ids.filtered(
            lambda message: message.subject
            and message.subject.endswith(("solved", "resuelto"))
        ).sorted("id")

    def _token(self, message):
        match = TOKEN.search(str(message.body))
        return match and match[1]


class TestCaseRatingRequest(RatingCommon):
    def test_closing_mail_carries_the_rating_request(self):
        # the sub-section asks because its department does
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self._close(case)
        [mail] = self._closing_mails(case)
        token = self._token(mail)
        self.assertTrue(token, "the closing mail carries the faces")
        self.assertIn(f"/rate/{token}/1", str(mail.body))
        self.assertEqual(mail.partner_ids, self.customer)
        rating = self.env["rating.rating"].search([("access_token", "=", token)])
        self.assertEqual(
            (rating.res_id, rating.partner_id, rating.consumed),
            (case.id, self.customer, False),
        )
        self.assertTrue(case.rating_requested)

    def test_same_close_is_never_asked_twice(self):
        self.stage_cancelled.mail_template_id = self.template
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self._close(case)
        # done, then cancelled: still the same close
        self._close(case, self.stage_cancelled)
        first, second = self._closing_mails(case)
        self.assertTrue(self._token(first))
        self.assertFalse(self._token(second), "no second request for one close")
        # reopened, then closed again: a new close, a new question
        with Form(case.with_user(self.user_support)) as form:
            form.stage_id = self.stage_new
        self._flush_tracking()
        self.assertFalse(case.rating_requested)
        self._close(case)
        self.assertTrue(self._token(self._closing_mails(case)[-1]))

    def test_stage_mail_without_faces_leaves_the_request_to_make(self):
        self.stage_done.mail_template_id = self.env.ref(
            "crm_case_sections.mail_template_case_solved"
        )
        self.stage_cancelled.mail_template_id = self.template
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self._close(case)
        self.assertFalse(case.rating_requested)
        self._close(case, self.stage_cancelled)
        self.assertTrue(self._token(self._closing_mails(case)[-1]))
        self.assertTrue(case.rating_requested)

    def test_internal_case_is_never_asked(self):
        case = self._new_case(self.hardware)
        self.assertFalse(case.email_from)
        self._close(case)
        self.assertFalse(self._token(self._closing_mails(case)))
        self.assertFalse(case.rating_requested)
        self.assertFalse(
            self.env["rating.rating"].search(
                [("res_model", "=", "crm.case"), ("res_id", "=", case.id)]
            )
        )

    def test_section_not_asking_sends_the_plain_closing_mail(self):
        self.website.use_rating = "no"  # opts out below Support
        for section in (self.first_level, self.web_opportunities):
            case = self._new_case(section, partner_id=self.customer.id)
            self._close(case)
            mail = self._closing_mails(case)
            self.assertIn("is solved", str(mail.body))
            self.assertFalse(self._token(mail), section.display_name)

    def test_customer_known_by_address_only_is_asked(self):
        case = self._new_case(
            self.hardware, email_from='"Ana Torres" <ana@torres.example.com>'
        )
        self._close(case)
        token = self._token(self._closing_mails(case))
        rating = self.env["rating.rating"].search([("access_token", "=", token)])
        self.assertEqual(rating.partner_id.email, "ana@torres.example.com")
        self.assertEqual(rating.partner_id.name, "Ana Torres")

    def test_spanish_customer_reads_the_request_in_spanish(self):
        load_spanish(self.env)
        self.customer.lang = "es_ES"
        case = self._new_case(
            self.hardware, name="La bomba pierde aceite", partner_id=self.customer.id
        )
        self._close(case)
        mail = self._closing_mails(case)
        body = str(mail.body)
        self.assertTrue(mail.subject.endswith(": resuelto"))
        self.assertIn("Hola, Oil Buyer:", body)
        self.assertIn("¿Qué tal lo hemos hecho?", body)
        self.assertIn("Saludos cordiales", body)
        self.assertTrue(self._token(mail))


class TestCaseRated(RatingCommon):
    def _rate(self, case, rate, feedback=""):
        """What rating's /rate/<token> page does with the customer's
        choice (rating.controllers.main)."""
        self._close(case)
        token = self._token(self._closing_mails(case))
        case.sudo().rating_apply(rate, token=token, feedback=feedback)
        self._flush_tracking()

    def test_bad_rating_gives_the_responsible_an_activity_and_reopens(self):
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self._rate(case, 1, "Still leaking")
        activity = case.activity_ids
        self.assertEqual(activity.user_id, self.user_support)
        self.assertEqual(activity.summary, f"Unhappy customer: {case.display_name}")
        self.assertIn("Still leaking", str(activity.note))
        self.assertFalse(case.is_closed, "the section reopens a bad rating")
        # the responsible sees the activity in his own list
        mine = (
            self.env["mail.activity"]
            .with_user(self.user_support)
            .search([("user_id", "=", self.user_support.id), ("res_id", "=", case.id)])
        )
        self.assertEqual(mine, activity)

    def test_customer_comment_lands_in_the_chatter(self):
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self._rate(case, 3, "Fine, a bit slow")
        message = case.message_ids.filtered("rating_id")
        self.assertEqual(message.author_id, self.customer)
        self.assertIn("Fine, a bit slow", str(message.body))
        self.assertEqual(case.rating_last_value, 3)
        # a rating is no reply: the case stays closed, nobody waits
        self.assertTrue(case.is_closed)
        self.assertFalse(case.activity_ids)
        self.assertFalse(case.waiting_since)

    def test_bad_rating_without_reopening(self):
        self.support.rating_reopen = False
        case = self._new_case(self.hardware, partner_id=self.customer.id)
        self._rate(case, 1)
        self.assertTrue(case.is_closed)
        self.assertEqual(len(case.activity_ids), 1)
        # the feedback changed later: no second activity
        rating = case.rating_ids
        case.sudo().rating_apply(1, rating=rating, feedback="Really bad")
        self.assertEqual(len(case.activity_ids), 1)


class TestSatisfaction(RatingCommon):
    def _rated(self, section, rate, days_ago=0):
        case = self._new_case(section, partner_id=self.customer.id)
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("crm.case"),
                "res_id": case.id,
                "partner_id": self.customer.id,
                "parent_res_model_id": self.env["ir.model"]._get_id("crm.case.section"),
                "parent_res_id": section.id,
            }
        )
        case.rating_apply(rate, rating=rating)
        if days_ago:
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE rating_rating SET write_date = %s WHERE id = %s",
                [fields.Datetime.now() - timedelta(days=days_ago), rating.id],
            )
        return case

    def test_satisfaction_sums_up_the_tree(self):
        self._rated(self.hardware, 5)
        self._rated(self.first_level, 1)
        self._rated(self.website, 5)
        self._rated(self.first_level, 5)
        self._rated(self.hardware, 1, days_ago=40)  # too old to count
        self._rated(self.opportunities, 1)
        self.env.invalidate_all()
        sections = self.support | self.website | self.first_level | self.hardware
        values = {
            section["id"]: (
                section["rating_satisfaction"],
                section["rating_recent_count"],
            )
            for section in sections.with_user(self.user_support).web_read(
                {"rating_satisfaction": {}, "rating_recent_count": {}}
            )
        }
        self.assertEqual(values[self.support.id], (75.0, 4))
        self.assertEqual(values[self.website.id], (200 / 3, 3))
        self.assertEqual(values[self.first_level.id], (50.0, 2))
        self.assertEqual(values[self.hardware.id], (100.0, 1))

    def test_rating_follows_the_case_to_its_new_section(self):
        case = self._rated(self.hardware, 5)
        # handed to Opportunities by a Support user, who then loses sight of it
        case.with_user(self.user_support).write(
            {"section_id": self.web_opportunities.id}
        )
        self.env.invalidate_all()
        self.assertEqual(self.support.rating_recent_count, 0)
        self.assertEqual(self.opportunities.rating_recent_count, 1)
        self.assertEqual(self.opportunities.rating_satisfaction, 100.0)

    def test_satisfaction_counts_the_cases_the_user_may_open(self):
        self._rated(self.hardware, 5)
        self._rated(self.web_opportunities, 1)
        user_sales = self.user_sales
        self.assertEqual(
            self.opportunities.with_user(user_sales).rating_satisfaction, 0.0
        )
        self.assertEqual(
            self.opportunities.with_user(user_sales).rating_recent_count, 1
        )
        # a case user of Opportunities does not count Support's ratings
        self.assertEqual(self.support.with_user(user_sales).rating_recent_count, 0)

    def test_case_analysis_averages_the_rated_cases(self):
        self._rated(self.hardware, 5)
        self._rated(self.website, 1)
        self._new_case(self.hardware, partner_id=self.customer.id)  # not rated
        self._rated(self.opportunities, 5)
        groups = (
            self.env["crm.case"]
            .with_user(self.user_manager)
            .read_group(
                [], ["rating_satisfaction:avg"], ["section_root_id"], lazy=False
            )
        )
        by_root = {
            group["section_root_id"][0]: group["rating_satisfaction"]
            for group in groups
            if group["section_root_id"]
        }
        self.assertEqual(by_root[self.support.id], 50.0)
        self.assertEqual(by_root[self.opportunities.id], 100.0)
        self.assertIn(
            "rating_satisfaction",
            self.env["crm.case"]
            .with_user(self.user_support)
            .fields_get(["rating_satisfaction"], ["aggregator"]),
        )


class TestCaseRatingByMail(GatewayCommon):
    """A customer who wrote to support@ hears his case is solved by mail,
    with the faces; his click and comment land in the chatter."""

    def test_customer_who_wrote_is_asked_by_mail(self):
        self.support.use_rating = "yes"
        stage_done = self.env.ref("crm_case_sections.stage_done")
        stage_done.mail_template_id = self.env.ref(
            "crm_case_sections.mail_template_case_rating_request"
        )
        case = self._open_plain_case()
        self.env.flush_all()
        self.env.cr.flush()
        with self.mock_mail_gateway():
            with Form(case.with_user(self.user_support)) as form:
                form.stage_id = stage_done
            self.env.flush_all()
            self.env.cr.flush()
        [mail] = self._mails_to("ana.torres@customer.example.com").filtered(
            lambda mail: "/rate/" in str(mail.body_html)
        )
        token = TOKEN.search(str(mail.body_html))[1]
        # what rating's /rate/<token>/submit_feedback does with her click
        case.sudo().rating_apply(5, token=token, feedback="Quick and kind")
        rated = case.message_ids.filtered("rating_id")
        self.assertEqual(rated.author_id.email, "ana.torres@customer.example.com")
        self.assertIn("Quick and kind", str(rated.body))
        self.assertEqual(case.rating_last_value, 5)
        self.assertEqual(case.rating_satisfaction, 100.0)
        self.assertEqual(self.support.rating_satisfaction, 100.0)


@tagged("post_install", "-at_install")
class TestCaseRatingByTheCustomer(HttpCase):
    """The customer rates from the link of his mail, and on his case's
    portal page."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = new_case_user(cls.env, "rating_agent", "Sergio Support")
        cls.ana = new_portal_user(
            cls.env, "rating_ana", "Ana Customer", email="ana@acme.example.com"
        )
        cls.support = new_section(
            cls.env,
            "Support",
            user=cls.agent,
            use_rating="yes",
            rating_reopen=True,
        )
        stage_done = cls.env.ref("crm_case_sections.stage_done")
        stage_done.mail_template_id = cls.env.ref(
            "crm_case_sections.mail_template_case_rating_request"
        )
        cls.case = cls.env["crm.case"].create(
            {
                "name": "Pump leaks",
                "section_id": cls.support.id,
                "partner_id": cls.ana.partner_id.id,
            }
        )
        cls.env.flush_all()
        cls.env.cr.flush()  # a case is tracked once created
        cls.case.with_user(cls.agent).stage_id = stage_done
        cls.env.flush_all()
        cls.env.cr.flush()

    def _rate_from_the_mail(self, rate, feedback):
        """The customer follows a face of the closing mail, without logging
        in, and sends his comment; the message his rating made."""
        message = self.case.message_ids.filtered(
            lambda m: (m.subject or "").endswith("solved")
        )
        token = TOKEN.search(str(message.body))[1]
        self.authenticate(None, None)  # the link works without logging in
        page = self.url_open(f"/rate/{token}/{rate}")
        self.assertEqual(page.status_code, 200)
        response = self.url_open(
            f"/rate/{token}/submit_feedback",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "rate": rate,
                "feedback": feedback,
            },
        )
        self.assertEqual(response.status_code, 200)
        self.case.invalidate_recordset()
        return self.case.message_ids.filtered("rating_id")

    def test_customer_rates_dissatisfied_from_the_mail(self):
        rated = self._rate_from_the_mail(1, "The pump still leaks")
        self.assertEqual(rated.author_id, self.ana.partner_id)
        self.assertIn("The pump still leaks", str(rated.body))
        self.assertEqual(
            self.case.activity_ids.summary,
            f"Unhappy customer: {self.case.display_name}",
        )
        self.assertEqual(self.case.activity_ids.user_id, self.agent)
        self.assertFalse(self.case.is_closed)

    def test_customer_rates_from_the_mail_long_after_the_close(self):
        # the case no longer takes answers on the portal, its rating still
        self.support.reopen_days = 7
        self.case.date_closed = fields.Datetime.now() - timedelta(days=30)
        self.assertTrue(self.case._is_reopen_period_over())
        rated = self._rate_from_the_mail(5, "All good now")
        self.assertIn("All good now", str(rated.body))
        self.assertEqual(self.case.rating_last_value, 5)

    def test_portal_page_offers_the_faces_until_rated(self):
        self.authenticate("rating_ana", "rating_ana")
        page = self.url_open(f"/my/cases/{self.case.id}")
        match = re.search(r"/rate/([\w-]+)/5", page.text)
        self.assertTrue(match, "the closed case's page asks for a rating")
        # the same request as the mail's: one rating per close
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "crm.case"), ("res_id", "=", self.case.id)]
        )
        self.assertEqual(ratings.access_token, match[1])
        self.case.sudo().rating_apply(5, token=match[1])
        page = self.url_open(f"/my/cases/{self.case.id}")
        self.assertNotIn("/rate/", page.text)
