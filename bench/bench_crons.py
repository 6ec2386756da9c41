"""Follow-up crons benchmark: ``crm.case._cron_escalate`` and
``crm.case._cron_send_reminders`` over 1,000 sections and 1,000,000 cases, run
as the cron worker runs them: a real cursor, a commit after each batch.

The database is the one bench/generate.py filled: one case in 50 is due, in
equal parts, for a passed deadline and an unanswered customer (escalation), a
deadline and a next action within the reminder delay (reminders). The crons
run once, then once more with nothing to do; then on a few thousand more
cases, made due through the ORM, with two batch sizes, to show what their
queries grow with; then two workers escalate the same cases at once. Which
case is due, where it goes and to whom is the addon's business, proved by its
tests: this benchmark only counts the cases each cron handled, the flags it
set and the notes it wrote, against the due cases the generator placed.
"""

import json
import logging
import resource
import sys
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

from common import arguments, open_registry
from generate import DUE_SHARE

import odoo
from odoo import api, fields

ESCALATIONS = ("deadline", "unanswered")  # the causes of each cron
REMINDERS = ("deadline_reminder", "action_reminder")
FLAGS = {
    "deadline": "deadline_escalated",
    "unanswered": "unanswered_escalated",
    "deadline_reminder": "deadline_reminded",
    "action_reminder": "action_reminded",
}
CRONS = {"escalate": "_cron_escalate", "send reminders": "_cron_send_reminders"}
MAX_PEAK_MB = 1024
MAX_IDLE_SECONDS = 2.0
RACE_CASES, RACE_BATCH = 200, 20
ESCALATION_NOTE = "%Escalated from%"

MARKS_SQL = """
SELECT (SELECT COALESCE(max(id), 0) FROM mail_message),
       (SELECT COALESCE(max(id), 0) FROM mail_mail),
       (SELECT COALESCE(max(id), 0) FROM mail_activity),
       now() AT TIME ZONE 'UTC'
"""


class Batches:
    """Counts, per thread, the batches the crons process and their cases (a
    call of ``_escalate_once`` or ``_remind_once`` per batch), and the cases
    ``_lock_for_processing`` leaves to another worker. ``pause`` runs at the
    start of each batch, while its row locks are held."""

    def __init__(self, registry):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.pause = None
        model = registry["crm.case"]
        for name in ("_escalate_once", "_remind_once"):
            setattr(model, name, self.count_batch(getattr(model, name)))
        if hasattr(model, "_lock_for_processing"):
            model._lock_for_processing = self.count_skipped(model._lock_for_processing)

    def add(self, key, n):
        with self.lock:
            self.counts[threading.current_thread().name, key] += n

    def count_batch(self, process):
        def counted(cases, *args):
            self.add("batches", 1)
            self.add("cases", len(cases))
            if self.pause:
                self.pause()
            return process(cases, *args)

        return counted

    def count_skipped(self, lock_for_processing):
        def counted(cases):
            locked = lock_for_processing(cases)
            self.add("skipped", len(cases) - len(locked))
            return locked

        return counted

    def total(self, key):
        return sum(n for (_name, k), n in self.counts.items() if k == key)


class SerializationSkips(logging.Filter):
    """Counts, and keeps out of the output, the batches a worker skips after a
    serialization failure: the addon's info line and Odoo's "bad query"
    error line, expected in a race."""

    loggers = (
        "odoo.addons.crm_case_sections.models.crm_case_escalation",
        "odoo.sql_db",
    )

    def __init__(self):
        super().__init__()
        self.skipped = 0

    def filter(self, record):
        message = record.getMessage()
        if "processed by another worker" in message:
            self.skipped += 1
            return False
        return "could not serialize access" not in message

    def __enter__(self):
        for name in self.loggers:
            logging.getLogger(name).addFilter(self)
        # the skips are logged at info level
        logging.getLogger(self.loggers[0]).setLevel(logging.INFO)
        return self

    def __exit__(self, *exc):
        for name in self.loggers:
            logging.getLogger(name).removeFilter(self)
        logging.getLogger(self.loggers[0]).setLevel(logging.NOTSET)


SMTP_ATTEMPTS = Counter()


def refuse_smtp(*args, **kwargs):
    SMTP_ATTEMPTS["connect"] += 1
    raise ConnectionRefusedError("bench: no SMTP server, outgoing mail stays queued")


