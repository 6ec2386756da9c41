"""Mail gateway benchmark: the same incoming mail delivered to a case section
(crm.case), a CRM sales team (crm.lead) and an OCA helpdesk team
(helpdesk.ticket) through ``mail.thread.message_process``, with a cursor and a
commit per message as the mail gateway does.

Run by tools/bench.sh on a fresh database where crm_case_sections, crm and
helpdesk_mgmt are installed, then once more on the same database after
bench/generate.py filled it with a million cases (``--baseline``): the same
mails, with new Message-Ids, must cost the case gateway the same queries and
the same time within 15 %.
"""

import email.policy
import json
import math
import os
import random
import statistics
import sys
import time
import traceback
import unicodedata
from collections import Counter, defaultdict
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from common import arguments, open_registry

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools.profiler import Profiler

ALIAS_DOMAIN = "bench.example.com"
TARGETS = {  # target: (alias, model)
    "case": ("bench-cases", "crm.case"),
    "lead": ("bench-leads", "crm.lead"),
    "ticket": ("bench-tickets", "helpdesk.ticket"),
}
PHASES = {"new": "new mail", "reply": "replies"}
WARMUP = 5
MAX_SCALE_RATIO = 1.15
FIRST_NAMES = (
    "Ana Begoña Bruno Carla Diego Elena Felipe Gloria Hugo Íñigo Irene Jorge "
    "Laura Marcos Nuria Óscar Paula Rosa Sergio Teresa Víctor"
).split()
LAST_NAMES = (
    "Alonso Blanco Castro Díaz Estévez Fuentes García Herrera Iglesias Jiménez "
    "López Moreno Muñoz Navarro Ortega Peña Pérez Ramos Santos Torres Vega"
).split()
COMPANIES = (
    "aceites-norte.es lubricantes-sur.com talleres-vega.es transportes-ruiz.com "
    "agro-campos.es example.org mail.example.net"
).split()
PRODUCTS = [
    "hydraulic oil ISO 46",
    "gear oil 80W-90",
    "cutting fluid",
    "grease EP2",
    "engine oil 15W-40",
    "compressor oil",
]
REQUESTS = [
    (
        "Quote for {qty} drums of {product}",
        "Could you send us a quote for {qty} drums of {product}, delivered to "
        "our plant before the end of the month?",
    ),
    (
        "Order {ref}: delivery delayed",
        "Our order {ref} ({qty} drums of {product}) was due last week and has "
        "not arrived yet. When can we expect it?",
    ),
    (
        "Problem with {product} (batch {ref})",
        "The {product} of batch {ref} looks cloudy and our machines report a "
        "pressure drop. Can a technician call us?",
    ),
    (
        "Invoice {ref} does not match",
        "Invoice {ref} charges {qty} drums of {product}, but we received fewer. "
        "Please send us a corrected invoice.",
    ),
    (
        "Safety data sheet for {product}",
        "Our auditor needs the safety data sheet of the {product} of order "
        "{ref}. Could you send it in Spanish?",
    ),
]


def make_people(rng, count, prefix=""):
    """``count`` distinct (name, e-mail address) pairs."""
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        domain = COMPANIES[index % len(COMPANIES)]
        local = unicodedata.normalize("NFKD", f"{prefix}{first}.{last}{index}")
        address = f"{local.encode('ascii', 'ignore').decode().lower()}@{domain}"
        people.append((f"{first} {last}", address))
    return people


def make_specs(rng, count, senders, cc_pool):
    """``count`` distinct mail contents. Each sender writes at most
    ``ceil(count / len(senders))`` of them: Odoo's loop detection ignores a
    sender once 20 records of a model come from it within two hours."""
    order = (senders * math.ceil(count / len(senders)))[:count]
    rng.shuffle(order)
    specs = []
    for index, sender in enumerate(order):
        subject, paragraph = rng.choice(REQUESTS)
        values = {
            "qty": rng.randint(2, 40),
            "product": rng.choice(PRODUCTS),
            "ref": f"{rng.choice('SPF')}{rng.randint(10000, 99999)}-{index}",
        }
        paragraphs = ["Hello,", paragraph.format(**values), f"Regards,\n{sender[0]}"]
        specs.append(
            {
                "sender": sender,
                "cc": rng.sample(
                    [p for p in cc_pool if p != sender], rng.randint(1, 2)
                ),
                "subject": subject.format(**values),
                "text": "\n\n".join(paragraphs),
                "html": "".join(
                    f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs
                ),
                "attachment": make_attachment(rng, values)
                if rng.random() < 0.25
                else None,
            }
        )
    return specs


