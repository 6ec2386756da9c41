# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from itertools import count

from odoo.tests import tagged, warmup
from odoo.tools import mute_logger

from .common import GatewayCommon

MESSAGE = """Return-Path: <{sender}>
From: "Ana Torres" <{sender}>
To: support@test.mycompany.com
Cc: quality@customer.example.com
Subject: {subject}
Date: Mon, 23 Nov 2026 10:15:00 +0100
Message-ID: <{message_id}@mail.example.com>
{extra}MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

The pump leaks at the coupling.
"""


@tagged("mail_gateway")
class TestMailGatewayPerformance(GatewayCommon):
    """Pin the SQL queries of the gateway's hot paths: a regression fails
    here instead of slowing every incoming mail."""

    _sequence = count()

    def _message(self, subject="Pump leaks", extra=""):
        index = next(self._sequence)
        return MESSAGE.format(
            sender=f"customer{index}@customer.example.com",
            subject=subject,
            message_id=f"perf-{index}",
            extra=extra,
        )

    def _incoming_case(self):
        return self.env["crm.case"].search([], order="id desc", limit=1)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    @warmup
    def test_query_count_new_mail(self):
        message = self._message()
        # the responsible notified by e-mail included, the weighted revenue
        # rounded in the company's currency, the service-level policies of
        # the section's tree cached, every stored compute in the INSERT; the
        # acknowledgement is queued for its cron; the savepoint that keeps a
        # failing mail costs two
        with self.mock_mail_gateway(), self.assertQueryCount(__system__=63):
            self.env["mail.thread"].message_process(None, message)
        self.assertTrue(self._incoming_case().acknowledgement_reference)

    @mute_logger("odoo.addons.mail.models.mail_thread")
    @warmup
    def test_query_count_acknowledgements_do_not_grow_with_cases(self):
        for batch in (1, 10):
            for _index in range(batch):
                self.env["mail.thread"].message_process(None, self._message())
            # the mail queue triggered to send them now included, and the
            # batch locked against a concurrent escalation (savepoint, lock,
            # the cases read again)
            with self.mock_mail_gateway(), self.assertQueryCount(__system__=15):
                self.env["crm.case"]._cron_send_acknowledgements()
            self.assertEqual(
                len(self._new_mails.filtered(lambda m: m.subject.startswith("[C"))),
                batch,
            )

    @mute_logger("odoo.addons.mail.models.mail_thread")
    @warmup
    def test_query_count_reply(self):
        first = self._message()
        self.env["mail.thread"].message_process(None, first)
        message_id = first.split("Message-ID: ")[1].split("\n")[0]
        sender = first.split("Return-Path: <")[1].split(">")[0]
        reply = self._message(
            subject="Re: Pump leaks",
            extra=f"In-Reply-To: {message_id}\nReferences: {message_id}\n",
        )
        # the customer answers, with a new address in copy
        reply = reply.replace(
            reply.split("Return-Path: <")[1].split(">")[0], sender
        ).replace("quality@customer.", "quality@customer-reply.")
        # the watcher copy, and the responsible notified by e-mail, included;
        # the savepoint that keeps a failing mail and the check that the
        # sender takes part in the case cost three, triggering the mail queue
        # for the copy two
        with self.mock_mail_gateway(), self.assertQueryCount(__system__=46):
            self.env["mail.thread"].message_process(None, reply)
        # the first mail's watcher gets a copy; the reply's Cc joins them
        self.assertEqual(len(self._mails_to("quality@customer.example.com")), 1)
        self.assertIn(
            "quality@customer-reply.example.com",
            self._incoming_case()._get_watcher_emails(),
        )
