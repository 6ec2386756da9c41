# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL


class CrmCaseSection(models.Model):
    _name = "crm.case.section"
    _description = "Case Section"
    _inherit = [
        "mail.thread",
        "mail.alias.mixin.optional",
        "crm.case.section.assignment.mixin",
        "crm.case.section.rating.mixin",
        "crm.case.section.auto.close.mixin",
    ]
    _order = "sort_path, id"
    _rec_name = "complete_name"
    _parent_store = True
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    # one path per language, as the name: lists, searches and the portal
    # read it in the user's language
    complete_name = fields.Char(
        compute="_compute_complete_name", recursive=True, store=True, translate=True
    )
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    sort_path = fields.Char(
        compute="_compute_sort_path",
        recursive=True,
        store=True,
        index=True,
        help="Position in the tree: each section comes right after its parent, "
        "siblings by sequence.",
    )
    color = fields.Integer("Color Index")
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company", index=True, default=lambda self: self.env.company
    )
    parent_id = fields.Many2one(
        "crm.case.section",
        string="Parent Section",
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    child_ids = fields.One2many("crm.case.section", "parent_id", "Sub-sections")
    level2_id = fields.Many2one(
        "crm.case.section",
        "Level 2 Section",
        compute="_compute_levels",
        recursive=True,
        store=True,
        help="The section's ancestor at the second level of the tree.",
    )
    level3_id = fields.Many2one(
        "crm.case.section",
        "Level 3 Section",
        compute="_compute_levels",
        recursive=True,
        store=True,
        help="The section's ancestor at the third level of the tree.",
    )
    parent_path = fields.Char(index=True)
    root_id = fields.Many2one(
        "crm.case.section",
        "Top Section",
        compute="_compute_root_id",
        store=True,
        index=True,
        help="The top of the section's tree: its department.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Responsible of the section: new cases of the section are assigned "
        "to this user.",
    )
    member_ids = fields.Many2many(
        "res.users",
        "crm_case_section_member_rel",
        "section_id",
        "user_id",
        string="Members",
        domain="[('share', '=', False)]",
        help="Users who work the cases of this section and of its sub-sections.",
    )
    default_type_id = fields.Many2one(
        "crm.case.type",
        string="Default Case Type",
        help="Type given to the cases created in this section, e.g. by e-mail.",
    )
    escalation_section_id = fields.Many2one(
        "crm.case.section",
        check_company=True,
        help="Section that receives the cases escalated from this one. "
        "Empty: the parent section.",
    )
    escalation_delay_hours = fields.Float(
        "Escalation Delay (working hours)",
        help="Working hours a case may wait for an answer before it is "
        "escalated. 0 means never.",
    )
    reminder_delay_hours = fields.Float(
        "Reminder Delay (hours)",
        default=24.0,
        help="How long before a deadline or a next action the responsible "
        "is reminded.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        compute="_compute_resource_calendar_id",
        store=True,
        readonly=False,
        check_company=True,
        help="Working time used to count the escalation delay.",
    )
    alias_contact = fields.Selection(
        related="alias_id.alias_contact",
        readonly=False,
        string="Accept Mail From",
        help="Who may open cases by writing to the section's address.",
    )
    acknowledgement_template_id = fields.Many2one(
        "mail.template",
        string="Acknowledgement",
        domain="[('model', '=', 'crm.case')]",
        default=lambda self: self.env.ref(
            "crm_case_sections.mail_template_case_acknowledgement",
            raise_if_not_found=False,
        ),
        help="Sent to whoever opens a case by e-mail, with the case reference. "
        "Empty: no acknowledgement.",
    )
    remind_customer = fields.Boolean(
        "Remind the Customer",
        help="Also remind the customer of a coming deadline or next meeting.",
    )
    customer_reminder_template_id = fields.Many2one(
        "mail.template",
        string="Customer Reminder",
        domain="[('model', '=', 'crm.case')]",
        default=lambda self: self.env.ref(
            "crm_case_sections.mail_template_case_reminder_customer",
            raise_if_not_found=False,
        ),
    )
    reopen_on_reply = fields.Boolean(
        "Reopen on Customer Reply",
        default=True,
        help="A mail from the customer on a closed case puts it back in the "
        "first open stage.",
    )
    reopen_days = fields.Integer(
        "Reopen Within (days)",
        help="A customer's reply more days than this after the close opens a "
        "new case instead, linked to the old one. 0: as the parent section; "
        "always reopen when no section above sets it.",
    )
    portal_open = fields.Boolean(
        "Open to the Portal",
        help="Customers can open a case in this section from their portal "
        "(My Account > Cases).",
    )
    case_ids = fields.One2many("crm.case", "section_id", string="Own Cases")
    case_count = fields.Integer(
        "Cases",
        compute="_compute_case_counts",
        help="Cases of the section and of all its sub-sections.",
    )
    open_case_count = fields.Integer(
        "Open Cases",
        compute="_compute_case_counts",
        help="Open cases of the section and of all its sub-sections.",
    )
    unassigned_case_count = fields.Integer(
        "Unassigned",
        compute="_compute_case_counts",
        help="Open cases without a responsible, sub-sections included.",
    )
    urgent_case_count = fields.Integer(
        "Urgent",
        compute="_compute_case_counts",
        help="Open cases of the highest priority, sub-sections included.",
    )
    sla_failed_case_count = fields.Integer(
        "SLA Failed",
        compute="_compute_case_counts",
        help="Open cases whose service level failed, sub-sections included.",
    )
    late_case_count = fields.Integer(
        "Late",
        compute="_compute_case_counts",
        help="Open cases past their closing date, as the Late filter finds "
        "them, sub-sections included.",
    )
    first_response_hours_week = fields.Float(
        "Average First Response This Week",
        compute="_compute_case_counts",
        help="Average working hours to the first response of the cases first "
        "answered in the last seven days, sub-sections included.",
    )
    unprocessed_mail_count = fields.Integer(
        "Unprocessed Mails",
        compute="_compute_unprocessed_mail_count",
        groups="crm_case_sections.group_case_manager",
        help="Mail sent to the section's address that could not become a case "
        "or a message (mail_inbound_guard).",
    )
    sla_ids = fields.One2many("crm.case.sla", "section_id", string="Service Levels")
    is_my_department = fields.Boolean(
        compute="_compute_is_my_department",
        search="_search_is_my_department",
        help="The sections the current user belongs to; the top sections for "
        "managers.",
    )
    is_my_section = fields.Boolean(
        compute="_compute_is_my_section",
        search="_search_is_my_section",
        help="Sections the current user works in: those he is a member or the "
        "responsible of, and their sub-sections; all of them for managers.",
    )

    _sql_constraints = [
        (
            "delays_positive",
            "CHECK(escalation_delay_hours >= 0 AND reminder_delay_hours >= 0)",
            "The escalation and reminder delays cannot be negative.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        # a translated field stores one value per language: compute them all,
        # each from the name and the parent's path in that language
        langs = {
            "en_US",
            *(code for code, _name in self.env["res.lang"].get_installed()),
        }
        # a form's draft only shows the user's language; computing the others
        # there would mark the real sub-sections as computed from the draft
        real = self.filtered("id")
        for section in self - real:
            section.complete_name = self._get_complete_name(section)
        for lang in langs:
            for section in real.with_context(lang=lang):
                section.complete_name = self._get_complete_name(section)

    @api.model
    def _get_complete_name(self, section):
        if section.parent_id:
            return f"{section.parent_id.complete_name} / {section.name}"
        return section.name

    def _recompute_complete_names(self):
        """Recompute the paths of the sections of ``self`` and their
        sub-sections (of every section when ``self`` is empty), e.g. once
        names were given translations by a language's terms."""
        # the terms were written in SQL, and so are the paths: computed from
        # the stored names, parents first, in every language at once
        self.flush_model(["name", "parent_id", "parent_path", "complete_name"])
        langs = dict.fromkeys(
            ["en_US", *(code for code, _name in self.env["res.lang"].get_installed())]
        )
        subtree = SQL()
        if self:
            subtree = SQL(
                "WHERE section.parent_path LIKE ANY(%s)",
                [f"{path}%" for path in self.mapped("parent_path")],
            )
        self.env.cr.execute(
            SQL(
                "SELECT section.id, section.parent_id, section.name, "
                "parent.complete_name FROM crm_case_section AS section "
                "LEFT JOIN crm_case_section AS parent ON parent.id = section.parent_id "
                "%s ORDER BY section.parent_path",
                subtree,
            )
        )
        paths = {}
        for section_id, parent_id, names, parent_path in self.env.cr.fetchall():
            # a parent outside the subtree keeps its stored path
            above = paths.get(parent_id) or parent_path or {}
            paths[section_id] = {
                lang: " / ".join(
                    filter(
                        None,
                        (
                            above.get(lang) or above.get("en_US"),
                            names.get(lang) or names["en_US"],
                        ),
                    )
                )
                for lang in langs
            }
        if paths:
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_case_section AS section SET complete_name = path "
                    "FROM unnest(%s::int[], %s::jsonb[]) AS new(id, path) "
                    "WHERE section.id = new.id",
                    list(paths),
                    [json.dumps(path) for path in paths.values()],
                )
            )
        self.invalidate_model(["name", "complete_name"])

    @api.depends(
        "parent_id", "parent_id.parent_id", "parent_id.level2_id", "parent_id.level3_id"
    )
    def _compute_levels(self):
        for section in self:
            parent = section.parent_id
            if not parent:
                section.level2_id = section.level3_id = False
            elif not parent.parent_id:
                section.level2_id, section.level3_id = section, False
            else:
                section.level2_id = parent.level2_id
                section.level3_id = (
                    section if parent.level2_id == parent else parent.level3_id
                )

    @api.depends("parent_path")
    def _compute_root_id(self):
        # parent_path changes for a whole sub-tree when one section moves
        for section in self:
            section.root_id = section.parent_path and section._get_ancestor_ids()[0]

    @api.depends("sequence", "parent_id.sort_path")
    def _compute_sort_path(self):
        for section in self:
            # fixed width: the order holds whatever the database collation
            own = f"{max(section.sequence, 0):08d}{section.id or 0:010d}/"
            section.sort_path = (section.parent_id.sort_path or "") + own

    def _compute_is_my_department(self):
        self._compute_from_search("is_my_department")

    def _search_is_my_department(self, operator, value):
        return self._search_mine(operator, value, departments=True)

    def _compute_is_my_section(self):
        self._compute_from_search("is_my_section")

    def _search_is_my_section(self, operator, value):
        return self._search_mine(operator, value, departments=False)

    def _compute_from_search(self, name):
        mine = self.search([(name, "=", True), ("id", "in", self.ids)])
        for section in self:
            section[name] = section in mine

    def _search_mine(self, operator, value, departments):
        """The user's sections: those he is a member or the responsible of
        (``departments``), or those and their sub-sections, as the case rule
        gives them to him; managers have every section, and every top
        section as departments."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        user = self.env.user
        if user.has_group("crm_case_sections.group_case_manager"):
            domain = [("parent_id", "=", False)] if departments else []
        else:
            sections = user.case_section_ids | user.case_section_responsible_ids
            domain = [("id", "in" if departments else "child_of", sections.ids)]
        if (operator == "=") != value:
            return ["!", *domain] if domain else [("id", "=", False)]
        return domain

    @api.depends("company_id")
    def _compute_resource_calendar_id(self):
        for section in self:
            company = section.company_id or self.env.company
            if section.resource_calendar_id.company_id not in (
                company,
                self.env["res.company"],
            ):
                section.resource_calendar_id = company.resource_calendar_id
            else:
                section.resource_calendar_id = (
                    section.resource_calendar_id or company.resource_calendar_id
                )

    def _compute_case_counts(self):
        """Count the cases of each section and of its whole subtree in one
        query, grouped by section, then fold the groups up along
        ``parent_path``. The user's record rules apply: he counts what he
        may open."""
        measures = (
            "case_count",
            "open_case_count",
            "unassigned_case_count",
            "urgent_case_count",
            "sla_failed_case_count",
            "late_case_count",
        )
        for name in (*measures, "first_response_hours_week"):
            self[name] = 0
        sections = self.filtered("id")
        if not sections:
            return
        Case = self.env["crm.case"]
        Case.flush_model(
            [
                "section_id",
                "is_closed",
                "date_deadline",
                "user_id",
                "priority",
                "sla_status",
                "date_first_response",
                "working_hours_first_response",
            ]
        )
        query = Case._search([("section_id", "child_of", sections.ids)])
        column = lambda name: SQL.identifier("crm_case", name)  # noqa: E731
        open_ = SQL("NOT COALESCE(%s, FALSE)", column("is_closed"))
        # the Late filter's own domain (crm.case._get_late_domain)
        late = Case._where_calc(Case._get_late_domain(), active_test=False).where_clause
        answered = SQL(
            "%s >= %s",
            column("date_first_response"),
            fields.Datetime.now() - timedelta(days=7),
        )
        self.env.cr.execute(
            SQL(
                "%s GROUP BY %s",
                query.select(
                    column("section_id"),
                    SQL("COUNT(*)"),
                    SQL("COUNT(*) FILTER (WHERE %s)", open_),
                    SQL(
                        "COUNT(*) FILTER (WHERE %s AND %s IS NULL)",
                        open_,
                        column("user_id"),
                    ),
                    SQL(
                        "COUNT(*) FILTER (WHERE %s AND %s = '3')",
                        open_,
                        column("priority"),
                    ),
                    SQL(
                        "COUNT(*) FILTER (WHERE %s AND %s = 'failed')",
                        open_,
                        column("sla_status"),
                    ),
                    SQL("COUNT(*) FILTER (WHERE %s)", late),
                    SQL(
                        "SUM(%s) FILTER (WHERE %s)",
                        column("working_hours_first_response"),
                        answered,
                    ),
                    SQL("COUNT(*) FILTER (WHERE %s)", answered),
                ),
                column("section_id"),
            )
        )
        rows = self.env.cr.fetchall()
        paths = {
            section.id: section._get_ancestor_ids()
            for section in self.browse(row[0] for row in rows)
        }
        totals = defaultdict(lambda: [0] * 8)
        for section_id, *values in rows:
            for ancestor_id in paths[section_id]:
                total = totals[ancestor_id]
                for index, value in enumerate(values):
                    total[index] += value or 0
        for section in sections:
            total = totals[section.id]
            for name, value in zip(measures, total, strict=False):
                section[name] = value
            section.first_response_hours_week = total[6] / total[7] if total[7] else 0.0

    def _compute_unprocessed_mail_count(self):
        counts = dict(
            self.env["mail.inbound.unprocessed"]._read_group(
                # spam waits for a purge, not for the manager's eye
                [("alias_id", "in", self.alias_id.ids), ("is_spam", "=", False)],
                ["alias_id"],
                ["__count"],
            )
        )
        for section in self:
            section.unprocessed_mail_count = counts.get(section.alias_id, 0)

    def _get_ancestor_ids(self):
        """Ids of this section and of all its parents, read from parent_path."""
        self.ensure_one()
        return [int(part) for part in self.parent_path.split("/") if part]

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self._cycle_error_message())

    def _cycle_error_message(self):
        return self.env._(
            "A section cannot be its own parent, nor be placed under one of its "
            "own sub-sections."
        )

    @api.constrains("reopen_days")
    def _check_reopen_days(self):
        if any(section.reopen_days < 0 for section in self):
            raise ValidationError(
                self.env._(
                    "The days within which a customer's reply reopens a case "
                    "cannot be negative."
                )
            )

    @api.constrains("escalation_section_id")
    def _check_escalation_section_id(self):
        for section in self:
            if section.escalation_section_id == section:
                raise ValidationError(
                    self.env._(
                        "Section %s cannot escalate to itself.", section.display_name
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_has_cases(self):
        cases = (
            self.env["crm.case"]
            .with_context(active_test=False)
            .sudo()  # cases the user cannot see still forbid the deletion
            .search_count([("section_id", "in", self.ids)], limit=1)
        )
        if cases:
            raise UserError(
                self.env._(
                    "A section holding cases cannot be deleted: archive it instead."
                )
            )

    def write(self, vals):
        if vals.get("parent_id"):
            # refuse before _parent_store rewrites the paths with its own
            # terse "Recursion Detected."
            parent = self.browse(vals["parent_id"])
            if any(
                section.parent_path
                and parent.parent_path.startswith(section.parent_path)
                for section in self
            ):
                raise ValidationError(self._cycle_error_message())
        res = super().write(vals)
        if "name" in vals:
            # a name changed in one language: the sub-sections' paths in that
            # language follow it, those in the others stay
            self._recompute_complete_names()
        if {"member_ids", "user_id", "parent_id", "active"} & vals.keys():
            # the case record rules read the user's sections and are cached
            self.env.registry.clear_cache()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # the form sends an empty domain beside the alias name: the mixin
            # then gives no domain, and mail to the alias finds no route
            if vals.get("alias_name") and not vals.get("alias_domain_id"):
                vals.pop("alias_domain_id", None)
        sections = super().create(vals_list)
        if any(
            vals.get("member_ids") or vals.get("user_id") or vals.get("parent_id")
            for vals in vals_list
        ):
            # the case record rules list the user's sections and their
            # sub-sections, and are cached
            self.env.registry.clear_cache()
        return sections

    @api.model
    def name_create(self, name):
        # the display name is the computed path: name the section instead
        section = self.create({"name": name})
        return section.id, section.display_name

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get("crm.case").id
        if self.id:
            values["alias_defaults"] = repr({"section_id": self.id})
            values["alias_parent_model_id"] = self.env["ir.model"]._get(self._name).id
            values["alias_parent_thread_id"] = self.id
        return values

    def action_open_cases(self):
        """Cases of this section and of all its sub-sections; each counter
        passes the filters of what it counts (search_default_*), e.g. the
        open filter for the open cases."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_case_sections.crm_case_action"
        )
        # the overview's buttons open the list with one of its filters on
        filters = {
            key: value
            for key, value in self.env.context.items()
            if key.startswith("search_default_")
        }
        action.update(
            {
                "display_name": self.complete_name,
                "domain": [("section_id", "child_of", self.id)],
                "context": {"default_section_id": self.id, **filters},
            }
        )
        return action

    def action_open_unprocessed_mail(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "mail_inbound_guard.mail_inbound_unprocessed_action"
        )
        action["domain"] = [("alias_id", "=", self.alias_id.id)]
        # what the counter counts; the spam is one filter away
        action["context"] = {"search_default_not_spam": 1}
        return action

    def _get_responsible(self):
        """The section's responsible, or the nearest one up the tree."""
        if not self:
            return self.env["res.users"]
        self.ensure_one()
        ancestors = self.browse(reversed(self._get_ancestor_ids()))
        return next(
            (section.user_id for section in ancestors if section.user_id), self.user_id
        )

    def _get_setting_section(self, field_name):
        """The section whose ``field_name`` applies to this one: itself, or
        the nearest one up the tree that sets it."""
        if not self:
            return self
        self.ensure_one()
        ancestors = self.browse(reversed(self._get_ancestor_ids()))
        return next((section for section in ancestors if section[field_name]), self)

    def _get_default_type(self):
        """The section's default case type, or the nearest one up the tree."""
        if not self:
            return self.env["crm.case.type"]
        self.ensure_one()
        ancestors = self.browse(reversed(self._get_ancestor_ids()))
        return next(
            (
                section.default_type_id
                for section in ancestors
                if section.default_type_id
            ),
            self.default_type_id,
        )

    def _get_reopen_days(self):
        """Days after the close within which a customer's reply reopens a
        case: the section's, or the nearest set up the tree; 0: always."""
        self.ensure_one()
        ancestors = self.browse(reversed(self._get_ancestor_ids()))
        return next(
            (section.reopen_days for section in ancestors if section.reopen_days), 0
        )

    @api.onchange("alias_name")
    def _onchange_alias_name(self):
        # a section without alias has no alias record to read the policy from
        if self.alias_name and not self.alias_contact:
            self.alias_contact = "everyone"
        # the company's domain, as a new alias gets when created in code
        if self.alias_name and not self.alias_domain_id:
            company = self.company_id or self.env.company
            self.alias_domain_id = company.alias_domain_id

    @api.onchange("company_id")
    def _onchange_company_id(self):
        if self.company_id.alias_domain_id:
            self.alias_domain_id = self.company_id.alias_domain_id

    @api.onchange("parent_id")
    def _onchange_parent_id(self):
        # a new sub-section works as its parent until told otherwise
        parent = self.parent_id
        if not parent:
            return
        self.user_id = self.user_id or parent._get_responsible()
        self.default_type_id = self.default_type_id or parent._get_default_type()
        if not self._origin:
            self.portal_open = parent.portal_open

    def _get_reply_to_email(self):
        """Address of the section, or of the nearest parent that has one."""
        self.ensure_one()
        for section in self.browse(reversed(self._get_ancestor_ids())):
            if section.alias_email:
                return section.alias_email
        return False

    def _get_escalation_target(self):
        """Section that receives this section's escalated cases."""
        self.ensure_one()
        return self.escalation_section_id or self.parent_id