def make_attachment(rng, values):
    """A CSV of a few KB."""
    rows = [
        f"2025-{m:02}-{d:02},{values['product']},{rng.randint(1, 9)}"
        for m in range(1, 7)
        for d in range(1, 25)
    ]
    return f"{values['ref']}.csv", "\n".join(["date,product,drums", *rows]).encode()


def reply_spec(spec):
    quoted = "\n".join(f"> {line}" for line in spec["text"].splitlines())
    return dict(
        spec,
        subject=f"Re: {spec['subject']}",
        text=f"Hello again,\n\nany news about this?\n\n{quoted}",
        html="<p>Hello again,</p><p>any news about this?</p>"
        f"<blockquote>{spec['html']}</blockquote>",
        attachment=None,
    )


def render(spec, to, message_id, parent_id=None):
    """The RFC 5322 bytes of ``spec`` sent to ``to``."""
    msg = EmailMessage()
    msg["From"] = formataddr(spec["sender"])
    msg["To"] = to
    msg["Cc"] = ", ".join(formataddr(person) for person in spec["cc"])
    msg["Subject"] = spec["subject"]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-Id"] = message_id
    if parent_id:
        msg["In-Reply-To"] = msg["References"] = parent_id
    msg.set_content(spec["text"])
    msg.add_alternative(spec["html"], subtype="html")
    if spec["attachment"]:
        filename, data = spec["attachment"]
        msg.add_attachment(data, maintype="text", subtype="csv", filename=filename)
    return msg.as_bytes(policy=email.policy.SMTP)


def setup(env, partners):
    """Alias domain, the three aliases and the known partners; return the
    domain of the records of each target. On a database set up already (the
    run at scale), the same targets."""
    scopes = existing_scopes(env)
    if scopes:
        return scopes
    domain = env["mail.alias.domain"].search([("name", "=", ALIAS_DOMAIN)])
    env.company.alias_domain_id = domain or domain.create({"name": ALIAS_DOMAIN})
    # no SMTP server here: notifications stay queued instead of being sent
    env["ir.config_parameter"].set_param("mail.mail.force.send.limit", 0)
    section = env["crm.case.section"].create(
        {"name": "Bench cases", "alias_name": TARGETS["case"][0]}
    )
    team = env["crm.team"].create(
        {
            "name": "Bench leads",
            "use_leads": True,
            "use_opportunities": True,
            "alias_name": TARGETS["lead"][0],
        }
    )
    helpdesk_team = env["helpdesk.ticket.team"].create(
        {"name": "Bench tickets", "alias_name": TARGETS["ticket"][0]}
    )
    env["res.partner"].create([{"name": n, "email": e} for n, e in partners])
    return {
        "case": [("section_id", "=", section.id)],
        "lead": [("team_id", "=", team.id)],
        "ticket": [("team_id", "=", helpdesk_team.id)],
    }


def existing_scopes(env):
    records = {
        target: env[model].search([("alias_name", "=", alias)], limit=1)
        for target, (alias, model) in (
            ("case", ("bench-cases", "crm.case.section")),
            ("lead", ("bench-leads", "crm.team")),
            ("ticket", ("bench-tickets", "helpdesk.ticket.team")),
        )
    }
    if not all(records.values()):
        return None
    return {
        "case": [("section_id", "=", records["case"].id)],
        "lead": [("team_id", "=", records["lead"].id)],
        "ticket": [("team_id", "=", records["ticket"].id)],
    }


SMTP_ATTEMPTS = Counter()


def refuse_smtp(*args, **kwargs):
    SMTP_ATTEMPTS["connect"] += 1
    raise ConnectionRefusedError("bench: no SMTP server, outgoing mail stays queued")


