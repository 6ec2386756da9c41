# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customers write through a real mail server; what they and the company's
people find in their mailboxes is what is asserted."""

import os
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

import requests

SUPPORT = "support@odoo.test"

from conftest import REPO, RESPONSIBLE  # noqa: E402


def new_mail(sender, to, subject, body, cc=None, **headers):
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="customer.test")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail


def parse(raw):
    return message_from_bytes(raw, policy=policy.default)


def test_1_mail_through_postfix_opens_a_case_and_is_acknowledged(door):
    mail = new_mail(
        '"Ana Torres" <ana@customer.test>',
        SUPPORT,
        "Pump P-12 leaks",
        "The pump leaks at the coupling.",
        cc="luis@customer.test",
    )
    queue_id = door.send(mail.as_bytes(), "ana@customer.test", [SUPPORT])
    assert door.delivered(queue_id) == "sent", door.stack.maillog()
    case = door.cases([("name", "=", "Pump P-12 leaks")])
    assert len(case) == 1
    assert case[0]["section_id"][0] == door.data["sections"]["support"]
    assert "luis@customer.test" in case[0]["email_cc"]
    ack = parse(door.mailbox("ana@customer.test", contains="Pump P-12 leaks")[0])
    assert re.match(r"^\[C\d+\] Pump P-12 leaks$", ack["Subject"]), ack["Subject"]
    assert ack["Subject"].startswith(f"[{case[0]['number']}]")
    assert SUPPORT in ack["Reply-To"]


def test_2_mailbox_polled_by_fetchmail_opens_a_case(door):
    mail = new_mail(
        '"Carl Client" <carl@customer.test>',
        "orders@mailbox.test",
        "Order 4711: 40 drums of hydraulic oil",
        "Please deliver 40 drums next week.",
    )
    queue_id = door.send(mail.as_bytes(), "carl@customer.test", ["orders@mailbox.test"])
    assert door.delivered(queue_id) == "sent"
    assert door.stack.unseen_count("orders@mailbox.test") == 1
    door.admin(
        "fetchmail.server", "button_confirm_login", [door.data["fetchmail"]["orders"]]
    )
    door.run_cron("mail.ir_cron_mail_gateway_action")
    cases = wait_until_cases(
        door, [("name", "=", "Order 4711: 40 drums of hydraulic oil")]
    )
    assert cases[0]["section_id"][0] == door.data["sections"]["orders"]
    ack = parse(door.mailbox("carl@customer.test", contains="Order 4711")[0])
    assert (
        ack["Subject"]
        == f"[{cases[0]['number']}] Order 4711: 40 drums of hydraulic oil"
    )
    assert door.stack.unseen_count("orders@mailbox.test") == 0, "marked read once kept"


def wait_until_cases(door, domain, count=1, timeout=120):
    from conftest import wait_until

    return wait_until(
        lambda: (lambda found: found if len(found) >= count else None)(
            door.cases(domain)
        ),
        timeout=timeout,
        message=f"{count} case(s) {domain}",
    )


def reply_to(original_raw, sender, body, cc=None, **headers):
    """A reply as a mail client builds it: To the Reply-To, Re: subject,
    In-Reply-To and References."""
    original = parse(original_raw)
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = original["Reply-To"] or original["From"]
    if cc:
        reply["Cc"] = cc
    reply["Subject"] = f"Re: {original['Subject']}"
    reply["Message-ID"] = make_msgid(domain="customer.test")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = " ".join(
        filter(None, [original["References"], original["Message-ID"]])
    )
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    quoted = "\n".join(
        f"> {line}"
        for line in original.get_body(("plain", "html")).get_content().splitlines()[:5]
    )
    reply.set_content(f"{body}\n\n{quoted}\n")
    return reply


def test_3_customer_answer_and_responsible_answer_reach_everyone(door):
    ack_raw = door.mailbox("ana@customer.test", contains="Pump P-12 leaks")[0]
    case = door.cases([("name", "=", "Pump P-12 leaks")])[0]
    reply = reply_to(
        ack_raw,
        '"Ana Torres" <ana@customer.test>',
        "It leaks more now; our quality team is in copy.",
        cc="quality@customer.test",
    )
    to = [address.strip() for address in re.findall(r"[\w.+-]+@[\w.-]+", reply["To"])]
    queue_id = door.send(
        reply.as_bytes(), "ana@customer.test", [*to, "quality@customer.test"]
    )
    assert door.delivered(queue_id, SUPPORT) == "sent"
    # the answer is on the same case, no second case
    messages = door.admin(
        "mail.message",
        "search_read",
        [
            ("model", "=", "crm.case"),
            ("res_id", "=", case["id"]),
            ("message_type", "=", "email"),
        ],
        fields=["body"],
    )
    assert any("quality team is in copy" in m["body"] for m in messages)
    assert len(door.cases([("email_from", "ilike", "ana@customer.test")])) == 1
    # Luis, a watcher since the first mail, gets a copy; quality@ was in copy
    door.mailbox("luis@customer.test", contains="quality team is in copy")
    assert (
        "quality@customer.test" in door.cases([("id", "=", case["id"])])[0]["email_cc"]
    )

    # the responsible answers from the chatter, to the customer
    # as the chatter does it: the suggested recipient is the customer's address
    chatter = requests.Session()
    base = f"http://127.0.0.1:{door.server.port}"
    login = chatter.post(
        f"{base}/web/session/authenticate",
        json={
            "params": {
                "db": door.server.database,
                "login": RESPONSIBLE[0],
                "password": RESPONSIBLE[1],
            }
        },
        timeout=60,
    ).json()
    assert login.get("result"), login
    posted = chatter.post(
        f"{base}/mail/message/post",
        json={
            "params": {
                "thread_model": "crm.case",
                "thread_id": case["id"],
                "post_data": {
                    "body": "A technician comes tomorrow at 10:00.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                    "partner_ids": [],
                },
                "partner_emails": ["ana@customer.test"],
            }
        },
        timeout=60,
    ).json()
    assert "error" not in posted, posted
    for mailbox in ("ana@customer.test", "luis@customer.test", "quality@customer.test"):
        answer = parse(door.mailbox(mailbox, contains="A technician comes tomorrow")[0])
        assert "support@odoo.test" in answer["Reply-To"], mailbox


def test_4_auto_responder_gets_one_acknowledgement_only(door):
    mail = new_mail(
        "robot@customer.test", SUPPORT, "Delivery address change", "New address."
    )
    queue_id = door.send(mail.as_bytes(), "robot@customer.test", [SUPPORT])
    assert door.delivered(queue_id) == "sent"
    answered = set()
    # an out-of-office robot answers everything it receives, for a while
    for _round in range(4):
        for raw in door.mailbox("robot@customer.test"):
            received = parse(raw)
            if received["Message-ID"] in answered:
                continue
            answered.add(received["Message-ID"])
            auto = reply_to(
                raw,
                "robot@customer.test",
                "I am out of the office until Monday.",
                Auto_Submitted="auto-replied",
                X_Autoreply="yes",
            )
            to = re.findall(r"[\w.+-]+@[\w.-]+", auto["To"])
            assert (
                door.delivered(door.send(auto.as_bytes(), "robot@customer.test", to))
                == "sent"
            )
        door.run_cron("mail.ir_cron_mail_scheduler_action")
        import time

        time.sleep(5)
    assert len(door.stack.messages("robot@customer.test")) == 1
    case = door.cases([("name", "=", "Delivery address change")])
    assert len(case) == 1
    incoming = door.admin(
        "mail.message",
        "search_count",
        [
            ("model", "=", "crm.case"),
            ("res_id", "=", case[0]["id"]),
            ("message_type", "=", "email"),
        ],
    )
    assert incoming == 2, "the request and the one auto-reply are recorded"


def _outcomes(door):
    return door.sql(
        """SELECT (SELECT count(*) FROM crm_case),
                  (SELECT count(*) FROM mail_message
                    WHERE model = 'crm.case' AND message_type = 'email'),
                  (SELECT count(*) FROM mail_inbound_unprocessed)"""
    )[0]


def test_5_malformed_mail_through_postfix_each_has_an_outcome(door):
    data = REPO / "crm_case_sections" / "tests" / "data"
    inbound_data = REPO / "mail_inbound_guard" / "tests" / "data"
    mails = {
        path.name: path.read_bytes()
        for path in sorted((inbound_data / "malformed").glob("*.eml"))
        + [inbound_data / "broken_delivery_report.eml"]
        + [data / name for name in ("crlf_sender.eml", "crlf_subject.eml")]
    }
    mails = {
        name: raw.replace(b"support@test.mycompany.com", SUPPORT.encode()).replace(
            b"carl@cust.example.com", b"dora@customer.test"
        )
        for name, raw in mails.items()
    }
    big = new_mail(
        '"Pedro Ruiz" <pedro@customer.test>',
        SUPPORT,
        "Drawings of the new plant",
        "15 MB attached.",
    )
    big.add_attachment(
        os.urandom(15 * 1024 * 1024),
        maintype="application",
        subtype="octet-stream",
        filename="plant-drawings.bin",
    )
    mails["15_mb_attachment"] = big.as_bytes()
    before = _outcomes(door)
    queued = {
        name: door.send(
            raw,
            "" if name.startswith("broken_delivery") else "sender@broken.example.com",
            [SUPPORT],
        )
        for name, raw in mails.items()
    }
    statuses = {
        name: door.delivered(queue_id, timeout=300) for name, queue_id in queued.items()
    }
    # Odoo took every mail: nothing bounced back, nothing left to retry
    assert set(statuses.values()) == {"sent"}, statuses
    cases, messages, kept = (
        after - old for after, old in zip(_outcomes(door), before, strict=True)
    )
    # every mail but the delivery report (a bounce, consumed) is a case or kept
    assert cases + kept == len(mails) - 1, (cases, messages, kept)
    assert messages == cases
    drawings = door.admin(
        "ir.attachment",
        "search_read",
        [("name", "=", "plant-drawings.bin"), ("res_model", "=", "crm.case")],
        fields=["file_size"],
    )
    assert drawings and drawings[0]["file_size"] == 15 * 1024 * 1024
    ack = parse(door.mailbox("dora@customer.test", contains="Pump leaks")[0])
    assert re.match(r"^\[C\d+\] Pump leaks Bcc: x@evil\.example\.com$", ack["Subject"])
    assert "x@evil.example.com" not in (ack["Bcc"] or "") + (ack["Cc"] or "")
    assert "to=<x@evil.example.com>" not in door.stack.maillog()


def test_6_odoo_killed_during_fetch_loses_and_doubles_nothing(door):
    from conftest import wait_until

    bulk = "bulk@mailbox.test"
    section = door.data["sections"]["bulk"]
    payload = os.urandom(400_000)
    message_ids = []
    for index in range(50):
        # fifty customers: Odoo takes many mails from one sender for a loop
        mail = new_mail(
            f"shop{index}@bulk.test", bulk, f"Bulk order {index:02d}", f"Order {index}."
        )
        mail.add_attachment(
            payload,
            maintype="application",
            subtype="octet-stream",
            filename=f"order-{index:02d}.bin",
        )
        message_ids.append(mail["Message-ID"])
        door.stack.append(bulk, mail.as_bytes())
    assert door.stack.unseen_count(bulk) == 50
    count = "SELECT count(*) FROM crm_case WHERE section_id = %s"
    door.admin(
        "fetchmail.server", "button_confirm_login", [door.data["fetchmail"]["bulk"]]
    )
    door.run_cron("mail.ir_cron_mail_gateway_action")
    wait_until(
        lambda: door.sql(count, [section])[0][0] >= 2, timeout=180, interval=0.05
    )
    door.server.kill9()
    at_kill = door.sql(count, [section])[0][0]
    assert at_kill < 50, "killed before the end of the mailbox"
    # while Odoo is down, the mail server keeps what arrives and retries it
    waiting = new_mail(
        "ana@customer.test", SUPPORT, "Sent while Odoo was down", "Hello?"
    )
    queue_id = door.send(waiting.as_bytes(), "ana@customer.test", [SUPPORT])
    assert door.delivered(queue_id, SUPPORT) == "deferred"
    door.server.start()
    door.stack.flush()
    assert wait_until(
        lambda: door.stack.delivery_status(queue_id, SUPPORT) == "sent",
        timeout=120,
        message="Postfix to retry the deferred mail",
    )
    assert len(door.cases([("name", "=", "Sent while Odoo was down")])) == 1
    door.run_cron("mail.ir_cron_mail_gateway_action")
    wait_until(
        lambda: door.stack.unseen_count(bulk) == 0,
        timeout=300,
        message=f"the rest of the mailbox ({at_kill} cases when killed)",
    )
    rows = door.sql(
        """SELECT message_id, count(*) FROM mail_message
            WHERE model = 'crm.case' AND message_id = ANY(%s) GROUP BY message_id""",
        [message_ids],
    )
    assert len(rows) == 50, f"{50 - len(rows)} messages lost"
    assert all(found == 1 for __, found in rows), "a message recorded twice"
    assert door.sql(count, [section])[0][0] == 50, f"{at_kill} cases when killed"
