# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from bisect import bisect_right
from datetime import datetime, time, timedelta

from pytz import timezone, utc

from odoo import models, tools

from odoo.addons.resource.models.utils import Intervals

# how far ahead of the latest start the work intervals are read at first;
# a target beyond reads the next stretch
PLANNING_HORIZON = timedelta(days=60)


class ResourceCalendar(models.Model):
    """Working hours of the cases' clocks: the service levels, escalation
    and reminders plan targets and measure spans with one read of the work
    intervals (attendances less public holidays) per calendar and batch.
    Datetimes are naive UTC, as stored; on an empty calendar an hour is an
    hour."""

    _inherit = "resource.calendar"

    def _plan_working_hours_batch(self, targets):
        """The moment ``hours`` working hours after ``start``, for each
        ``(start, hours)`` of ``targets``; False for a missing start, or
        when no working time lies within years."""
        if not self:
            return [
                start and start + timedelta(hours=hours) for start, hours in targets
            ]
        self.ensure_one()
        results = [False] * len(targets)
        todo = [i for i, (start, _hours) in enumerate(targets) if start]
        if not todo:
            return results
        begin = min(targets[i][0] for i in todo) - timedelta(days=1)
        stop = max(targets[i][0] for i in todo) + PLANNING_HORIZON
        for attempt in range(10):
            index = self._get_working_time_index(begin, stop)
            left = []
            for i in todo:
                start, hours = targets[i]
                results[i] = _plan(index, start, hours)
                if not results[i]:
                    left.append(i)
            if not (todo := left):
                break
            # targets beyond what was read: read further, farther each time
            stop += PLANNING_HORIZON * 2**attempt
        return results

    def _plan_working_days_batch(self, targets):
        """The moment ``days`` working days after ``start``, for each
        ``(start, days)`` of ``targets``: the same time of day, in the
        calendar's time zone, on the ``days``-th day after the start's that
        has working time (week-ends and public holidays skipped); False for
        a missing start, or when no such day lies within years."""
        if not self:
            return [start and start + timedelta(days=days) for start, days in targets]
        self.ensure_one()
        tz = timezone(self.tz or "UTC")
        results = [False] * len(targets)
        todo = [i for i, (start, _days) in enumerate(targets) if start]
        if not todo:
            return results
        begin = min(targets[i][0] for i in todo)
        # a working week has at least one working day: twice the days in
        # weeks, and a holiday season, cover most calendars at first read
        stop = max(targets[i][0] + timedelta(weeks=targets[i][1] * 2) for i in todo)
        stop += PLANNING_HORIZON
        for attempt in range(10):
            work_days = self._get_working_days(begin, stop)
            left = []
            for i in todo:
                start, days = targets[i]
                local = utc.localize(start).astimezone(tz)
                position = bisect_right(work_days, local.date()) + days - 1
                if days <= 0:
                    results[i] = start
                elif position < len(work_days):
                    moment = tz.localize(
                        datetime.combine(work_days[position], local.time())
                    )
                    results[i] = moment.astimezone(utc).replace(tzinfo=None)
                else:
                    left.append(i)
            if not (todo := left):
                break
            stop += PLANNING_HORIZON * 2**attempt
        return results

    def _get_working_days(self, start, stop):
        """The sorted dates, in the calendar's time zone, that hold working
        time between ``start`` and ``stop`` (naive UTC)."""
        self.ensure_one()
        tz = timezone(self.tz or "UTC")
        work = self._work_intervals_batch(
            start.replace(tzinfo=utc), stop.replace(tzinfo=utc)
        )[False]
        return sorted({begin.astimezone(tz).date() for begin, _end, _meta in work})

    def _working_hours_between_batch(self, spans):
        """The working hours from ``start`` to ``stop`` for each
        ``(start, stop)`` of ``spans``; 0 for a missing or inverted span."""
        valid = [
            (start, stop) for start, stop in spans if start and stop and stop > start
        ]
        if not valid:
            return [0.0] * len(spans)
        if self:
            self.ensure_one()
            index = self._get_working_time_index(
                min(start for start, _stop in valid) - timedelta(days=1),
                max(stop for _start, stop in valid) + timedelta(days=1),
            )

            def measure(start, stop):
                return _hours_at(index, stop) - _hours_at(index, start)

        else:

            def measure(start, stop):
                return (stop - start).total_seconds() / 3600

        return [
            measure(start, stop) if start and stop and stop > start else 0.0
            for start, stop in spans
        ]

    def write(self, vals):
        res = super().write(vals)
        if {"two_weeks_calendar", "flexible_hours"} & set(vals):
            # the cached weeks of attendance follow these flags
            self.env.registry.clear_cache()
        return res

    @tools.ormcache("self.id", "resource_id", "tz", "monday")
    def _get_week_attendances(self, resource_id, tz, monday):
        """The attendance intervals ``(begin, end)``, naive UTC, of the
        resource (False: the calendar itself) in ``tz``, around the week of
        ``monday`` (a day more on each side, for the time zones). Cached:
        assignment asks on each new case, and a week's hours change only
        when the calendar's attendances do (they clear the cache)."""
        start = datetime.combine(monday - timedelta(days=1), time.min, tzinfo=utc)
        stop = start + timedelta(days=9)
        resource = self.env["resource.resource"].browse(resource_id)
        intervals = self._attendance_intervals_batch(
            start, stop, resource, tz=timezone(tz or self.tz or "UTC")
        )[resource.id]
        return tuple(
            (
                begin.astimezone(utc).replace(tzinfo=None),
                end.astimezone(utc).replace(tzinfo=None),
            )
            for begin, end, _meta in intervals
        )

    def _is_at_work(self, resource_id, tz, leaves, moment, until=None):
        """Whether the resource (False: the calendar itself), by this
        calendar's attendances in ``tz`` less ``leaves`` (``(date_from,
        date_to)`` pairs, naive UTC), works at ``moment``, and with
        ``until``, some time between ``moment`` and ``until``: as
        ``(now, later)``. No query once the weeks are cached."""
        self.ensure_one()
        stop = until or moment + timedelta(minutes=1)
        attendances = []
        monday = moment.date() - timedelta(days=moment.weekday())
        while monday <= stop.date():
            attendances += self._get_week_attendances(resource_id, tz, monday)
            monday += timedelta(days=7)
        nothing = self.env["resource.calendar.attendance"]  # Intervals' meta
        work = (
            Intervals([(begin, end, nothing) for begin, end in attendances])
            & Intervals([(moment, stop, nothing)])
        ) - Intervals([(begin, end, nothing) for begin, end in leaves])
        now = any(begin <= moment < end for begin, end, _meta in work)
        return now, bool(work)

    def _get_working_time_index(self, start, stop):
        """The work intervals of the calendar from ``start`` to ``stop``
        (naive UTC), public holidays (leaves without a resource) removed, as
        ``(begins, intervals)``: the sorted beginnings, for bisection, and
        ``(begin, end, working hours before begin)`` for each."""
        self.ensure_one()
        work = self._work_intervals_batch(
            start.replace(tzinfo=utc), stop.replace(tzinfo=utc)
        )[False]
        begins, intervals, total = [], [], 0.0
        for begin, end, _meta in work:
            begin = begin.astimezone(utc).replace(tzinfo=None)
            end = end.astimezone(utc).replace(tzinfo=None)
            begins.append(begin)
            intervals.append((begin, end, total))
            total += (end - begin).total_seconds() / 3600
        return begins, intervals


def _hours_at(index, moment):
    """Working hours from the beginning of ``index`` to ``moment``."""
    begins, intervals = index
    position = bisect_right(begins, moment) - 1
    if position < 0:
        return 0.0
    begin, end, before = intervals[position]
    return before + (min(moment, end) - begin).total_seconds() / 3600


def _plan(index, start, hours):
    """The moment ``hours`` working hours after ``start`` within ``index``,
    or False when the index ends before."""
    begins, intervals = index
    target = _hours_at(index, start) + hours
    for begin, end, before in intervals[max(bisect_right(begins, start) - 1, 0) :]:
        length = (end - begin).total_seconds() / 3600
        if end > start and before + length >= target:
            return begin + timedelta(hours=target - before)
    return False
