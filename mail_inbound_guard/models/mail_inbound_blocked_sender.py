# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Senders whose mail the gateway refuses before routing it: an address, or
a whole domain (``@spam.example``), for one company or for all of them."""

import re

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

# "@spam.example": labels of letters, digits and hyphens, at least one dot
DOMAIN_PATTERN = re.compile(
    r"^@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$"
)


class MailInboundBlockedSender(models.Model):
    _name = "mail.inbound.blocked.sender"
    _description = "Blocked Sender"
    _order = "pattern, id"
    _rec_name = "pattern"

    pattern = fields.Char(
        "Address or Domain",
        required=True,
        index=True,
        help="An e-mail address (spammer@example.com) or a whole domain "
        "(@spam.example).",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="The company whose addresses refuse this sender's mail. Empty: "
        "every company.",
    )
    note = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "pattern_company_unique",
            "UNIQUE(pattern, company_id)",
            "This sender is blocked already.",
        ),
    ]

    @api.constrains("pattern")
    def _check_pattern(self):
        for blocked in self:
            if self._normalize_pattern(blocked.pattern) != blocked.pattern:
                raise ValidationError(
                    self.env._(
                        "“%s” is neither an e-mail address "
                        "(someone@example.com) nor a whole domain (@example.com).",
                        blocked.pattern,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("pattern"):
                vals["pattern"] = (
                    self._normalize_pattern(vals["pattern"]) or vals["pattern"]
                )
        records = super().create(vals_list)
        # the gateway caches the block list in every worker
        self.env.registry.clear_cache()
        return records

    def write(self, vals):
        if vals.get("pattern"):
            pattern = self._normalize_pattern(vals["pattern"]) or vals["pattern"]
            vals = dict(vals, pattern=pattern)
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    @api.model
    def _normalize_pattern(self, pattern):
        """``pattern`` as stored: a normalized address, or ``@domain`` in
        lower case; False when it is neither."""
        text = (pattern or "").strip().lower()
        if text.startswith("@"):
            return text if DOMAIN_PATTERN.match(text) else False
        address = email_normalize(text, strict=True)
        return address if address and address == text else False

    @api.model
    @tools.ormcache()
    def _get_blocked_patterns(self):
        """``{company id or False: frozenset of patterns}`` of the active
        blocks: read once per worker, then every mail is checked without a
        query until the list changes."""
        blocked = {}
        # sudo: the gateway runs as any user; the list is the managers'
        for company, pattern in self.sudo()._read_group([], ["company_id", "pattern"]):
            blocked.setdefault(company.id, set()).add(pattern)
        return {company: frozenset(patterns) for company, patterns in blocked.items()}

    @api.model
    def _find_block(self, email, company_ids=None):
        """The pattern blocking the normalized address ``email`` for one of
        ``company_ids`` (any company when None), and the company it blocks
        it for (False: all); ``(False, False)`` when nothing blocks it."""
        blocked = self._get_blocked_patterns()
        if not (blocked and email):
            return False, False
        candidates = (email, "@" + email.rpartition("@")[2])
        for company_id, patterns in blocked.items():
            if company_id and company_ids is not None and company_id not in company_ids:
                continue
            for candidate in candidates:
                if candidate in patterns:
                    return candidate, company_id
        return False, False

    @api.model
    def _block(self, emails, company, note=False):
        """Block the addresses ``emails`` for ``company``, reactivating their
        archived blocks; return the blocks."""
        Blocked = self.with_context(active_test=False)
        patterns = {
            self._normalize_pattern(email) or email for email in emails if email
        }
        existing = Blocked.search(
            [("pattern", "in", list(patterns)), ("company_id", "=", company.id)]
        )
        existing.filtered(lambda blocked: not blocked.active).active = True
        new = patterns - set(existing.mapped("pattern"))
        return existing | Blocked.create(
            [
                {"pattern": pattern, "company_id": company.id, "note": note}
                for pattern in sorted(new)
            ]
        )
