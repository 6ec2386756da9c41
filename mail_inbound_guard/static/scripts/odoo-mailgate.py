#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Deliver the mail read on stdin to Odoo's e-mail gateway over XML-RPC.

Odoo's own ``mail/static/scripts/odoo-mailgate.py``, for Python 3, with the
exit codes of sysexits.h that mail servers understand: the mail server keeps
the mail and retries it later when Odoo or its database cannot take it now
(EX_TEMPFAIL), and bounces it only when Odoo refuses it (no alias matches).
A mail that Odoo cannot read is kept by Odoo itself as unprocessed mail.

Postfix, in master.cf::

    odoo unix - n n - - pipe
      flags=DR user=odoo argv=/path/to/odoo-mailgate.py -d DB -u 2 -p PASSWORD

and ``transport_maps`` sending the aliases' domain to ``odoo:``.
"""

import argparse
import http.client
import logging
import socket
import sys
import xmlrpc.client

EX_OK = 0
EX_NOUSER = 67  # Odoo has no route for the recipient: the sender gets a bounce
EX_TEMPFAIL = 75  # try again later

# Odoo's routing refusal, the one error that no retry can cure
REFUSALS = ("MailRoutingRefused", "No possible route found")

# the mail server records what the script writes on stderr with the delivery
_logger = logging.getLogger("odoo-mailgate")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-d", "--database", default="odoo")
    parser.add_argument("-u", "--userid", type=int, default=1)
    parser.add_argument("-p", "--password", default="admin")
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--port", type=int, default=8069)
    parser.add_argument("--timeout", type=float, default=600)
    options = parser.parse_args()
    logging.basicConfig(format="%(message)s", stream=sys.stderr)

    message = sys.stdin.buffer.read()
    socket.setdefaulttimeout(options.timeout)
    models = xmlrpc.client.ServerProxy(
        f"http://{options.host}:{options.port}/xmlrpc/2/object", allow_none=True
    )
    try:
        models.execute_kw(
            options.database,
            options.userid,
            options.password,
            "mail.thread",
            "message_process",
            [False, xmlrpc.client.Binary(message)],
            {},
        )
    except xmlrpc.client.Fault as fault:
        if any(refusal in fault.faultString for refusal in REFUSALS):
            _logger.error(fault.faultString.strip().splitlines()[-1])
            return EX_NOUSER
        # a database or server failure: the mail server keeps the mail
        _logger.error("Odoo failed, will retry: %s", fault.faultString)
        return EX_TEMPFAIL
    except (OSError, http.client.HTTPException, xmlrpc.client.ProtocolError) as error:
        _logger.error("Odoo unreachable, will retry: %s", error)
        return EX_TEMPFAIL
    return EX_OK


if __name__ == "__main__":
    sys.exit(main())
