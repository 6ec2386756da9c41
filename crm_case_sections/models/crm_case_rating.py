# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer ratings of cases, with Odoo's rating addon: asked once per
close in the closing stage's mail and on the portal; a bad one is acted
on."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.rating.models.rating_data import RATING_LIMIT_MIN

from .crm_case_section_rating import TOP_RATING


class CrmCaseRatingMixin(models.AbstractModel):
    """Ratings of ``crm.case``: the request rides the mail of the closing
    stage when the section asks for ratings (its template shows Odoo's
    one-click faces while a request is due); a rating of 1 gives the
    section's responsible an activity and may reopen the case."""

    _name = "crm.case.rating.mixin"
    _description = "Case Customer Ratings"
    _inherit = ["rating.mixin"]

    # what the methods below read; crm.case completes these fields
    section_id = fields.Many2one("crm.case.section")
    is_closed = fields.Boolean()
    date_closed = fields.Datetime("Closed On")
    # computed with the INSERT of a new case, as its other stored fields:
    # left to the flush, they would cost every new case an UPDATE
    rating_last_value = fields.Float(
        compute="_compute_rating_last_value", store=True, precompute=True
    )
    rating_requested = fields.Boolean(
        "Rating Asked",
        compute="_compute_rating_requested",
        store=True,
        readonly=False,
        copy=False,
        precompute=True,
        help="The customer was asked to rate the case since it was last closed.",
    )
    rating_satisfaction = fields.Float(
        "Satisfaction (%)",
        compute="_compute_case_rating_satisfaction",
        store=True,
        precompute=True,
        aggregator="avg",
        groups="base.group_user",
        help="Share of the rated cases whose customer gave the top rating.",
    )

    def _compute_rating_last_value(self):  # pylint: disable=missing-return
        # a new case has no rating yet, and no id to look them up by
        new = self.filtered(lambda case: not case._origin)
        new.rating_last_value = 0
        super(CrmCaseRatingMixin, self - new)._compute_rating_last_value()

    @api.depends("is_closed")
    def _compute_rating_requested(self):
        # each close asks once: reopening the case re-arms it; moving it
        # from one closing stage to another is still the same close
        for case in self:
            case.rating_requested = case.is_closed and case.rating_requested

    @api.depends("rating_last_value")
    def _compute_case_rating_satisfaction(self):
        for case in self:
            case.rating_satisfaction = (
                100.0 if case.rating_last_value >= TOP_RATING else 0.0
            )

    def _read_group_select(self, aggregate_spec, query):
        """The satisfaction of a group of cases averages the rated ones
        only: a case nobody rated is no unhappy customer."""
        if aggregate_spec != "rating_satisfaction:avg":
            return super()._read_group_select(aggregate_spec, query)
        return SQL(
            "AVG(CASE WHEN %s >= %s THEN %s END)",
            self._field_to_sql(self._table, "rating_last_value", query),
            RATING_LIMIT_MIN,
            self._field_to_sql(self._table, "rating_satisfaction", query),
        )

    # ------------------------------------------------------------
    # Asking
    # ------------------------------------------------------------

    def _rating_request_pending(self):
        """Whether the customer is to be asked for a rating now: the case
        is closed, its section asks for ratings, it has a customer with an
        address (an internal case has none), and he was not asked yet for
        this close."""
        self.ensure_one()
        return bool(
            self.is_closed
            and not self.rating_requested
            and (self.partner_id.email or self.email_from)
            and self.section_id._is_rating_used()
        )

    def _message_track_post_template(self, changes):
        """A closing stage's mail asks for the rating (its template shows
        the faces while the request is pending): once per close."""
        asking = self.browse()
        if changes and "stage_id" in changes:
            asking = self.filtered(
                lambda case: case.stage_id.mail_template_id
                and case._rating_request_pending()
            )
        res = super()._message_track_post_template(changes)
        if asking:
            # asked by the mail's faces, which a stage's own template may
            # lack: then the request is still to be made
            asked = {
                res_id
                for [res_id] in self.env["rating.rating"]
                .sudo()
                ._read_group(
                    [
                        ("res_model", "=", self._name),
                        ("res_id", "in", asking.ids),
                        ("consumed", "=", False),
                    ],
                    ["res_id"],
                )
            }
            asking.filtered(lambda case: case.id in asked).rating_requested = True
        return res

    def _rating_get_partner(self):
        """The customer, or for a customer known by his address only, the
        contact of that address (created if need be) who rates."""
        partner = super()._rating_get_partner()
        if partner or not self.email_from:
            return partner
        # sudo: a contact for the customer's address, as the mail gateway
        # would make him
        return (
            self.env["res.partner"]
            .sudo()
            ._find_or_create_from_emails([self.email_from])[0]
            or partner
        )

    def _rating_get_parent_field_name(self):
        # each rating knows its case's section: the satisfaction of a
        # section is counted from the ratings alone
        return "section_id"

    def write(self, vals):
        if "section_id" in vals:
            # rating.mixin moves the ratings to the new section after the
            # write, when the user may no longer see a case he handed to
            # another department: read them while he still does
            self.mapped("rating_ids")
        return super().write(vals)

    def _get_portal_rating_token(self):
        """The token the customer rates the closed case with on the portal:
        that of the request he has not answered yet (the closing mail's), or
        a new one when he is to be asked; False otherwise."""
        self.ensure_one()
        if not (self.is_closed and self.section_id._is_rating_used()):
            return False
        unanswered = any(not rating.consumed for rating in self.sudo().rating_ids)
        if unanswered or self._rating_request_pending():
            return self._rating_get_access_token()
        return False

    # ------------------------------------------------------------
    # Rated
    # ------------------------------------------------------------

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        if token:
            rating = (
                self.env["rating.rating"]
                .sudo()
                .search([("access_token", "=", token)], limit=1)
            )
        was_bad = bool(rating) and rating.consumed and rating.rating <= RATING_LIMIT_MIN
        # a rating is no answer of the customer: it neither reopens the case
        # as a reply would, nor starts the clock of an unanswered case
        rating = super(
            CrmCaseRatingMixin, self.with_context(mail_gateway_automated=True)
        ).rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        if rating.rating <= RATING_LIMIT_MIN and not was_bad:
            self._act_on_bad_rating(rating)
        return rating

    def _act_on_bad_rating(self, rating):
        """An unhappy customer: the section's responsible gets an activity,
        and the case is reopened if the section says so."""
        self.ensure_one()
        responsible = self.section_id._get_responsible()
        if responsible:
            case = self.with_context(lang=responsible.lang)
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=responsible.id,
                summary=case.env._("Unhappy customer: %s", self.display_name),
                note=Markup("<p>%s</p>") % (rating.feedback or "")
                if rating.feedback
                else "",
            )
        if self.is_closed and self.section_id._is_rating_reopening():
            stage = self._get_reopen_stage()
            if stage:
                self._track_set_author(rating.partner_id)
                self.stage_id = stage
