# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Merged and related cases, and the possible duplicates of a case: what
``crm.case`` gets from the merge wizard (wizard/crm_case_merge.py)."""

from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, email_normalize_all
from odoo.tools.mail import email_split_and_format

# open cases of the same customer created this many days back are offered
DUPLICATE_DAYS = 7
# pg_trgm's similarity of their subjects, from 0 to 1: pg_trgm's own default
# threshold ("The oil pump leaks" / "Oil pump leaking again": 0.45)
DUPLICATE_SIMILARITY = 0.3


class CrmCaseMergeMixin(models.AbstractModel):
    """Comes first in ``crm.case``'s ``_inherit``: a mail routed to a
    merged case goes on to its target before the gateway looks at it."""

    _name = "crm.case.merge.mixin"
    _description = "Case Merge and Links"

    merged_into_id = fields.Many2one(
        "crm.case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The case this one was merged into: its messages, attachments "
        "and followers are there, and replies to its mails land there.",
    )
    merged_case_ids = fields.One2many(
        "crm.case",
        "merged_into_id",
        string="Merged Cases",
        context={"active_test": False},
    )
    related_case_ids = fields.Many2many(
        "crm.case",
        "crm_case_related_rel",
        "case_id",
        "related_case_id",
        string="Related Cases",
        copy=False,
        help="Cases about the same matter, kept apart: the link shows on both.",
    )
    duplicate_case_ids = fields.Many2many(
        "crm.case",
        string="Possible Duplicates",
        compute="_compute_duplicate_case_ids",
        help="Open cases of the same customer with a similar subject, created "
        f"in the last {DUPLICATE_DAYS} days.",
    )

    @api.depends("name", "partner_id", "email_from")
    @api.depends_context("uid")
    def _compute_duplicate_case_ids(self):
        """One query for all the cases of ``self``: the open cases the user
        may read whose customer (partner or address, both indexed, narrow
        them down) is the same and whose subject is similar by pg_trgm's
        trigrams."""
        self.duplicate_case_ids = False
        candidates = self.filtered(
            lambda case: case.active
            and not case.is_closed
            and case.name
            and (case.partner_id or case.email_normalized)
        )
        if not candidates or not self.env.registry.has_trigram:
            return
        # the cases the user may read, record rules included
        allowed = self.env["crm.case"]._search(
            [
                ("is_closed", "=", False),
                (
                    "create_date",
                    ">=",
                    fields.Datetime.now() - timedelta(days=DUPLICATE_DAYS),
                ),
            ]
        )
        rows = SQL(", ").join(
            SQL(
                "(%s, %s::int, %s::int, %s::varchar, %s::varchar)",
                index,
                case._origin.id or 0,
                case.partner_id.id or None,
                case.email_normalized or None,
                case.name,
            )
            for index, case in enumerate(candidates)
        )
        self.env["crm.case"].flush_model()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT src.idx, ARRAY_AGG(dup.id ORDER BY
                    similarity(dup.name, src.name) DESC, dup.id DESC)
                  FROM (VALUES %s) AS src(idx, case_id, partner_id, email, name)
                  JOIN crm_case dup
                    ON dup.id != src.case_id
                   AND similarity(dup.name, src.name) >= %s
                   AND (dup.partner_id = src.partner_id
                        OR dup.email_normalized = src.email)
                 WHERE dup.id IN %s
              GROUP BY src.idx
                """,
                rows,
                DUPLICATE_SIMILARITY,
                allowed.subselect(),
            )
        )
        for index, case_ids in rows:
            candidates[index].duplicate_case_ids = self.browse(case_ids)

    # ------------------------------------------------------------
    # CRUD: related cases link both ways
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_merged_into_by_merge(vals_list)
        cases = super().create(vals_list)
        # by the values, not by reading the cases: a case created for another
        # department may already be out of its creator's sight
        linked = cases.browse(
            case.id
            for case, vals in zip(cases, vals_list, strict=True)
            if vals.get("related_case_ids")
        )
        linked._link_related_back({case: self.browse() for case in linked})
        return cases

    def write(self, vals):
        self._check_merged_into_by_merge([vals])
        if "related_case_ids" not in vals or self.env.context.get("related_back"):
            return super().write(vals)
        before = {case: case.related_case_ids for case in self}
        res = super().write(vals)
        self._link_related_back(before)
        return res

    @api.model
    def _check_merged_into_by_merge(self, vals_list):
        """The case a case was merged into receives its customer's mail:
        only a merge, checked by _check_merge, sets it (under sudo), never
        a value sent by a client."""
        if not self.env.su and any(vals.get("merged_into_id") for vals in vals_list):
            raise UserError(
                self.env._(
                    "The case a case was merged into is set by merging them "
                    "(Merge Cases), not by hand."
                )
            )

    def _link_related_back(self, before):
        """Mirror on the other cases the links added or removed on ``self``
        (``before``: each case's related cases before the change)."""
        cases = self.with_context(related_back=True)
        for case in cases:
            added = case.related_case_ids - before[case]
            removed = before[case] - case.related_case_ids
            added.write({"related_case_ids": [Command.link(case.id)]})
            removed.write({"related_case_ids": [Command.unlink(case.id)]})

    # ------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------

    def action_open_merge(self):
        """The merge wizard with this case and its possible duplicates."""
        self.ensure_one()
        cases = self | self.duplicate_case_ids
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Merge Cases"),
            "res_model": "crm.case.merge",
            "view_mode": "form",
            "target": "new",
            # the oldest case is kept by default (see the wizard)
            "context": {"default_case_ids": cases.ids},
        }

    # ------------------------------------------------------------
    # Merge
    # ------------------------------------------------------------

    def _check_merge(self, target):
        """Cases the user may all modify, of one company, ``target`` one of
        them."""
        if len(self) < 2:
            raise UserError(self.env._("Select at least two cases to merge."))
        if target not in self:
            raise UserError(
                self.env._("The case to keep must be one of the merged cases.")
            )
        try:
            self.check_access("write")
        except AccessError as error:
            raise UserError(
                self.env._(
                    "You cannot merge these cases: you are not allowed to modify "
                    "all of them. Only a user who may modify every case involved "
                    "can merge them."
                )
            ) from error
        if self.filtered("merged_into_id"):
            raise UserError(
                self.env._(
                    "%s was already merged into another case.",
                    self.filtered("merged_into_id")[0].display_name,
                )
            )
        if len(self.company_id) > 1:
            raise UserError(
                self.env._("Cases of different companies cannot be merged.")
            )

    def _merge_into(self, target, notify_customer=False):
        """Move everything of the cases ``self`` to ``target``: messages,
        attachments, activities, followers, watchers and document references;
        archive them pointing to it, with a note on both sides; tell their
        customers if asked."""
        (self | target)._check_merge(target)
        cases = self - target
        # sudo: the user may write every case (checked above), the messages
        # and attachments they hold are theirs whatever their own rights
        self.env["mail.message"].sudo().search(
            [("model", "=", "crm.case"), ("res_id", "in", cases.ids)]
        ).write({"res_id": target.id})
        self.env["ir.attachment"].sudo().search(
            [("res_model", "=", "crm.case"), ("res_id", "in", cases.ids)]
        ).write({"res_id": target.id})
        cases.sudo().activity_ids.write({"res_id": target.id})
        partners = cases.message_partner_ids - target.message_partner_ids
        target.message_subscribe(partner_ids=partners.ids)
        values = target._get_merge_values(cases)
        target.write(values)
        left = [
            reference
            for reference in target._get_merge_references(cases)
            if reference not in (target.ref, target.ref2)
        ]
        # sudo: the only way merged_into_id is set (_check_merged_into_by_merge)
        cases.sudo().write({"merged_into_id": target.id, "active": False})
        target._post_merge_notes(cases, left)
        if notify_customer:
            cases._notify_merge_to_customer()
        return target

    def _get_merge_values(self, cases):
        """The watchers of ``cases`` and their document references, on the
        target ``self``: its own come first, references fill its free
        slots."""
        values = {}
        known = set(email_normalize_all(self.email_cc or ""))
        watchers = []
        for address in email_split_and_format(
            ",".join(filter(None, cases.mapped("email_cc")))
        ):
            email = next(iter(email_normalize_all(address)), None)
            if email and email not in known:
                known.add(email)
                watchers.append(address)
        if watchers:
            values["email_cc"] = ", ".join(filter(None, [self.email_cc, *watchers]))
        free = [field for field in ("ref", "ref2") if not self[field]]
        for reference in self._get_merge_references(cases):
            if not free:
                break
            values[free.pop(0)] = f"{reference._name},{reference.id}"
        return values

    def _get_merge_references(self, cases):
        """The documents ``cases`` refer to that the target ``self`` does
        not."""
        references = []
        for reference in (*cases.mapped("ref"), *cases.mapped("ref2")):
            if reference and reference not in (self.ref, self.ref2, *references):
                references.append(reference)
        return references

    def _post_merge_notes(self, cases, left_references):
        """Say on the target ``self`` and on each merged case what went
        where, by whom, with links both ways."""
        body = self.env._(
            "Merged into this case by %(user)s: %(cases)s.",
            user=self.env.user.name,
            cases=Markup(", ").join(case._get_html_link() for case in cases),
        )
        if left_references:
            # both document slots are taken: the others stay on their case
            body += " " + self.env._(
                "Documents left on the merged cases: %s.",
                ", ".join(reference.display_name for reference in left_references),
            )
        self.message_post(body=Markup("<p>%s</p>") % body, subtype_xmlid="mail.mt_note")
        note = Markup("<p>%s</p>") % self.env._(
            "Merged into %(target)s by %(user)s: its messages, attachments and "
            "followers are there now.",
            target=self._get_html_link(),
            user=self.env.user.name,
        )
        for case in cases:
            case.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _notify_merge_to_customer(self):
        """The customers of the merged cases ``self`` learn where their
        request goes on, in their own case's thread: a reply to it lands on
        the target (see message_update)."""
        template = self.env.ref("crm_case_sections.mail_template_case_merged")
        for case in self.filtered(lambda case: case.partner_id or case.email_from):
            case.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _get_merge_target(self):
        """The case that holds this one's conversation now, through merges
        of merges."""
        case, seen = self, set()
        while case.merged_into_id and case.id not in seen:
            seen.add(case.id)
            case = case.merged_into_id
        return case

    # ------------------------------------------------------------
    # Mail gateway: what reaches a merged case goes to its target
    # ------------------------------------------------------------

    def message_update(self, msg_dict, update_vals=None):
        if len(self) == 1 and self.merged_into_id:
            return self._get_mail_target().message_update(
                msg_dict, update_vals=update_vals
            )
        return super().message_update(msg_dict, update_vals=update_vals)

    def message_post(self, **kwargs):
        # from_alias: the gateway posts an incoming mail (users still note
        # on a merged case)
        if (
            len(self) == 1
            and self.env.context.get("from_alias")
            and self.merged_into_id
        ):
            return self._get_mail_target().message_post(**kwargs)
        return super().message_post(**kwargs)

    def _get_mail_target(self):
        """The merge target, for a mail the gateway routed to this merged
        case: a sender this case did not trust is not trusted there either
        (see crm.case.gateway.mixin)."""
        target = self._get_merge_target()
        untrusted = self.env.context.get("mail_inbound_untrusted_ids") or {}
        if self.id in untrusted.get(self._name, ()):
            untrusted = {**untrusted, self._name: (*untrusted[self._name], target.id)}
            target = target.with_context(mail_inbound_untrusted_ids=untrusted)
        return target

    @api.model
    def _find_case_from_subject(self, msg_dict):
        """A subject quoting a merged case's reference lands on its target."""
        case = super()._find_case_from_subject(msg_dict)
        if case:
            return case
        merged = super(
            CrmCaseMergeMixin, self.with_context(active_test=False)
        )._find_case_from_subject(msg_dict)
        if merged.merged_into_id:
            return merged._get_merge_target().with_env(self.env)
        return self.browse()
