# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields, sql_db
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name


@tagged("post_install", "-at_install")
class TestFollowupConcurrency(BaseCase):
    """Two cron workers starting at once on the same due cases, each in its
    own transaction on its own connection, as Odoo's multi-worker server
    runs them: every escalation and every reminder happens exactly once."""

    CASES = 40

    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env["res.users"].create(
                {
                    "name": "Race Responsible",
                    "login": "race.responsible",
                    "email": "race@example.com",
                    "groups_id": [
                        (6, 0, env.ref("crm_case_sections.group_case_user").ids)
                    ],
                }
            )
            top = env["crm.case.section"].create(
                {"name": "Race top", "user_id": user.id}
            )
            child = env["crm.case.section"].create(
                {"name": "Race child", "parent_id": top.id}
            )
            now = fields.Datetime.now()
            cases = env["crm.case"].create(
                [
                    {
                        "name": f"Late {index}",
                        "section_id": child.id,
                        "date_deadline": now - timedelta(days=1),
                    }
                    for index in range(self.CASES)
                ]
                + [
                    {
                        "name": f"Soon {index}",
                        "section_id": top.id,
                        "user_id": user.id,
                        "date_deadline": now + timedelta(hours=3),
                    }
                    for index in range(self.CASES)
                ]
            )
            self.ids = {
                "user": user.id,
                "sections": (top | child).ids,
                "cases": cases.ids,
                "top": top.id,
            }
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self._cleanup)

    def _cursor(self):
        return sql_db.db_connect(self.dbname).cursor()

    def _cleanup(self):
        cases = tuple(self.ids["cases"])
        on_cases = "model = 'crm.case' AND res_id IN %s"
        with self._cursor() as cr:
            cr.execute(
                "DELETE FROM mail_activity WHERE res_model = 'crm.case' "
                "AND res_id IN %s",
                [cases],
            )
            cr.execute(
                "DELETE FROM mail_mail WHERE mail_message_id IN "
                f"(SELECT id FROM mail_message WHERE {on_cases})",
                [cases],
            )
            cr.execute(f"DELETE FROM mail_message WHERE {on_cases}", [cases])
            cr.execute(
                "DELETE FROM mail_followers WHERE res_model = 'crm.case' "
                "AND res_id IN %s",
                [cases],
            )
            cr.execute("DELETE FROM crm_case WHERE id IN %s", [cases])
            cr.execute(
                "DELETE FROM crm_case_section WHERE id IN %s",
                [tuple(self.ids["sections"])],
            )
            cr.execute("DELETE FROM res_users WHERE id = %s", [self.ids["user"]])
            cr.commit()  # pylint: disable=invalid-commit

    def _run_concurrently(self, method):
        barrier = threading.Barrier(2)
        errors = []

        def worker():
            try:
                with self._cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    barrier.wait(timeout=30)
                    getattr(env["crm.case"], method)(batch_size=7)
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception as error:  # reported below, in the test's thread
                errors.append(error)

        threads = [threading.Thread(target=worker) for _index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors)

    def test_two_workers_escalate_and_remind_each_case_once(self):
        self._run_concurrently("_cron_escalate")
        self._run_concurrently("_cron_send_reminders")
        # and once more in a row: nothing left to do
        self._run_concurrently("_cron_escalate")
        self._run_concurrently("_cron_send_reminders")
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cases = env["crm.case"].browse(self.ids["cases"])
            late = cases.filtered(lambda case: case.name.startswith("Late"))
            soon = cases - late
            self.assertEqual(set(late.section_id.ids), {self.ids["top"]})
            self.assertEqual(set(late.mapped("priority")), {"1"})
            for case in late:
                escalations = case.message_ids.filtered(
                    lambda m: "Escalated from" in (m.body or "")
                )
                self.assertEqual(len(escalations), 1, case.name)
            reminders = env["mail.mail"].search_count(
                [
                    ("model", "=", "crm.case"),
                    ("res_id", "in", soon.ids),
                    ("subject", "like", "Reminder:"),
                ]
            )
            self.assertEqual(reminders, self.CASES)
            self.assertEqual(len(soon.activity_ids), self.CASES)

    def test_acknowledgements_wait_for_cases_an_escalation_changed(self):
        """The acknowledgement cron began before the escalation cron
        committed on the same new cases, as two cron workers do when mail
        keeps coming: it leaves those cases to its next run instead of
        failing, and each case is acknowledged once."""
        late = [("section_id", "child_of", self.ids["top"]), ("name", "like", "Late")]
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            for case in env["crm.case"].search(late):
                case.write(
                    {
                        "email_from": f"customer.{case.id}@example.com",
                        "acknowledgement_reference": f"<race-{case.id}@example.com>",
                    }
                )
            cr.commit()  # pylint: disable=invalid-commit
        with self._cursor() as ack_cr, self._cursor() as escalation_cr:
            acknowledging = api.Environment(ack_cr, SUPERUSER_ID, {})["crm.case"]
            # the acknowledgement cron's transaction has seen the cases...
            pending = acknowledging.search_count(
                [("acknowledgement_reference", "!=", False)]
            )
            self.assertGreaterEqual(pending, self.CASES)
            # ...when the escalation cron commits a change to each of them
            api.Environment(escalation_cr, SUPERUSER_ID, {})[
                "crm.case"
            ]._cron_escalate()
            escalation_cr.commit()  # pylint: disable=invalid-commit
            acknowledging._cron_send_acknowledgements()
            acknowledging.env.flush_all()
            ack_cr.commit()  # pylint: disable=invalid-commit
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["crm.case"]._cron_send_acknowledgements()
            cr.commit()  # pylint: disable=invalid-commit
            cases = env["crm.case"].search(late)
            self.assertEqual(len(cases), self.CASES)
            self.assertFalse(any(cases.mapped("acknowledgement_reference")))
            for case in cases:
                acknowledgements = env["mail.mail"].search_count(
                    [
                        ("model", "=", "crm.case"),
                        ("res_id", "=", case.id),
                        ("headers", "like", "auto-replied"),
                    ]
                )
                self.assertEqual(acknowledgements, 1, case.name)