def memory_kb(key):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_memory():
    """Make VmHWM (peak resident memory) start again from the current RSS,
    so that each cron gets its own peak; Linux only."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


@contextmanager
def measure(figures, batches):
    """Wall time, SQL queries, batches, cases and peak memory of the block."""
    reset_peak_memory()
    rss = memory_kb("VmRSS")
    counts = Counter(batches.counts)
    queries, start = odoo.sql_db.sql_counter, time.perf_counter()
    yield figures
    figures["seconds"] = time.perf_counter() - start
    figures["queries"] = odoo.sql_db.sql_counter - queries
    for key in ("batches", "cases"):
        figures[key] = batches.total(key) - sum(
            n for (_name, k), n in counts.items() if k == key
        )
    figures["peak_rss_mb"] = memory_kb("VmHWM") / 1024
    figures["rss_delta_mb"] = (memory_kb("VmRSS") - rss) / 1024


class Bench:
    def __init__(self, registry, batch_size, due_per_cause):
        self.registry = registry
        self.batch_size = batch_size
        self.batches = Batches(registry)
        self.errors = []
        self.rearmed = []
        self.due_per_cause = due_per_cause
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            # the crons run as their ir.cron's user, as the cron worker does
            self.cron_uid = env.ref("crm_case_sections.ir_cron_escalate").user_id.id

    def cursor(self):
        return self.registry.cursor()

    def run_cron(self, method, batch_size=None):
        with self.cursor() as cr:
            env = api.Environment(cr, self.cron_uid, {})
            getattr(env["crm.case"], method)(batch_size=batch_size or self.batch_size)

    def marks(self):
        with self.cursor() as cr:
            cr.execute(MARKS_SQL)
            message, mail, activity, now = cr.fetchone()
        return {"message": message, "mail": mail, "activity": activity, "since": now}

    # ------------------------------------------------------------
    # Data
    # ------------------------------------------------------------

    def flagged(self):
        """How many cases carry each cron's flag."""
        with self.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"active_test": False})
            return {
                cause: env["crm.case"].search_count([(flag, "=", True)])
                for cause, flag in FLAGS.items()
            }

    def rearm(self, cause, count):
        """Make ``count`` open cases without dates due for ``cause``
        ("deadline" or "deadline_reminder") through the ORM, as a user setting
        their deadline would; return their ids."""
        with self.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            Case = env["crm.case"]
            # sections with somewhere to escalate to, as the addon says
            sections = env["crm.case.section"].search([])
            escalating = sections.filtered(lambda s: s._get_escalation_target())
            cases = Case.search(
                [
                    ("is_closed", "=", False),
                    ("section_id", "in", escalating.ids),
                    ("waiting_since", "=", False),
                    ("date_deadline", "=", False),
                    ("date_action_next", "=", False),
                    ("id", "not in", self.rearmed),
                ],
                limit=count,
                order="id",
            )
            now = fields.Datetime.now()
            deadline = (
                now - timedelta(hours=1)
                if cause == "deadline"
                else now + timedelta(hours=3)
            )
            cases.write({"date_deadline": deadline})
            self.rearmed += cases.ids
            cr.commit()
            cr.execute("ANALYZE crm_case")
            return cases.ids

    # ------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------

    def check(self, scenario, expected, before, marks):
        """Errors in what a run did: for each cause, the cases flagged and,
        for escalations, the notes written must match the due cases."""
        errors = []
        after = self.flagged()
        notes = self.escalation_notes(marks)
        escalated = 0
        for cause, due in expected.items():
            flagged = after[cause] - before[cause]
            if flagged != due:
                errors.append(f"{scenario}: {flagged} {cause} cases handled, {due} due")
            if cause in ESCALATIONS:
                escalated += due
        if notes != escalated:
            errors.append(f"{scenario}: {notes} escalation notes, {escalated} due")
        return errors

    def escalation_notes(self, marks, case_ids=None):
        """Escalation notes written since ``marks``, per case if asked."""
        with self.cursor() as cr:
            cr.execute(
                "SELECT res_id, count(*) FROM mail_message WHERE model = 'crm.case' "
                "AND id > %s AND body::text LIKE %s GROUP BY res_id",
                [marks["message"], ESCALATION_NOTE],
            )
            per_case = dict(cr.fetchall())
        if case_ids is None:
            return sum(per_case.values())
        return [per_case.get(case_id, 0) for case_id in case_ids]

    def count_new(self, marks):
        with self.cursor() as cr:
            cr.execute(MARKS_SQL)
            message, mail, activity, _now = cr.fetchone()
        return {
            "messages": message - marks["message"],
            "mails": mail - marks["mail"],
            "activities": activity - marks["activity"],
        }

    # ------------------------------------------------------------
    # Scenarios
    # ------------------------------------------------------------

    def main_run(self, figures):
        """Each cron once over the generated due cases, then once more with
        nothing left to do."""
        for label, method, causes in (
            ("escalate", CRONS["escalate"], ESCALATIONS),
            ("send reminders", CRONS["send reminders"], REMINDERS),
        ):
            marks, before = self.marks(), self.flagged()
            with measure({}, self.batches) as row:
                self.run_cron(method)
            row.update(self.count_new(marks))
            figures["runs"][label] = row
            expected = {cause: self.due_per_cause for cause in causes}
            self.errors += self.check("main", expected, before, marks)
            if row["cases"] != sum(expected.values()):
                self.errors.append(
                    f"{label}: {row['cases']} cases in its batches, "
                    f"{sum(expected.values())} due"
                )
        marks = self.marks()
        for label, method in CRONS.items():
            with measure({}, self.batches) as row:
                self.run_cron(method)
            figures["runs"][f"{label} (idle)"] = row
            if row["seconds"] >= MAX_IDLE_SECONDS:
                self.errors.append(
                    f"{label} with nothing to do took {row['seconds']:.2f} s"
                )
        new = self.count_new(marks)
        idle_cases = sum(figures["runs"][f"{label} (idle)"]["cases"] for label in CRONS)
        if idle_cases or any(new.values()):
            self.errors.append(f"the idle runs handled {idle_cases} cases: {new}")

    def scaling_run(self, figures, count):
        """The same number of due cases, in 4 batches then in 2: the queries
        that follow the batches halve, those that follow the cases stay."""
        for label, cause in (
            ("escalate", "deadline"),
            ("send reminders", "deadline_reminder"),
        ):
            for batch_size in (count // 4, count // 2):
                scenario = f"scaling {cause} {batch_size}"
                due = len(self.rearm(cause, count))
                marks, before = self.marks(), self.flagged()
                with measure(
                    {"due": due, "batch_size": batch_size}, self.batches
                ) as row:
                    self.run_cron(CRONS[label], batch_size)
                figures["scaling"].append(dict(row, cron=label))
                self.errors += self.check(scenario, {cause: due}, before, marks)
                if due != count:
                    self.errors.append(f"{scenario}: {due} cases due, not {count}")

    def race(self, figures, batch_sizes, name):
        """Two workers escalate the same cases at once: the second starts
        while the first holds the locks of its first batch."""
        scenario = f"race {name}"
        case_ids = self.rearm("deadline", RACE_CASES)
        due = len(case_ids)
        marks, flagged = self.marks(), self.flagged()
        barrier = threading.Barrier(2, timeout=120)
        paused = threading.Event()
        workers_errors = []

        def first_batch_locked():
            if threading.current_thread().name == "worker-1" and not paused.is_set():
                paused.set()
                barrier.wait()  # worker-2 starts now, while these locks are held

        def work(batch_size):
            try:
                if threading.current_thread().name == "worker-2":
                    barrier.wait()
                self.run_cron(CRONS["escalate"], batch_size)
            except Exception as error:
                traceback.print_exc()
                workers_errors.append(f"{type(error).__name__}: {error}")
            finally:
                # worker-1 found no batch to pause in: let worker-2 start anyway
                if threading.current_thread().name == "worker-1":
                    first_batch_locked()

        before = Counter(self.batches.counts)
        self.batches.pause = first_batch_locked
        threads = [
            threading.Thread(target=work, args=(size,), name=f"worker-{index}")
            for index, size in enumerate(batch_sizes, start=1)
        ]
        start = time.perf_counter()
        try:
            with SerializationSkips() as skips:
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
        finally:
            self.batches.pause = None
        seconds = time.perf_counter() - start
        counts = self.batches.counts - before
        errors = self.check(scenario, {"deadline": due}, flagged, marks)
        if due != RACE_CASES:
            errors.append(f"{due} cases due, not {RACE_CASES}")
        # escalated twice: two notes, or moved two levels up
        notes = self.escalation_notes(marks, case_ids)
        missed, twice = notes.count(0), sum(n > 1 for n in notes)
        figures["races"].append(
            {
                "name": name,
                "due": due,
                "batch_sizes": list(batch_sizes),
                "seconds": seconds,
                "workers": {
                    thread.name: {
                        key: counts[thread.name, key]
                        for key in ("batches", "cases", "skipped")
                    }
                    for thread in threads
                },
                "serialization_skips": skips.skipped,
                "missed": missed,
                "twice": twice,
                "errors": workers_errors + errors,
            }
        )
        self.errors += workers_errors + errors


def print_runs(figures):
    print(
        f"\n{'cron':<22} {'cases':>7} {'batches':>7} {'seconds':>8} {'queries':>8} "
        f"{'q/batch':>8} {'q/case':>7} {'ms/case':>7} {'peak MB':>7} {'RSS +MB':>7}"
    )
    for label, row in figures["runs"].items():
        print_row(label, row)
    for label, row in figures["runs"].items():
        if row["cases"]:
            print(
                f"{label}: {row['messages']} messages, {row['mails']} mail.mail, "
                f"{row['activities']} activities created"
            )


def print_row(label, row):
    batches, cases = row["batches"], row["cases"]
    print(
        f"{label:<22} {cases:7} {batches:7} {row['seconds']:8.2f} "
        f"{row['queries']:8} "
        + (f"{row['queries'] / batches:8.1f} " if batches else f"{'-':>8} ")
        + (f"{row['queries'] / cases:7.1f} " if cases else f"{'-':>7} ")
        + (f"{row['seconds'] * 1000 / cases:7.1f} " if cases else f"{'-':>7} ")
        + f"{row['peak_rss_mb']:7.0f} {row['rss_delta_mb']:+7.1f}"
    )


def print_scaling(figures):
    print("\nSame due cases, two batch sizes")
    print(
        f"{'cron':<16} {'batch':>6} {'cases':>6} {'batches':>7} {'seconds':>8} "
        f"{'queries':>8} {'q/batch':>8} {'q/case':>7}"
    )
    rows = figures["scaling"]
    for row in rows:
        print(
            f"{row['cron']:<16} {row['batch_size']:6} {row['cases']:6} "
            f"{row['batches']:7} {row['seconds']:8.2f} {row['queries']:8} "
            f"{row['queries'] / max(row['batches'], 1):8.1f} "
            f"{row['queries'] / max(row['cases'], 1):7.1f}"
        )
    for small, large in zip(rows[::2], rows[1::2], strict=True):
        # queries = a + b * batches + c * cases: the difference between the
        # two runs is the cost of the batches saved
        saved = small["batches"] - large["batches"]
        per_batch = (small["queries"] - large["queries"]) / saved if saved else 0
        per_case = (large["queries"] - per_batch * large["batches"]) / max(
            large["cases"], 1
        )
        print(
            f"{small['cron']}: {per_batch:.1f} queries per batch, "
            f"{per_case:.1f} per case: "
            + (
                "the queries grow with the batches"
                if per_case < 1
                else "the queries grow with the cases"
            )
        )


def print_races(figures):
    for race in figures["races"]:
        workers = ", ".join(
            f"{name} (batch {size}): {w['batches']} batches, {w['cases']} escalated, "
            f"{w['skipped']} skipped as locked"
            for (name, w), size in zip(
                race["workers"].items(), race["batch_sizes"], strict=True
            )
        )
        verdict = (
            "each escalated exactly once"
            if not race["errors"]
            else f"{race['missed']} not escalated, {race['twice']} escalated twice"
        )
        print(
            f"\nTwo workers at once ({race['name']}), {race['due']} due cases, "
            f"{race['seconds']:.1f} s: {workers}; {race['serialization_skips']} "
            f"batches skipped after a serialization failure; {verdict}"
        )
        for error in race["errors"]:
            print(f"  {error}")


def cases_by_section(registry, errors):
    """The Cases by section list on the generated tree: every section with
    its open and total cases, sub-sections included, as the list reads them."""
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_closed IS NOT TRUE) "
            "FROM crm_case WHERE active"
        )
        total, open_total = cr.fetchone()
        env.invalidate_all()
        queries, start = odoo.sql_db.sql_counter, time.perf_counter()
        rows = env["crm.case.section"].search_read(
            [], ["complete_name", "user_id", "open_case_count", "case_count"]
        )
        seconds = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
    tops = [row for row in rows if " / " not in row["complete_name"]]
    counted = sum(row["case_count"] for row in tops)
    counted_open = sum(row["open_case_count"] for row in tops)
    print(
        f"\nCases by section: {len(rows):,} sections with their open and total "
        f"cases, sub-sections included, in {seconds:.2f} s and {queries} queries "
        f"(top sections hold {counted:,} cases, {counted_open:,} open)"
    )
    if (counted, counted_open) != (total, open_total):
        errors.append(
            f"cases by section: {counted}/{counted_open} counted, "
            f"{total}/{open_total} in the table"
        )
    if seconds >= 1:
        errors.append(f"cases by section took {seconds:.2f} s")
    return {"seconds": round(seconds, 3), "queries": queries, "sections": len(rows)}