class Gateway:
    """Feeds mail to ``message_process`` and records, per phase and target,
    (record id, seconds, SQL queries) of each message."""

    def __init__(self, registry, profile=False):
        self.registry = registry
        self.samples = {phase: defaultdict(list) for phase in PHASES}
        self.errors = Counter()
        self.profile = defaultdict(list) if profile else None

    def deliver(self, raw, phase, target):
        queries, start = odoo.sql_db.sql_counter, time.perf_counter()
        try:
            if self.profile is None:
                record_id = self._process(raw)
            else:
                with Profiler(collectors=["sql"], db=None) as profiler:
                    record_id = self._process(raw)
                self.profile[phase, target] += profiler.collectors[0].entries
        except Exception as error:
            if not self.errors[type(error).__name__]:
                traceback.print_exc()
            self.errors[type(error).__name__] += 1
            record_id = None
        elapsed = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
        self.samples[phase][target].append((record_id, elapsed, queries))

    def _process(self, raw):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            record_id = env["mail.thread"].message_process(None, raw)
            cr.commit()
        return record_id

    def send_new(self, specs):
        """Each spec to the three aliases in turn; return the sent mails."""
        sent = []
        for spec in specs:
            for target, (alias, _model) in TARGETS.items():
                message_id = make_msgid(target, spec["sender"][1].split("@")[1])
                self.deliver(
                    render(spec, f"{alias}@{ALIAS_DOMAIN}", message_id), "new", target
                )
                sent.append((target, alias, message_id, spec))
        return sent

    def send_replies(self, sent):
        """A reply from the same sender to each sent mail, in the same order."""
        for target, alias, message_id, spec in sent:
            reply_id = make_msgid("re", spec["sender"][1].split("@")[1])
            raw = render(
                reply_spec(spec), f"{alias}@{ALIAS_DOMAIN}", reply_id, message_id
            )
            self.deliver(raw, "reply", target)

    def converse(self, specs):
        sent = self.send_new(specs)
        self.acknowledge()
        self.send_replies(sent)

    def acknowledge(self):
        """Run the acknowledgement cron until nothing is pending, as the cron
        worker does right after the mails' commits, and spread its cost over
        the new-mail samples of cases: acknowledgements are part of the case
        gateway's work. Return how many acknowledgements it queued."""
        queries, start, sent = odoo.sql_db.sql_counter, time.perf_counter(), 0
        while True:
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                before = env["mail.mail"].search_count([("model", "=", "crm.case")])
                env["crm.case"]._cron_send_acknowledgements()
                sent += env["mail.mail"].search_count([("model", "=", "crm.case")])
                sent -= before
                cr.commit()
                pending = env["crm.case"].search_count(
                    [("acknowledgement_reference", "!=", False)]
                )
            if not pending:
                break
        elapsed = time.perf_counter() - start
        queries = odoo.sql_db.sql_counter - queries
        samples = self.samples["new"]["case"]
        share = len(samples) or 1
        samples[:] = [
            (record_id, seconds + elapsed / share, count + queries / share)
            for record_id, seconds, count in samples
        ]
        return sent

    def count(self, scopes):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            return {
                target: env[TARGETS[target][1]].search_count(scope)
                for target, scope in scopes.items()
            }


def summarize(samples):
    times = sorted(elapsed * 1000 for _id, elapsed, _queries in samples)
    return {
        "messages": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(times[math.ceil(0.9 * len(times)) - 1], 2),
        "msg_per_s": round(len(times) / sum(times) * 1000, 2),
        "queries_per_msg": round(statistics.mean(q for *_, q in samples), 2),
        "median_queries": statistics.median(q for *_, q in samples),
    }


def compute_figures(samples):
    """Figures per phase and target, and the ratios of cases to the others."""
    figures = {
        phase: {t: summarize(samples[phase][t]) for t in TARGETS} for phase in PHASES
    }
    figures["ratios"] = {
        phase: {
            f"case/{other}": {
                key: round(figures[phase]["case"][key] / figures[phase][other][key], 3)
                for key in ("median_ms", "queries_per_msg")
            }
            for other in ("lead", "ticket")
        }
        for phase in PHASES
    }
    return figures


