# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import TransactionCase

# Madrid is UTC+1 in December: the calendar's 8:00 is 7:00 UTC
FRIDAY_17_MADRID = datetime(2026, 12, 4, 16, 0)  # the Monday after is a holiday
TUESDAY_12_MADRID = datetime(2026, 12, 8, 11, 0)


def new_split_calendar(env, name="Madrid 8-12, 13-17"):
    """Monday to Friday 8:00-12:00 and 13:00-17:00 in Madrid, Monday 7
    December 2026 a public holiday (a leave without resource)."""
    calendar = env["resource.calendar"].create(
        {
            "name": name,
            "tz": "Europe/Madrid",
            "attendance_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day} {period}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": period,
                    },
                )
                for day in range(5)
                for hour_from, hour_to, period in (
                    (8, 12, "morning"),
                    (13, 17, "afternoon"),
                )
            ],
        }
    )
    env["resource.calendar.leaves"].create(
        {
            "name": "Immaculate Conception (moved)",
            "calendar_id": calendar.id,
            # the whole Monday, Madrid time
            "date_from": datetime(2026, 12, 6, 23, 0),
            "date_to": datetime(2026, 12, 7, 22, 59, 59),
        }
    )
    return calendar


class TestWorkingTime(TransactionCase):
    """The one clock of cases: working hours of a calendar, public holidays
    skipped, many targets and spans with one read of the calendar."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = new_split_calendar(cls.env)

    def test_plan_skips_night_weekend_and_holiday(self):
        [due] = self.calendar._plan_working_hours_batch([(FRIDAY_17_MADRID, 4)])
        self.assertEqual(due, TUESDAY_12_MADRID)

    def test_plan_skips_lunch(self):
        # Tuesday 11:00 Madrid + 2 working hours: 14:00, after lunch
        [due] = self.calendar._plan_working_hours_batch(
            [(datetime(2026, 12, 8, 10, 0), 2)]
        )
        self.assertEqual(due, datetime(2026, 12, 8, 13, 0))

    def test_hours_between_skip_holiday(self):
        # Friday 16:00 Madrid to Tuesday 10:00 Madrid: 1 + 2 hours
        [hours] = self.calendar._working_hours_between_batch(
            [(datetime(2026, 12, 4, 15, 0), datetime(2026, 12, 8, 9, 0))]
        )
        self.assertAlmostEqual(hours, 3.0)

    def test_batch_reads_the_calendar_once(self):
        starts = [datetime(2026, 12, day, 9, 0) for day in range(1, 11)]
        read = []
        original = type(self.calendar)._work_intervals_batch

        def counting(calendar, *args, **kwargs):
            read.append(calendar)
            return original(calendar, *args, **kwargs)

        self.patch(type(self.calendar), "_work_intervals_batch", counting)
        dues = self.calendar._plan_working_hours_batch(
            [(start, 40) for start in starts]
        )
        spans = self.calendar._working_hours_between_batch(
            list(zip(starts, dues, strict=True))
        )
        self.assertEqual(len(read), 2, "one read for the targets, one for the spans")
        self.assertEqual(len(dues), 10)
        for hours in spans:
            self.assertAlmostEqual(hours, 40.0)
        # Monday 7 December is skipped: a week of work from Tuesday 1
        # December 10:00 ends on Wednesday 9 December 10:00
        self.assertEqual(dues[0], datetime(2026, 12, 9, 9, 0))

    def test_far_target_reads_further(self):
        [due] = self.calendar._plan_working_hours_batch([(FRIDAY_17_MADRID, 8 * 100)])
        [hours] = self.calendar._working_hours_between_batch([(FRIDAY_17_MADRID, due)])
        self.assertAlmostEqual(hours, 800.0)

    def test_without_calendar_hours_are_hours(self):
        no_calendar = self.env["resource.calendar"]
        self.assertEqual(
            no_calendar._plan_working_hours_batch([(FRIDAY_17_MADRID, 4), (False, 4)]),
            [datetime(2026, 12, 4, 20, 0), False],
        )
        self.assertEqual(
            no_calendar._working_hours_between_batch(
                [
                    (FRIDAY_17_MADRID, datetime(2026, 12, 5, 16, 0)),
                    (FRIDAY_17_MADRID, False),
                ]
            ),
            [24.0, 0.0],
        )

    def test_empty_batches_read_nothing(self):
        with self.assertQueryCount(0):
            self.assertEqual(self.calendar._plan_working_hours_batch([]), [])
            self.assertEqual(
                self.calendar._working_hours_between_batch([(False, False)]), [0.0]
            )
