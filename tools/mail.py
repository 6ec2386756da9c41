# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The demo's mail, on loopback: the Postfix and Dovecot of the end-to-end
tests, kept under one folder between runs of `make run`.

    mail.py start DB ODOO_PORT   start them (again) for the database DB
    mail.py stop                 stop them; the mailboxes stay
    mail.py send --from A [--to B] --subject S [--cc C] [--body T]
                                 a mail client's SMTP submission (the body on
                                 stdin when --body is not given)
    mail.py read [ADDRESS] [-n N]
                                 the mailboxes, or ADDRESS's last N messages

Mail to the demo's alias domain is piped to the mailgate script, into Odoo;
mail to any other address lands in a mailbox of that address, which any IMAP
client reads on 127.0.0.1 with the password MailStack.PASSWORD. Nothing
leaves the machine. The folder and ports come from RUN_MAIL_DIR,
RUN_SMTP_PORT and RUN_IMAP_PORT."""

import argparse
import email
import email.policy
import os
import shutil
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "e2e"))

from mailstack import MailStack, wait_for_port  # noqa: E402

ODOO_DOMAIN = "oil-distributor.example.com"  # the demo's alias domain
MAILGATE = REPO / "mail_inbound_guard" / "static" / "scripts" / "odoo-mailgate.py"
ROOT = Path(os.environ.get("RUN_MAIL_DIR") or "/var/tmp/crm_case_sections-mail")
SMTP_PORT = int(os.environ.get("RUN_SMTP_PORT") or 2525)
IMAP_PORT = int(os.environ.get("RUN_IMAP_PORT") or 1143)


def stack(database="", odoo_port=0):
    return MailStack(
        None,
        ODOO_DOMAIN,
        MAILGATE,
        database,
        odoo_port,
        root=ROOT,
        smtp_port=SMTP_PORT,
        imap_port=IMAP_PORT,
    )


def start(args):
    missing = [name for name in ("postfix", "dovecot") if not shutil.which(name)]
    if missing:
        raise SystemExit(f"{' and '.join(missing)} not installed")
    if os.geteuid():
        raise SystemExit("Postfix and Dovecot need root to start")
    mail = stack(args.database, args.odoo_port)
    stop(args)
    try:
        mail.start()
    except (RuntimeError, OSError) as error:
        mail.stop()
        raise SystemExit(str(error).splitlines()[0]) from None


def stop(args):
    mail = stack()
    if (mail.postfix_dir / "main.cf").exists():
        mail.started = ["postfix", "dovecot"]
        mail.stop()


def send(args):
    message = EmailMessage()
    message["From"] = args.sender
    message["To"] = args.to
    if args.cc:
        message["Cc"] = args.cc
    message["Subject"] = args.subject
    message["Message-ID"] = make_msgid(
        domain=parseaddr(args.sender)[1].rpartition("@")[2] or None
    )
    message.set_content(args.body if args.body is not None else sys.stdin.read())
    wait_for_port(SMTP_PORT, timeout=5)
    with smtplib.SMTP("127.0.0.1", SMTP_PORT, timeout=60) as smtp:
        smtp.send_message(message)
    print(f"mail: sent {message['Message-ID']} to {args.to}")


def maildirs():
    """address: its Maildir, for every mailbox that received mail."""
    vmail = ROOT / "vmail"
    found = {}
    if vmail.is_dir():
        for domain in sorted(vmail.iterdir()):
            for box in sorted(domain.iterdir()):
                found[f"{box.name}@{domain.name}"] = box
    return found


def messages(box):
    files = [path for sub in ("new", "cur") for path in (box / sub).glob("*")]
    # Maildir names start with the delivery time
    return sorted(files, key=lambda path: path.stat().st_mtime)


def read(args):
    boxes = maildirs()
    if not args.address:
        if not boxes:
            print(f"mail: no mailbox has received mail yet ({ROOT / 'vmail'})")
        for address, box in boxes.items():
            print(f"{len(messages(box)):5}  {address}")
        return
    box = boxes.get(args.address.lower())
    if not box:
        raise SystemExit(f"mail: no mail for {args.address} yet")
    for path in messages(box)[-args.n :]:
        message = email.message_from_bytes(
            path.read_bytes(), policy=email.policy.default
        )
        print("-" * 72)
        for header in ("Date", "From", "To", "Cc", "Subject"):
            if message[header]:
                print(f"{header}: {message[header]}")
        part = message.get_body(("plain", "html"))
        text = part.get_content() if part else ""
        if part and part.get_content_subtype() == "html":
            text = html_to_text(text)
        print()
        print("\n".join(line for line in text.strip().splitlines()[:30]))


class TextOfHtml(HTMLParser):
    """The text of an HTML mail body, a line per block."""

    def __init__(self):
        super().__init__()
        self.chunks = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "div", "tr", "li"):
            self.chunks.append("\n")

    def handle_data(self, data):
        self.chunks.append(data)


def html_to_text(html):
    parser = TextOfHtml()
    parser.feed(html)
    lines = (line.strip() for line in "".join(parser.chunks).splitlines())
    return "\n".join(line for line in lines if line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    starting = commands.add_parser("start")
    starting.add_argument("database")
    starting.add_argument("odoo_port", type=int)
    starting.set_defaults(run=start)
    commands.add_parser("stop").set_defaults(run=stop)
    sending = commands.add_parser("send")
    sending.add_argument("--from", dest="sender", required=True)
    sending.add_argument("--to", default=f"support@{ODOO_DOMAIN}")
    sending.add_argument("--cc")
    sending.add_argument("--subject", required=True)
    sending.add_argument("--body")
    sending.set_defaults(run=send)
    reading = commands.add_parser("read")
    reading.add_argument("address", nargs="?")
    reading.add_argument("-n", type=int, default=3)
    reading.set_defaults(run=read)
    args = parser.parse_args()
    try:
        args.run(args)
    except (OSError, subprocess.SubprocessError) as error:
        raise SystemExit(f"mail: {error}") from None


if __name__ == "__main__":
    main()
