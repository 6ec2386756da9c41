# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import threading
import uuid
from collections import defaultdict
from datetime import datetime, time

import pytz
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL, split_every

from .crm_case_stage import PRIORITIES

_logger = logging.getLogger(__name__)

INTERNAL_GROUP = "base.group_user"


# What a user reads of a case he just handed out of his sight: where it went.
HANDOVER_READBACK = {
    "number": {},
    "display_name": {},
    "section_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
}

# Documents a case may refer to; only those of installed modules are offered.
REFERENCE_MODELS = [
    "res.partner",
    "crm.case",
    "crm.lead",
    "calendar.event",
    "sale.order",
    "purchase.order",
    "account.move",
    "product.product",
    "project.task",
    "stock.picking",
]


class CrmCase(models.Model):
    _name = "crm.case"
    _description = "Case"
    # the mixins first: their overrides come before mail.thread's (the
    # reopen mixin's before the gateway's: it decides where a late reply goes;
    # the merge's too: a mail to a merged case goes on to its target)
    _inherit = [
        "crm.case.reopen.mixin",
        "crm.case.merge.mixin",
        "crm.case.escalation.mixin",
        "crm.case.service.level.mixin",
        "crm.case.gateway.mixin",
        "crm.case.assignment.mixin",
        "mail.thread.cc",
        "mail.thread.blacklist",
        "mail.activity.mixin",
        "portal.mixin",
        "crm.case.spam.mixin",
        "crm.case.auto.close.mixin",
        "crm.case.rating.mixin",
    ]
    _primary_email = "email_from"
    _order = "priority desc, id desc"
    _rec_names_search = ["number", "name", "email_from"]
    _check_company_auto = True
    # customers answer on the portal the cases they can read
    _mail_post_access = "read"

    # searched by equality (subject threading) and with ilike (name_search,
    # the search view): a trigram index besides the b-tree, see init()
    number = fields.Char(
        "Reference", readonly=True, copy=False, index=True, default="/"
    )
    name = fields.Char("Subject", required=True, tracking=True, index="trigram")
    description = fields.Html()
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer("Color Index")
    section_id = fields.Many2one(
        "crm.case.section",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        check_company=True,
    )
    section_root_id = fields.Many2one(
        related="section_id.root_id",
        string="Top Section",
        store=True,
        precompute=True,
        index=True,
        help="The top of the section's tree: the department the case belongs to.",
    )
    type_id = fields.Many2one("crm.case.type", "Case Type", index=True, tracking=True)
    kind = fields.Selection(related="type_id.kind", store=True, precompute=True)
    stage_id = fields.Many2one(
        "crm.case.stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="['|', ('section_ids', '=', False), ('section_ids', 'parent_of', "
        "section_id)]",
    )
    is_closed = fields.Boolean(
        related="stage_id.is_closed", store=True, precompute=True
    )
    priority = fields.Selection(PRIORITIES, default="0", index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer/Supplier",
        index=True,
        tracking=True,
        check_company=True,
    )
    contact_name = fields.Char(
        compute="_compute_contact_name",
        store=True,
        readonly=False,
        precompute=True,
    )
    email_from = fields.Char(
        "Email",
        index="trigram",  # the gateway's loop detection searches it with ilike
        compute="_compute_email_from",
        store=True,
        readonly=False,
        precompute=True,
    )
    # from mail.thread.blacklist: the gateway's loop detection looks every
    # sender up by equality, which a trigram index cannot serve; computed
    # before the INSERT, as all the stored fields a new case computes: one
    # field left out costs every new case an UPDATE right after it
    email_normalized = fields.Char(
        compute="_compute_email_normalized", store=True, index=True, precompute=True
    )
    phone = fields.Char(
        compute="_compute_phone", store=True, readonly=False, precompute=True
    )
    email_cc = fields.Char(
        "Watchers",
        help="Comma-separated e-mail addresses that receive a copy of every "
        "message sent or received on this case.",
    )
    channel_id = fields.Many2one(
        "utm.medium",
        index=True,
        ondelete="set null",
        help="How the case reached the company: e-mail, phone, web site, ...",
    )
    date_deadline = fields.Datetime(
        "Closing Date", tracking=True, help="Date by which the case must be closed."
    )
    date_action_next = fields.Datetime(
        "Next Meeting", help="Date of the next meeting or action on this case."
    )
    date_closed = fields.Datetime(
        "Closed On",
        compute="_compute_date_closed",
        store=True,
        copy=False,
        precompute=True,
    )
    # one definition of "late" for the Late filter, the list's red rows and
    # the overview's counter, so that a counter opens what it counts
    is_late = fields.Boolean(
        "Late",
        compute="_compute_is_late",
        search="_search_is_late",
        help="Open, with a closing date before today.",
    )
    # the form warns before saving a case into a section the user does not
    # work in: he will no longer see it
    is_outside_my_sections = fields.Boolean(
        "Outside My Sections", compute="_compute_is_outside_my_sections"
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    # money is the company's business: customers on the portal never read it
    expected_revenue = fields.Monetary(
        "Estimated Revenue", tracking=True, groups=INTERNAL_GROUP
    )
    planned_cost = fields.Monetary("Estimated Cost", groups=INTERNAL_GROUP)
    probability = fields.Float(aggregator="avg", groups=INTERNAL_GROUP)
    prorated_revenue = fields.Monetary(
        "Weighted Revenue",
        compute="_compute_prorated_revenue",
        store=True,
        precompute=True,
        groups=INTERNAL_GROUP,
        help="Estimated revenue multiplied by the probability.",
    )
    # indexed: documents count and list the cases that refer to them
    ref = fields.Reference(
        selection="_selection_reference_models",
        string="Related Document",
        index=True,
    )
    ref2 = fields.Reference(
        selection="_selection_reference_models",
        string="Second Related Document",
        index=True,
    )

    _sql_constraints = [
        (
            "number_company_uniq",
            "unique (company_id, number)",
            "A case with this reference already exists in this company.",
        ),
        (
            "probability_range",
            "CHECK(probability >= 0 AND probability <= 100)",
            "The probability must be between 0 and 100.",
        ),
    ]

    def init(self):
        res = super().init()
        if self.env.registry.has_trigram:
            tools.create_index(
                self.env.cr,
                "crm_case_number_trigram_index",
                self._table,
                ['"number" gin_trgm_ops'],
                method="gin",
            )
        # the crons look for open, not yet handled cases by date (see
        # crm.case.escalation.mixin): partial indexes keep that a few
        # milliseconds on a million cases
        open_case = '("is_closed" IS NULL OR "is_closed" = FALSE)'
        for date_field, flag in (
            ("date_deadline", "deadline_escalated"),
            ("date_escalation_due", "unanswered_escalated"),
            ("date_deadline_reminder", "deadline_reminded"),
            ("date_action_reminder", "action_reminded"),
        ):
            tools.create_index(
                self.env.cr,
                f"crm_case_{flag}_due_index",
                self._table,
                [date_field],
                where=f'{open_case} AND ("{flag}" IS NULL OR "{flag}" = FALSE) '
                f'AND "{date_field}" IS NOT NULL',
            )
        return res

    @api.depends("section_id")
    def _compute_stage_id(self):
        first_stages = {}
        for case in self:
            section = case.section_id
            if case.stage_id and case.stage_id._applies_to(section):
                case.stage_id = case.stage_id
                continue
            if section not in first_stages:
                # with what a new case reads of its stage right after
                first_stages[section] = self.env["crm.case.stage"].search_fetch(
                    self._stage_domain(section),
                    ["is_closed", "mail_template_id"],
                    limit=1,
                )
            case.stage_id = first_stages[section]

    @api.depends("section_id")
    def _compute_user_id(self):
        # the section's responsible (or the nearest one up the tree); a
        # section without any leaves the case with whom it is. A responsible
        # chosen by a user, or written with the section, is not recomputed.
        # A section that assigns automatically leaves the choice of a member
        # to the save (crm.case.assignment.mixin).
        for case in self:
            if case.section_id._assigns_automatically():
                case.user_id = False
            else:
                case.user_id = case.section_id._get_responsible() or case.user_id

    @api.depends("expected_revenue", "probability")
    def _compute_prorated_revenue(self):
        for case in self:
            case.prorated_revenue = case.expected_revenue * case.probability / 100

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/cases/{case.id}"

    @api.depends("partner_id")
    def _compute_contact_name(self):
        for case in self:
            case.contact_name = case.partner_id.name or case.contact_name

    @api.depends("partner_id.email")
    def _compute_email_from(self):
        for case in self:
            case.email_from = case.partner_id.email or case.email_from

    @api.depends("partner_id.phone")
    def _compute_phone(self):
        for case in self:
            case.phone = case.partner_id.phone or case.phone

    @api.depends("is_closed")
    def _compute_date_closed(self):
        for case in self:
            if not case.is_closed:
                case.date_closed = False
            else:
                case.date_closed = case.date_closed or fields.Datetime.now()

    @api.model
    def _get_late_domain(self):
        """Open cases whose closing date is before the start of today in the
        time zone of the request (the web client always sends it; the
        counters read no user record for it)."""
        tz = pytz.timezone(self.env.context.get("tz") or "UTC")
        today = datetime.now(pytz.utc).astimezone(tz).date()
        start = tz.localize(datetime.combine(today, time.min)).astimezone(pytz.utc)
        return [
            ("is_closed", "=", False),
            ("date_deadline", "<", start.replace(tzinfo=None)),
        ]

    @api.depends("is_closed", "date_deadline")
    @api.depends_context("tz")
    def _compute_is_late(self):
        late = self.filtered_domain(self._get_late_domain())
        for case in self:
            case.is_late = case in late

    def _search_is_late(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        domain = self._get_late_domain()
        return (
            domain if (operator == "=") == value else ["!", *expression.AND([domain])]
        )

    @api.depends("section_id")
    @api.depends_context("uid")
    def _compute_is_outside_my_sections(self):
        mine = self.env["crm.case.section"].search(
            [("is_my_section", "=", True), ("id", "in", self.section_id.ids)]
        )
        for case in self:
            # only a section chosen in the form: the case's own is where the
            # user already sees it
            case.is_outside_my_sections = bool(
                case.section_id
                and case.section_id not in mine
                and case.section_id != case._origin.section_id
            )

    @api.depends("section_id")
    def _compute_company_id(self):
        for case in self:
            case.company_id = (
                case.section_id.company_id or case.company_id or self.env.company
            )

    @api.onchange("type_id")
    def _onchange_type_id(self):
        self.update(self._get_transfer_values(self.type_id, self.section_id))
        return self._get_outside_warning()

    @api.onchange("section_id")
    def _onchange_section_id(self):
        return self._get_outside_warning()

    def _get_outside_warning(self):
        """Tell the user, before he saves, that the case is going where he
        will no longer see it."""
        if not self.is_outside_my_sections:
            return None
        return {
            "warning": {
                "title": self.env._("Transfer out of your sections"),
                "message": self.env._(
                    "Once saved, this case is transferred to %(section)s, a "
                    "section you do not work in: you will no longer see it.",
                    section=self.section_id.display_name,
                ),
                "type": "notification",
            }
        }

    @api.model
    def _selection_reference_models(self):
        return list(self._get_reference_models(self.env.lang))

    @tools.ormcache("lang")
    def _get_reference_models(self, lang):
        # cached: fields_get() evaluates the selection on every incoming mail;
        # sudo: ir.model is only readable by administrators
        models_ = (
            self.env["ir.model"]
            .sudo()
            .with_context(lang=lang)
            .search([("model", "in", REFERENCE_MODELS)], order="name")
        )
        return tuple((model.model, model.name) for model in models_)

    @api.model
    def _stage_domain(self, section):
        """Stages that apply to ``section``: unrestricted ones and those
        restricted to it or to one of its parents."""
        domain = [("section_ids", "=", False)]
        if section:
            ancestors = section._get_ancestor_ids()
            domain = expression.OR([domain, [("section_ids", "in", ancestors)]])
        return domain

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """Kanban columns: the stages holding cases, and the unfolded stages
        of the section being looked at."""
        section = self.env["crm.case.section"].browse(
            self.env.context.get("default_section_id")
        )
        search_domain = expression.OR(
            [
                [("id", "in", stages.ids)],
                expression.AND([[("fold", "=", False)], self._stage_domain(section)]),
            ]
        )
        return stages.search(search_domain)

    @api.model
    def _get_transfer_values(self, case_type, section):
        """Where a case of ``case_type`` sitting in ``section`` must go: the
        type's handling section (and so its responsible), unless ``section``
        already is that section or one of its sub-sections."""
        handling = case_type.section_id
        if not handling or (
            section and section.parent_path.startswith(handling.parent_path)
        ):
            return {}
        return {"section_id": handling}

    @api.depends("number", "name")
    def _compute_display_name(self):
        for case in self:
            if case.number and case.number != "/":
                case.display_name = f"[{case.number}] {case.name or ''}"
            else:
                case.display_name = case.name

    @api.model_create_multi
    def create(self, vals_list):
        Section, Type = self.env["crm.case.section"], self.env["crm.case.type"]
        context = self.env.context
        for vals in vals_list:
            section = Section.browse(
                vals.get("section_id") or context.get("default_section_id")
            )
            case_type = Type.browse(
                vals.get("type_id") or context.get("default_type_id")
            )
            if not case_type and section._get_default_type():
                vals["type_id"] = section._get_default_type().id
            if not section and case_type.section_id:
                # no section given: the type's handling section takes the case
                section = case_type.section_id
                vals["section_id"] = section.id
            # the portal link of the acknowledgement and of later mails:
            # given with the creation rather than written when first sent
            vals.setdefault("access_token", str(uuid.uuid4()))
            if vals.get("number", "/") == "/":
                company = (
                    self.env["res.company"].browse(vals.get("company_id"))
                    or section.company_id
                    or self.env.company
                )
                # the company's own sequence (see res.company)
                vals["number"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("crm.case")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        """One helper per concern: a new section is checked and explained,
        a new type moves the cases to its department, a new stage pauses or
        resumes their service level; the responsible follows the section
        (_compute_user_id). One write per set of values, not per case."""
        if vals.get("section_id"):
            self._prepare_transfer(
                self.env["crm.case.section"].browse(vals["section_id"])
            )
        # what each case gets besides ``vals``: one write per set of values
        extra_values = defaultdict(dict)
        for case, values in self._get_type_transfer_values(vals).items():
            extra_values[case].update(values)
        if "stage_id" in vals:
            stage = self.env["crm.case.stage"].browse(vals["stage_id"])
            for case, values in self._get_sla_stage_values(stage).items():
                extra_values[case].update(values)
        for values, cases in self._group_by_values(extra_values).items():
            super(CrmCase, cases).write(dict(vals, **dict(values)))
        return True

    def _group_by_values(self, values_by_case):
        """The cases of ``self`` grouped by the values ``values_by_case``
        gives them (none for those it does not name)."""
        groups = defaultdict(list)
        for case in self:
            groups[tuple(sorted(values_by_case.get(case, {}).items()))].append(case.id)
        return {values: self.browse(ids) for values, ids in groups.items()}

    def _message_auto_subscribe(self, updated_values, followers_existing_policy="skip"):
        """The responsible a new section gives the cases (_compute_user_id)
        follows them and is told, as one written by hand would be."""
        if "user_id" in updated_values or not updated_values.get("section_id"):
            return super()._message_auto_subscribe(
                updated_values, followers_existing_policy=followers_existing_policy
            )
        for user, cases in self.grouped(
            lambda case: case.user_id
            if case.user_id == case.section_id._get_responsible()
            else case.env["res.users"]
        ).items():
            super(CrmCase, cases)._message_auto_subscribe(
                dict(updated_values, user_id=user.id) if user else updated_values,
                followers_existing_policy=followers_existing_policy,
            )
        return True

    def _prepare_transfer(self, target):
        """Cases moved to section ``target``: refused to another company's,
        explained in the chatter."""
        self._check_transfer_target(target)
        self.filtered(lambda case: case.section_id != target)._log_transfer(target)

    def _get_type_transfer_values(self, vals):
        """A new type moves the cases outside its handling section there,
        unless the same write names their section."""
        if not vals.get("type_id") or "section_id" in vals:
            return {}
        case_type = self.env["crm.case.type"].browse(vals["type_id"])
        moved = self.filtered(
            lambda case: case._get_transfer_values(case_type, case.section_id)
        )
        if not moved:
            return {}
        handling = case_type.section_id
        moved._check_transfer_target(handling)
        moved._log_transfer(handling, case_type)
        return {case: {"section_id": handling.id} for case in moved}

    def _check_transfer_target(self, section):
        """A user may hand the cases he works to any department of his
        companies, even one he does not work in; never to another company's."""
        if self.env.su or section.has_access("read"):
            return
        raise UserError(
            self.env._(
                "You cannot hand cases over to section %s: it belongs to a "
                "company you do not work for.",
                section.sudo().display_name,
            )
        )

    def _log_transfer(self, target, case_type=None):
        """Explain, in the tracking message of the move, who moved the case
        and why."""
        if self.env.context.get("tracking_disable"):
            return  # no tracking message to explain (e.g. escalation's own note)
        for case in self:
            if case_type:
                note = self.env._(
                    "Transferred from %(old)s to %(new)s by %(user)s: its type is "
                    "now %(type)s.",
                    old=case.section_id.display_name,
                    new=target.sudo().display_name,
                    user=self.env.user.name,
                    type=case_type.display_name,
                )
            else:
                note = self.env._(
                    "Transferred from %(old)s to %(new)s by %(user)s.",
                    old=case.section_id.display_name,
                    new=target.sudo().display_name,
                    user=self.env.user.name,
                )
            case._track_set_log_message(Markup("<p>%s</p>") % note)

    def web_save(self, vals, specification, next_id=None):
        """Save as the form does; of a case the user just handed to a
        department he does not work in, the form gets only where it went and
        to whom (``HANDOVER_READBACK``), instead of an access error (see
        crm_case_form)."""
        if next_id:
            return super().web_save(vals, specification, next_id=next_id)
        cases = self
        if cases:
            cases.write(vals)
        else:
            cases = self.create(vals)
        if cases._filtered_access("read") == cases:
            return cases.with_context(bin_size=True).web_read(specification)
        # sudo: only where the case went, whatever the client asked for
        return cases.sudo().web_read(HANDOVER_READBACK)

    def get_transfer_notice(self):
        """What the form tells a user who handed cases out of his sight:
        where they went, and to whom. Nothing while he can still read them,
        and nothing on a case whose last message (the note of its transfer,
        escalation or creation) is not his."""
        gone = self - self._filtered_access("read")
        if not gone:
            return []
        # sudo: the user may no longer read the cases he just handed over
        last_authors = {}
        for message in (
            self.env["mail.message"]
            .sudo()
            .search_fetch(
                [("model", "=", self._name), ("res_id", "in", gone.ids)],
                ["res_id", "author_id"],
                order="id desc",
            )
        ):
            last_authors.setdefault(message.res_id, message.author_id)
        partner = self.env.user.partner_id
        return [
            self.env._(
                "%(case)s transferred to %(section)s (%(user)s)",
                case=case.number,
                section=case.section_id.display_name,
                user=case.user_id.name or self.env._("unassigned"),
            )
            for case in gone.sudo()
            if last_authors.get(case.id) == partner
        ]

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        return [
            dict(vals, name=self.env._("%s (copy)", case.name))
            for case, vals in zip(self, vals_list, strict=False)
        ]

    # ------------------------------------------------------------
    # Batches
    # ------------------------------------------------------------

    @api.model
    def _process_in_batches(self, domain, batch_size, process):
        """Apply ``process`` to the cases of ``domain``, ``batch_size`` at a
        time, committing after each batch outside tests, so that an
        interrupted run resumes where it stopped. Cases another worker is
        processing are skipped (row locks), never done twice."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        # the due ids in one indexed query (see init), then batch by batch
        due_ids = list(self._search(domain))
        done = 0
        for batch_ids in split_every(batch_size, sorted(due_ids)):
            locked = self.browse(batch_ids)._lock_for_processing()
            if locked:
                process(locked)
            done += len(locked)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(due_ids) - done
            )
            if auto_commit:
                # each batch stands alone: an interrupted run resumes after it
                self.env.cr.commit()  # pylint: disable=invalid-commit
            # keep the memory of a long run bounded
            self.env.invalidate_all()
        return done

    def _lock_for_processing(self):
        """The cases of ``self`` this transaction could lock, re-read so that
        what a concurrent worker committed meanwhile is seen."""
        return self._lock_cases(SQL("id IN %s", tuple(self.ids)))

    @api.model
    def _lock_cases(self, condition, order=None, limit=None):
        """The cases matching the SQL ``condition`` that this transaction
        could lock (row locks: those another worker is processing are left
        to it), found and locked in one query and re-read."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM crm_case WHERE %s%s%s "
                        "FOR NO KEY UPDATE SKIP LOCKED",
                        condition,
                        SQL(" ORDER BY %s", order) if order else SQL(),
                        SQL(" LIMIT %s", limit) if limit else SQL(),
                    ),
                    log_exceptions=False,
                )
                locked = self.browse(row[0] for row in self.env.cr.fetchall())
        except pg_errors.SerializationFailure:
            # another worker changed them after this transaction began
            _logger.info("Cases skipped: processed by another worker")
            return self.browse()
        locked.invalidate_recordset()
        return locked
