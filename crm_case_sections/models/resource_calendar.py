# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from bisect import bisect_right
from datetime import datetime, timedelta

from pytz import timezone, utc

from odoo import models

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

    def _get_resources_at_work(self, moment, resources, until=None):
        """Of ``resources`` (of this calendar) and of the calendar itself
        (key False), the ids at work at ``moment`` (naive UTC), leaves and
        public holidays removed, and, with ``until``, those who work some
        time between ``moment`` and ``until``: one read for all of them."""
        self.ensure_one()
        start = moment.replace(tzinfo=utc)
        stop = (until or moment + timedelta(minutes=1)).replace(tzinfo=utc)
        work = self._work_intervals_batch(start, stop, resources)
        now_ids, later_ids = set(), set()
        for resource_id, intervals in work.items():
            for begin, end, _meta in intervals:
                later_ids.add(resource_id)
                if begin <= start < end:
                    now_ids.add(resource_id)
        return now_ids, later_ids

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
