# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Customers write through a real mail server; what they and the company's
people find in their mailboxes is what is asserted."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid

SUPPORT = "support@odoo.test"


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
