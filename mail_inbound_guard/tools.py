# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the mail door's models share, and what addons using it may import:
``from odoo.addons.mail_inbound_guard.tools import clean_header_value``."""

import re

import psycopg2

# Control characters have no place in a name, a subject or an address: an
# encoded CR/LF there would end up as a header line of its own in a reply.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")
# the same, less the line breaks and tabs that fold a raw header
RAW_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")

# Errors of the database server or of the connection to it: the mail is not
# at fault, whoever delivers it must try again later.
INFRASTRUCTURE_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


def clean_header_value(value):
    """``value`` on one line, without control characters."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub(" ", value).strip()


class MailRoutingRefused(ValueError):
    """Odoo's router found no destination for a mail: a deliberate refusal,
    not a failure to keep it."""
