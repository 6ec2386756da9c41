# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customer ratings of a section's cases: whether they are asked, and the
satisfaction they give, sub-sections included."""

from collections import defaultdict
from datetime import timedelta

from odoo import fields, models

from odoo.addons.rating.models.rating_data import RATING_LIMIT_MIN

# the satisfaction of a section: its top ratings over this many days
SATISFACTION_DAYS = 30
TOP_RATING = 5


class CrmCaseSectionRatingMixin(models.AbstractModel):
    _name = "crm.case.section.rating.mixin"
    _description = "Section Customer Ratings"

    use_rating = fields.Selection(
        [("yes", "Ask for a rating"), ("no", "Do not ask")],
        string="Customer Ratings",
        help="Ask the customer how it went when a case is closed: the closing "
        "stage's mail carries the request. Empty: as the parent section.",
    )
    rating_reopen = fields.Boolean(
        "Reopen on a Bad Rating",
        help="A case rated 'Dissatisfied' is reopened, besides the activity "
        "given to the section's responsible.",
    )
    rating_satisfaction = fields.Float(
        "Satisfaction (%)",
        compute="_compute_rating_satisfaction",
        help="Share of top ratings among the ratings of the last 30 days, "
        "sub-sections included.",
    )
    rating_recent_count = fields.Integer(
        "Ratings (30 days)",
        compute="_compute_rating_satisfaction",
        help="Ratings given in the last 30 days, sub-sections included.",
    )

    def _compute_rating_satisfaction(self):
        """Top ratings over all ratings of the last days, grouped by the
        cases' section in one query, then folded up along ``parent_path``.
        The user's record rules apply: he counts the cases he may open."""
        self.rating_satisfaction = 0.0
        self.rating_recent_count = 0
        sections = self.filtered("id")
        if not sections:
            return
        cases = self.env["crm.case"]._search([("section_id", "child_of", sections.ids)])
        groups = self.env["rating.rating"]._read_group(
            [
                ("res_model", "=", "crm.case"),
                ("res_id", "in", cases),
                ("consumed", "=", True),
                ("rating", ">=", RATING_LIMIT_MIN),
                (
                    "write_date",
                    ">=",
                    fields.Datetime.now() - timedelta(days=SATISFACTION_DAYS),
                ),
            ],
            ["parent_res_id", "rating"],
            ["__count"],
        )
        paths = {
            section.id: section._get_ancestor_ids()
            # sudo: only the positions in the tree of the cases' sections
            for section in self.sudo().browse({section_id for section_id, *_ in groups})
        }
        totals = defaultdict(lambda: [0, 0])
        for section_id, rating, count in groups:
            for ancestor_id in paths.get(section_id, ()):
                totals[ancestor_id][0] += count if rating >= TOP_RATING else 0
                totals[ancestor_id][1] += count
        for section in sections:
            top, rated = totals[section.id]
            section.rating_recent_count = rated
            section.rating_satisfaction = top * 100 / rated if rated else 0.0

    def _is_rating_used(self):
        """Whether the cases of this section are rated: its own setting, or
        that of the nearest section up the tree that has one."""
        return self._get_setting_section("use_rating").use_rating == "yes"

    def _is_rating_reopening(self):
        """A bad rating reopens the case as the section that decides on the
        ratings says."""
        return self._get_setting_section("use_rating").rating_reopen
