# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.osv import expression

INTERNAL_GROUP = "base.group_user"

PRIORITIES = [
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Very High"),
]

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
    _inherit = [
        "crm.case.gateway.mixin",
        "mail.thread.cc",
        "mail.thread.blacklist",
        "mail.activity.mixin",
        "portal.mixin",
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
    kind = fields.Selection(related="type_id.kind", store=True)
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
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    priority = fields.Selection(PRIORITIES, default="0", index=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
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
    # sender up by equality, which a trigram index cannot serve
    email_normalized = fields.Char(index=True)
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
        "Closed On", compute="_compute_date_closed", store=True, copy=False
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
                first_stages[section] = self.env["crm.case.stage"].search(
                    self._stage_domain(section), limit=1
                )
            case.stage_id = first_stages[section]

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

    @api.depends("section_id")
    def _compute_company_id(self):
        for case in self:
            case.company_id = (
                case.section_id.company_id or case.company_id or self.env.company
            )

    @api.onchange("type_id")
    def _onchange_type_id(self):
        self.update(self._get_transfer_values(self.type_id, self.section_id))

    @api.onchange("section_id")
    def _onchange_section_id(self):
        if self.section_id:
            self.user_id = self.section_id._get_responsible() or self.user_id

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
        type's handling section and its responsible, unless ``section``
        already is that section or one of its sub-sections."""
        handling = case_type.section_id
        if not handling or (
            section and section.parent_path.startswith(handling.parent_path)
        ):
            return {}
        return {"section_id": handling, "user_id": handling._get_responsible()}

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
            if not vals.get("user_id") and "default_user_id" not in self.env.context:
                vals["user_id"] = section._get_responsible().id
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
        stage_changes = {}
        if "stage_id" in vals:
            stage = self.env["crm.case.stage"].browse(vals["stage_id"])
            stage_changes = self._get_sla_stage_values(stage)
        if vals.get("section_id") and "user_id" not in vals:
            responsible = (
                self.env["crm.case.section"]
                .browse(vals["section_id"])
                ._get_responsible()
            )
            if responsible:
                vals = dict(vals, user_id=responsible.id)
        if vals.get("section_id"):
            target = self.env["crm.case.section"].browse(vals["section_id"])
            self._check_transfer_target(target)
            self.filtered(lambda case: case.section_id != target)._log_transfer(target)
        moved = self.browse()
        if vals.get("type_id") and "section_id" not in vals:
            # a new type moves the cases outside its handling section there
            case_type = self.env["crm.case.type"].browse(vals["type_id"])
            transfer = self._get_transfer_values(
                case_type, self.env["crm.case.section"]
            )
            moved = self.filtered(
                lambda case: case._get_transfer_values(case_type, case.section_id)
            )
            if moved:
                moved._check_transfer_target(transfer["section_id"])
                moved._log_transfer(transfer["section_id"], case_type)
                super(CrmCase, moved).write(
                    {
                        "section_id": transfer["section_id"].id,
                        "user_id": transfer["user_id"].id,
                        **vals,
                    }
                )
        if self - moved:
            super(CrmCase, self - moved).write(vals)
        for case, values in stage_changes.items():
            super(CrmCase, case).write(values)
        return True

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
                "%(case)s handed to %(section)s (%(user)s)",
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
