"""Point the database of `make run` at the local mail of tools/mail.py, or,
without it, keep outgoing mail queued: run by tools/run.sh through
`odoo-bin shell`, which provides `env`. RUN_SMTP_PORT empty: no local mail."""

import os

env = env  # noqa: F821 (given by odoo-bin shell)
port = os.environ.get("RUN_SMTP_PORT")
name = "Local Postfix (make run)"
servers = env["ir.mail_server"].with_context(active_test=False)
server = servers.search([("name", "=", name)])
queue = env.ref("mail.ir_cron_mail_scheduler_action")
limit = env["ir.config_parameter"].sudo()
if port:
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": int(port),
        "smtp_encryption": "none",
        "active": True,
    }
    if server:
        server.write(values)
    else:
        servers.create({"name": name, **values})
    # mail sent at once again, and the queue emptied by its cron
    limit.set_param("mail.mail.force.send.limit", False)
    queue.active = True
else:
    server.active = False
    # Nowhere to deliver: every mail waits in the queue (Settings > Technical >
    # Emails) instead of failing, until local mail is there again.
    limit.set_param("mail.mail.force.send.limit", 0)
    queue.active = False
env.cr.commit()