def case_analysis(registry, errors):
    """The Case analysis pivot as it opens: departments (top sections) by
    creation month, with revenue, cost and weighted revenue."""
    measures = ["expected_revenue:sum", "planned_cost:sum", "prorated_revenue:sum"]
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT sum(prorated_revenue) FROM crm_case WHERE active")
        (expected,) = cr.fetchone()
        env.invalidate_all()
        queries, start = odoo.sql_db.sql_counter, time.perf_counter()
        groups = env["crm.case"]._read_group(
            [], ["section_root_id", "create_date:month"], measures
        )
        seconds = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
    weighted = sum(group[-1] for group in groups)
    print(
        f"Case analysis: {len(groups):,} department x month cells with revenue, "
        f"cost and weighted revenue in {seconds:.2f} s and {queries} queries"
    )
    if round(weighted) != round(expected):
        errors.append(f"case analysis: weighted revenue {weighted} != {expected}")
    return {"seconds": round(seconds, 3), "queries": queries, "cells": len(groups)}


def main():
    parser = arguments(__doc__)
    parser.add_argument(
        "--cases", type=int, default=1_000_000, help="cases bench/generate.py made"
    )
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--json", metavar="FILE", help="write the figures there")
    args = parser.parse_args()
    registry = open_registry(args)
    registry["ir.mail_server"].connect = refuse_smtp
    bench = Bench(registry, args.batch_size, args.cases // DUE_SHARE)
    figures = {"runs": {}, "scaling": [], "races": []}
    per_cause = bench.due_per_cause
    print(f"\nfollow-up crons on {args.cases:,} cases, {per_cause:,} due per cause")

    figures["cases_by_section"] = cases_by_section(registry, bench.errors)
    figures["case_analysis"] = case_analysis(registry, bench.errors)
    started = time.perf_counter()
    bench.main_run(figures)
    print_runs(figures)
    # 2,000 cases in 4 batches of 500, then in 2 of 1,000; fewer on a small base
    bench.scaling_run(figures, min(4 * args.batch_size, args.cases // 100))
    print_scaling(figures)
    bench.race(figures, (RACE_BATCH, RACE_BATCH), "same batch size")
    bench.race(figures, (RACE_BATCH, RACE_BATCH * 3 // 2), "different batch sizes")
    print_races(figures)

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    crons_peak = max(row["peak_rss_mb"] for row in figures["runs"].values())
    if max(peak_mb, crons_peak) >= MAX_PEAK_MB:
        bench.errors.append(f"peak memory {max(peak_mb, crons_peak):.0f} MB")
    if SMTP_ATTEMPTS:
        bench.errors.append(f"{SMTP_ATTEMPTS['connect']} attempts to connect to SMTP")
    figures.update(
        cases=args.cases,
        batch_size=args.batch_size,
        crons_seconds=round(time.perf_counter() - started, 1),
        process_peak_rss_mb=round(peak_mb),
        errors=bench.errors,
    )
    print(
        f"\nprocess peak RSS (ru_maxrss) {peak_mb:.0f} MB; crons and checks "
        f"{figures['crons_seconds']:.0f} s"
    )
    if args.json:
        with open(args.json, "w") as file:
            json.dump(figures, file, indent=2, default=str)
    if bench.errors:
        print("\nerror: " + "\nerror: ".join(bench.errors), file=sys.stderr)
        return 1
    print(
        f"\ncorrect: {4 * per_cause:,} due cases escalated or reminded once, "
        "nothing else touched, idle runs under "
        f"{MAX_IDLE_SECONDS:.0f} s, peak memory under {MAX_PEAK_MB} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