def check(samples, counts, n):
    """What went wrong: each target must get n distinct new records, and the
    replies must land on them without creating any."""
    errors = []
    for target in TARGETS:
        new_ids = [record_id for record_id, *_ in samples["new"][target]]
        reply_ids = [record_id for record_id, *_ in samples["reply"][target]]
        created = counts["new"][target] - counts["before"][target]
        if created != n or len(set(new_ids) - {None, False}) != n:
            errors.append(f"{target}: {created} records created by {n} new mails")
        if counts["reply"][target] != counts["new"][target]:
            errors.append(f"{target}: replies created new records")
        strays = sum(
            new != reply for new, reply in zip(new_ids, reply_ids, strict=True)
        )
        if strays:
            errors.append(f"{target}: {strays} of {n} replies missed their record")
    return errors


def print_table(figures):
    print(
        f"\n{'phase':<9} {'target':<7} {'median ms':>9} {'p90 ms':>8} "
        f"{'msg/s':>7} {'queries/msg':>11}"
    )
    for phase, label in PHASES.items():
        for target in TARGETS:
            row = figures[phase][target]
            print(
                f"{label:<9} {target:<7} {row['median_ms']:9.1f} "
                f"{row['p90_ms']:8.1f} {row['msg_per_s']:7.1f} "
                f"{row['queries_per_msg']:11.1f}"
            )
    print()
    for phase, label in PHASES.items():
        for other in ("lead", "ticket"):
            ratio = figures["ratios"][phase][f"case/{other}"]
            print(
                f"{label:<9} case/{other:<7} median {ratio['median_ms']:.2f}x, "
                f"queries/msg {ratio['queries_per_msg']:.2f}x"
            )


