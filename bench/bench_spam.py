"""Spam flood benchmark: 1,000 mails from one blocked address and new mails
from customers, interleaved in the same process, through
``mail.thread.message_process`` with a cursor and a commit per message as the
mail gateway does; prints the SQL queries and milliseconds per mail of each.

A blocked sender's mail must be refused before it is parsed or routed: a few
queries to keep it as spam, no case, no outgoing mail. Run by tools/bench.sh
(``BENCH_ONLY=spam``) on a database where crm_case_sections is installed; the
block list, the section and the spam rows it adds are removed at the end.
"""

import json
import statistics
import sys
import time
from email.message import EmailMessage

from common import arguments, open_registry

import odoo
from odoo import SUPERUSER_ID, api

ALIAS_DOMAIN = "bench.example.com"
ALIAS = "bench-spam"
SPAMMER = "flood@spam.example"
WARMUP = 5


def flood_mail(index):
    mail = EmailMessage()
    mail["From"] = f'"Cheap Pumps" <{SPAMMER}>'
    mail["To"] = f"{ALIAS}@{ALIAS_DOMAIN}"
    mail["Subject"] = f"Pumps at half price, offer {index}"
    mail["Message-ID"] = f"<flood-{index}@spam.example>"
    mail.set_content("Buy our pumps now.\n" * 40)
    return mail.as_bytes()


def customer_mail(index):
    # one sender per mail: Odoo's loop detection ignores a sender whose mails
    # made 20 records within two hours
    mail = EmailMessage()
    mail["From"] = f'"Customer {index}" <customer{index}@customer.example.com>'
    mail["To"] = f"{ALIAS}@{ALIAS_DOMAIN}"
    mail["Subject"] = f"Pump {index} leaks at the coupling"
    mail["Message-ID"] = f"<customer-{index}@customer.example.com>"
    mail.set_content("The pump leaks at the coupling.\n" * 20)
    return mail.as_bytes()


def setup(registry):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)])
        env.company.alias_domain_id = domain or domain.create({"name": ALIAS_DOMAIN})
        # no SMTP server here: what would leave stays queued, and is counted
        env["ir.config_parameter"].set_param("mail.mail.force.send.limit", 0)
        section = env["crm.case.section"].create(
            {"name": "Bench spam", "alias_name": ALIAS}
        )
        blocked = env["mail.inbound.blocked.sender"].create(
            {"pattern": SPAMMER, "company_id": env.company.id}
        )
        return section.id, blocked.id


def counts(registry, section_id):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
        return {
            "cases": env["crm.case"].search_count([("section_id", "=", section_id)]),
            "outgoing": env["mail.mail"].search_count([]),
            "spam": env["mail.inbound.unprocessed"].search_count(
                [("is_spam", "=", True)]
            ),
        }


def deliver(registry, raw):
    queries, start = odoo.sql_db.sql_counter, time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["mail.thread"].message_process(None, raw)
        cr.commit()
    return (time.perf_counter() - start) * 1000, odoo.sql_db.sql_counter - queries


def cleanup(registry, section_id, blocked_id):
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
        env["mail.inbound.blocked.sender"].browse(blocked_id).unlink()
        env["mail.inbound.unprocessed"].search([("is_spam", "=", True)]).unlink()
        section = env["crm.case.section"].browse(section_id)
        section.alias_name = False
        section.active = False


def main():
    parser = arguments(__doc__)
    parser.add_argument("-n", "--flood", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--json")
    args = parser.parse_args()
    registry = open_registry(args)
    section_id, blocked_id = setup(registry)
    for index in range(WARMUP):
        deliver(registry, flood_mail(-1 - index))
        deliver(registry, customer_mail(-1 - index))
    before = counts(registry, section_id)
    samples = {"blocked": [], "new": []}
    every = max(args.flood // max(args.customers, 1), 1)
    for index in range(args.flood):
        samples["blocked"].append(deliver(registry, flood_mail(index)))
        if index % every == 0 and len(samples["new"]) < args.customers:
            samples["new"].append(deliver(registry, customer_mail(index)))
    after = counts(registry, section_id)
    new_outgoing = after["outgoing"] - before["outgoing"]
    figures = {
        kind: {
            "mails": len(runs),
            "queries_per_mail": statistics.mean(q for _ms, q in runs),
            "ms_per_mail": statistics.mean(ms for ms, _q in runs),
            "ms_median": statistics.median(ms for ms, _q in runs),
        }
        for kind, runs in samples.items()
    }
    figures["flood"] = {
        "cases_made": after["cases"] - before["cases"] - len(samples["new"]),
        "kept_as_spam": after["spam"] - before["spam"],
        # the customers' mails notify their section's responsible, if any;
        # their acknowledgements are the cron's, not counted here
        "outgoing_mail": new_outgoing,
    }
    cleanup(registry, section_id, blocked_id)

    print(
        f"bench spam: {args.flood} mails from blocked {SPAMMER} and "
        f"{len(samples['new'])} new customer mails, interleaved, one commit each"
    )
    print(f"  {'':<28}{'mails':>7}{'queries/mail':>14}{'ms/mail':>10}{'median':>9}")
    for kind, label in (
        ("blocked", "blocked sender (refused)"),
        ("new", "new mail (a case)"),
    ):
        row = figures[kind]
        print(
            f"  {label:<28}{row['mails']:>7}{row['queries_per_mail']:>14.1f}"
            f"{row['ms_per_mail']:>10.2f}{row['ms_median']:>9.2f}"
        )
    flood = figures["flood"]
    print(
        f"  flood: {flood['kept_as_spam']} kept as spam, {flood['cases_made']} "
        f"cases made, {flood['outgoing_mail']} outgoing mails queued in all"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(figures, file, indent=2)
    if flood["cases_made"] or flood["kept_as_spam"] != args.flood:
        print("error: blocked mail made cases or was not kept", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
