# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Service levels of cases: deadlines from the section's policies, their
status, and the response-time facts the case analysis measures."""

from odoo import api, fields, models

from .crm_case_stage import PRIORITIES

SLA_STATUSES = [
    ("on_time", "On Time"),
    ("at_risk", "At Risk"),
    ("failed", "Failed"),
    ("reached", "Reached"),
]


class CrmCaseServiceLevelMixin(models.AbstractModel):
    """Service levels of cases: the deadlines of the policies of the case's
    section (or the nearest one above it), planned in the working hours of
    the section's calendar; their status; the response times measured."""

    _name = "crm.case.service.level.mixin"
    _description = "Case Service Levels"

    # what the computes below depend on; crm.case completes these fields
    section_id = fields.Many2one("crm.case.section")
    type_id = fields.Many2one("crm.case.type", "Case Type")
    priority = fields.Selection(PRIORITIES)
    partner_id = fields.Many2one("res.partner", "Customer/Supplier")
    date_closed = fields.Datetime("Closed On")

    # the stored computes below are precomputed: a new case gets them in
    # its INSERT, not in an UPDATE right after it
    sla_ids = fields.Many2many(
        "crm.case.sla",
        string="Service Levels",
        compute="_compute_sla_ids",
        store=True,
        copy=False,
        help="Policies of the nearest section, up the tree, that apply.",
        precompute=True,
    )
    sla_deadline_first_response = fields.Datetime(
        "First Response Due",
        compute="_compute_sla_deadlines",
        store=True,
        index="btree_not_null",
        precompute=True,
    )
    sla_deadline_resolution = fields.Datetime(
        "Resolution Due",
        compute="_compute_sla_deadlines",
        store=True,
        index="btree_not_null",
        precompute=True,
    )
    sla_date_at_risk = fields.Datetime(
        "At Risk From",
        compute="_compute_sla_deadlines",
        store=True,
        index="btree_not_null",
        precompute=True,
    )
    # not tracked: the cron turns thousands of cases at risk at once, and a
    # note on each would cost two inserts a case; a failure is noted anyway,
    # by the escalation it causes
    sla_status = fields.Selection(
        SLA_STATUSES,
        "SLA Status",
        compute="_compute_sla_status",
        store=True,
        index=True,
        copy=False,
        precompute=True,
    )
    sla_paused_since = fields.Datetime("SLA Paused Since", readonly=True, copy=False)
    sla_first_response_failed = fields.Boolean(readonly=True, copy=False)
    sla_resolution_failed = fields.Boolean(readonly=True, copy=False)
    date_first_response = fields.Datetime(
        "First Response",
        readonly=True,
        copy=False,
        help="When an employee first wrote to the customer.",
    )
    working_hours_first_response = fields.Float(
        "Working Hours to First Response",
        readonly=True,
        copy=False,
        aggregator="avg",
    )
    working_hours_close = fields.Float(
        "Working Hours to Close",
        compute="_compute_working_hours_close",
        store=True,
        aggregator="avg",
        precompute=True,
    )
    working_hours_waiting = fields.Float(
        readonly=True,
        copy=False,
        aggregator="avg",
        help="Working hours the case spent in stages that pause its service "
        "level (waiting for the customer or a supplier).",
    )
    reopen_count = fields.Integer("Reopenings", readonly=True, copy=False)
    # the tree's levels, to group the case analysis by any of them
    section_level2_id = fields.Many2one(
        related="section_id.level2_id", store=True, index=True, precompute=True
    )
    section_level3_id = fields.Many2one(
        related="section_id.level3_id", store=True, index=True, precompute=True
    )

    @api.depends(
        "section_id",
        "type_id",
        "priority",
        "partner_id.category_id",
        "partner_id.commercial_partner_id.category_id",
    )
    def _compute_sla_ids(self):
        policies = self.env["crm.case.sla"]._get_policies(self)
        # the stored policies of all the cases in one query, not one each
        # when the assignment below reads what it replaces
        self.filtered("id").fetch(["sla_ids"])
        for case in self:
            case.sla_ids = policies[case]

    @api.depends(
        "sla_ids",
        "create_date",
        "date_first_response",
        "working_hours_waiting",
        "section_id.resource_calendar_id",
    )
    def _compute_sla_deadlines(self):
        # one read of each calendar's working time for all its cases
        for calendar, cases in self.grouped(
            lambda case: case.section_id.resource_calendar_id
        ).items():
            targets = {case: case._get_sla_targets() for case in cases}
            moments = iter(
                calendar._plan_working_hours_batch(
                    [
                        (start, hours)
                        for case_targets in targets.values()
                        for _kind, start, hours in case_targets
                    ]
                )
            )
            for case, case_targets in targets.items():
                # the earliest deadline of the case's policies wins
                dates = {"first_response": [], "resolution": [], "at_risk": []}
                for kind, _start, _hours in case_targets:
                    dates[kind].append(next(moments))
                dates = {
                    kind: min(filter(None, moments_), default=False)
                    for kind, moments_ in dates.items()
                }
                case.sla_deadline_first_response = dates["first_response"]
                case.sla_deadline_resolution = dates["resolution"]
                case.sla_date_at_risk = dates["at_risk"]

    def _get_sla_targets(self):
        """The targets of the case's policies, as ``(kind, start, working
        hours)``, moved later by the working hours it spent waiting; kind is
        ``first_response``, ``resolution`` or ``at_risk``."""
        self.ensure_one()
        start = self.create_date or fields.Datetime.now()
        waited = self.working_hours_waiting
        targets = []
        for sla in self.sla_ids:
            share = sla.at_risk_percent / 100
            for kind, hours in (
                ("first_response", sla.time_first_response),
                ("resolution", sla.time_resolution),
            ):
                if not hours:
                    continue
                targets.append((kind, start, hours + waited))
                if kind == "resolution" or not self.date_first_response:
                    targets.append(("at_risk", start, hours * share + waited))
        return targets

    @api.depends(
        "sla_deadline_first_response",
        "sla_deadline_resolution",
        "sla_date_at_risk",
        "date_first_response",
        "date_closed",
        "sla_paused_since",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for case in self:
            case.sla_status = case._get_sla_status(now)

    def _get_sla_status(self, now):
        self.ensure_one()
        targets = [
            (deadline, done)
            for deadline, done in (
                (self.sla_deadline_first_response, self.date_first_response),
                (self.sla_deadline_resolution, self.date_closed),
            )
            if deadline
        ]
        if not targets:
            return False
        paused = bool(self.sla_paused_since)
        if any(
            (done and done > deadline) or (not done and not paused and now > deadline)
            for deadline, done in targets
        ):
            return "failed"
        if all(done for _deadline, done in targets):
            return "reached"
        if not paused and self.sla_date_at_risk and now >= self.sla_date_at_risk:
            return "at_risk"
        return "on_time"

    @api.depends("date_closed")
    def _compute_working_hours_close(self):
        for calendar, cases in self.grouped(
            lambda case: case.section_id.resource_calendar_id
        ).items():
            hours = calendar._working_hours_between_batch(
                [(case.create_date, case.date_closed) for case in cases]
            )
            for case, case_hours in zip(cases, hours, strict=True):
                case.working_hours_close = case_hours

    def _get_sla_stage_values(self, stage):
        """What entering ``stage`` changes to each case's service level: a
        pausing stage stops the clock, leaving it adds the wait to the
        deadlines, leaving a closing stage counts a reopening."""
        now = fields.Datetime.now()
        changes = {}
        resumed = self.browse()
        for case in self:
            values = {}
            pausing = stage in case.sla_ids.stage_ids_pause
            if pausing and not case.sla_paused_since:
                values["sla_paused_since"] = now
            elif not pausing and case.sla_paused_since:
                values["sla_paused_since"] = False
                resumed |= case
            if case.is_closed and stage and not stage.is_closed:
                values["reopen_count"] = case.reopen_count + 1
            if values:
                changes[case] = values
        for calendar, cases in resumed.grouped(
            lambda case: case.section_id.resource_calendar_id
        ).items():
            waits = calendar._working_hours_between_batch(
                [(case.sla_paused_since, now) for case in cases]
            )
            for case, wait in zip(cases, waits, strict=True):
                changes[case]["working_hours_waiting"] = (
                    case.working_hours_waiting + wait
                )
        return changes

    def _register_first_response(self, message):
        """The first message an employee wrote to the customer: not a note,
        not the acknowledgement or a reminder (mailed without a message),
        nor anything posted by the system."""
        if self.date_first_response or message.author_id == self.env.ref(
            "base.partner_root"
        ):
            return
        calendar = self.section_id.resource_calendar_id
        [hours] = calendar._working_hours_between_batch(
            [(self.create_date, message.date)]
        )
        self.write(
            {
                "date_first_response": message.date,
                "working_hours_first_response": hours,
            }
        )

    @api.model
    def _cron_update_sla(self, batch_size=500):
        """Mark the cases whose service level became at risk or failed, and
        escalate each failed target once, up the sections tree."""
        now = fields.Datetime.now()
        due = [
            ("sla_status", "in", ["on_time", "at_risk"]),
            ("sla_paused_since", "=", False),
            "|",
            "|",
            ("sla_date_at_risk", "<=", now),
            ("sla_deadline_first_response", "<=", now),
            ("sla_deadline_resolution", "<=", now),
        ]
        self._process_in_batches(
            due, batch_size, lambda cases: cases._update_sla_status(now)
        )
        escalatable = [
            ("is_closed", "=", False),
            ("sla_paused_since", "=", False),
            ("section_id.active", "=", True),
            "|",
            ("section_id.escalation_section_id", "!=", False),
            ("section_id.parent_id", "!=", False),
        ]
        for domain, flag, reason in (
            (
                [
                    ("date_first_response", "=", False),
                    ("sla_deadline_first_response", "<", now),
                ],
                "sla_first_response_failed",
                self.env._("the first response target was missed"),
            ),
            (
                [("sla_deadline_resolution", "<", now)],
                "sla_resolution_failed",
                self.env._("the resolution target was missed"),
            ),
        ):
            self._process_in_batches(
                escalatable + domain + [(flag, "=", False)],
                batch_size,
                lambda cases, flag=flag, reason=reason: cases._escalate_once(
                    flag, reason
                ),
            )

    def _update_sla_status(self, now):
        by_status = {}
        for case in self:
            status = case._get_sla_status(now)
            if status != case.sla_status:
                by_status.setdefault(status, self.browse())
                by_status[status] |= case
        for status, cases in by_status.items():
            # written, not recomputed: automated actions see the change
            cases.write({"sla_status": status})