def scale_cases(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM crm_case")
        return cr.fetchone()[0]


def compare_scale(figures, baseline, cases):
    """The case gateway on a million cases against the empty table: print
    both and their ratios; return what grew. The CRM leads, fed the same
    mails in turn with the cases in both runs, keep the tables they had:
    their own ratio is what the machine's load changed between the runs, and
    the case gateway's ratio is judged against it."""
    errors = []
    print(
        f"\ncase gateway, empty table vs {cases:,} cases (same mails, new "
        "Message-Ids); lead: the CRM leads in the same runs, whose table did "
        "not grow"
    )
    print(
        f"{'phase':<9} {'median ms':>9} {'at scale':>9} {'ratio':>6} "
        f"{'lead ratio':>10} {'net ratio':>9} {'queries/msg':>11} {'at scale':>9}"
    )
    for phase, label in PHASES.items():
        empty, full = baseline[phase]["case"], figures[phase]["case"]
        ratio = full["median_ms"] / empty["median_ms"]
        control = (
            figures[phase]["lead"]["median_ms"] / baseline[phase]["lead"]["median_ms"]
        )
        net = ratio / control
        figures.setdefault("scale", {})[phase] = {
            "empty": empty,
            "cases": cases,
            "median_ratio": round(ratio, 3),
            "lead_median_ratio": round(control, 3),
            "net_median_ratio": round(net, 3),
        }
        print(
            f"{label:<9} {empty['median_ms']:9.1f} {full['median_ms']:9.1f} "
            f"{ratio:6.2f} {control:10.2f} {net:9.2f} "
            f"{empty['queries_per_msg']:11.1f} {full['queries_per_msg']:9.1f}"
        )
        if net > MAX_SCALE_RATIO:
            errors.append(
                f"{label}: median {full['median_ms']:.1f} ms at {cases:,} cases, "
                f"{ratio:.2f}x the {empty['median_ms']:.1f} ms of the empty table "
                f"while the leads' took {control:.2f}x"
            )
        if (
            round(full["queries_per_msg"]) != round(empty["queries_per_msg"])
            or full["median_queries"] != empty["median_queries"]
        ):
            errors.append(
                f"{label}: {full['queries_per_msg']:.1f} queries per mail at "
                f"{cases:,} cases, {empty['queries_per_msg']:.1f} on the empty table"
            )
    return errors


def query_source(stack):
    """The innermost addon function (base excepted) that led to a query."""
    roots = [os.path.join(path, "") for path in odoo.addons.__path__]
    for filename, lineno, function, _line in reversed(stack):
        if filename == __file__:
            break
        for root in roots:
            if filename.startswith(root) and not filename.startswith(root + "base"):
                return f"{filename.removeprefix(root)}:{lineno} {function}"
    return "(ORM flush at commit)"


def gateway_step(stack):
    """The step of message_process (parse, route, loop check, message_new,
    message_post, ...) that led to a query."""
    functions = [function for _filename, _lineno, function, _line in stack]
    if "message_process" not in functions:
        return "(commit)"
    dispatch = ("message_process", "_message_route_process")
    inner = functions[functions.index("message_process") :]
    return next((f for f in inner if f not in dispatch), "message_process")


def print_profile(entries, count, top=15):
    print(f"\nSQL queries per message by gateway step ({count} more mails each)")
    for phase, label in PHASES.items():
        steps = {
            t: Counter(gateway_step(e["stack"]) for e in entries[phase, t])
            for t in TARGETS
        }
        names = sorted(
            set().union(*steps.values()),
            key=lambda s: -max(c[s] for c in steps.values()),
        )
        print(f"\n{label:<32}" + "".join(f"{t:>8}" for t in TARGETS))
        for name in names:
            print(
                f"  {name:<30}"
                + "".join(f"{steps[t][name] / count:8.1f}" for t in TARGETS)
            )
    for target in ("case", "lead"):
        for phase, label in PHASES.items():
            sources = Counter(query_source(e["stack"]) for e in entries[phase, target])
            print(f"\nTop SQL sources, {target}, {label} (queries per message)")
            for source, hits in sources.most_common(top):
                print(f"  {hits / count:6.1f}  {source}")


def main():
    parser = arguments(__doc__)
    parser.add_argument("-n", type=int, default=300, help="mails per target")
    parser.add_argument("--json", metavar="FILE", help="write the figures there")
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="figures of the run on the empty table (--json): compare the case "
        "gateway with them",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="K",
        help="then list the SQL sources of K more mails per target",
    )
    args = parser.parse_args()
    registry = open_registry(args)
    registry["ir.mail_server"].connect = refuse_smtp
    rng = random.Random(20250501)
    people = make_people(rng, max(100, math.ceil(args.n / 5)))
    with registry.cursor() as cr:
        scopes = setup(api.Environment(cr, SUPERUSER_ID, {}), people[::2])

    # the first mails fill the registry's caches: keep them out of the figures
    warmup_senders = make_people(rng, WARMUP, "warmup.")
    Gateway(registry).converse(make_specs(rng, WARMUP, warmup_senders, people))
    gateway = Gateway(registry)
    counts = {"before": gateway.count(scopes)}
    started = time.perf_counter()
    sent = gateway.send_new(make_specs(rng, args.n, people, people))
    acknowledgements = gateway.acknowledge()
    counts["new"] = gateway.count(scopes)
    gateway.send_replies(sent)
    counts["reply"] = gateway.count(scopes)
    duration = time.perf_counter() - started

    figures = compute_figures(gateway.samples)
    errors = check(gateway.samples, counts, args.n)
    errors += [f"{n} mails failed with {name}" for name, n in gateway.errors.items()]
    if acknowledgements != args.n:
        errors.append(f"{acknowledgements} acknowledgements for {args.n} new cases")
    if SMTP_ATTEMPTS:
        errors.append(f"{SMTP_ATTEMPTS['connect']} attempts to connect to SMTP")
    figures.update(n=args.n, seconds=round(duration, 1), errors=errors)
    print(
        f"\n{args.n} mails per target, then a reply to each: "
        f"{6 * args.n} mails in {duration:.0f} s"
    )
    print_table(figures)
    if args.baseline:
        with open(args.baseline) as file:
            baseline = json.load(file)
        errors += compare_scale(figures, baseline, scale_cases(registry))
    if args.json:
        with open(args.json, "w") as file:
            json.dump(figures, file, indent=2)
    if args.profile:
        profiled = Gateway(registry, profile=True)
        senders = make_people(rng, args.profile, "profile.")
        profiled.converse(make_specs(rng, args.profile, senders, people))
        print_profile(profiled.profile, args.profile)
    if errors:
        print("\nerror: " + "\nerror: ".join(errors), file=sys.stderr)
        return 1
    print(
        f"\ncorrect: {args.n} cases, leads and tickets created, "
        f"{acknowledgements} acknowledgements (their cron's cost spread over the "
        "cases' new mails), every reply on its record"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
