"""What the benchmark scripts share: the arguments that name the database,
Odoo's registry on it, and the customer mail of the multi-process runs."""

import argparse
from email.message import EmailMessage

import odoo


def arguments(doc):
    """A parser described by the first paragraph of ``doc``, with the
    database and the addons path every benchmark takes."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--addons-path", required=True)
    return parser


def open_registry(args):
    """Odoo configured for ``args`` (warnings only), and its registry."""
    odoo.tools.config.parse_config(
        ["--addons-path", args.addons_path, "-d", args.database, "--log-level=warn"]
    )
    return odoo.modules.registry.Registry(args.database)


def pump_mail(to, tag, run, index):
    """Customer ``index``'s mail of run ``run``, with a watcher in Cc."""
    mail = EmailMessage()
    mail["From"] = f'"Customer {index}" <customer{index}@bench.test>'
    mail["To"] = to
    mail["Cc"] = "quality@customer.test"
    mail["Subject"] = f"{tag.title()} {run} pump {index} leaks"
    mail["Message-ID"] = f"<{tag}-{run}-{index}@customer.test>"
    mail.set_content("The pump leaks at the coupling.\n" * 20)
    return mail.as_bytes()
