# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Fixtures of the addon's tests, and of addons testing their own routes
through it (``from odoo.addons.mail_inbound_guard.tests.common import ...``)."""

from pathlib import Path
from unittest.mock import patch

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

DATA = Path(__file__).parent / "data"
# what the gateway logs while it keeps or refuses the tests' broken mails
GATEWAY_LOGGERS = (
    "odoo.addons.mail.models.mail_thread",
    "odoo.addons.mail_inbound_guard.models.mail_thread",
    "odoo.addons.mail_inbound_guard.models.mail_inbound_unprocessed",
    "odoo.models.unlink",
)
# characters no cleaned header may keep
CONTROL = {chr(code) for code in range(32)} | {"\x7f"}


def break_record_creation(env, error=None):
    """Make reading a mail's body fail, as an unforeseen mail would, whatever
    record it is meant to become."""
    return patch.object(
        type(env["mail.thread"]),
        "_message_parse_extract_payload",
        side_effect=error or KeyError("pump_model"),
    )


class InboundCommon(MailCommon):
    """support@test.mycompany.com, an alias of Odoo's contacts: every mail
    to it becomes a contact with the mail as its first message."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_admin_mail = mail_new_test_user(
            cls.env,
            login="inbound_admin",
            name="Ines Administrator",
            groups="base.group_user,base.group_system",
        )
        cls.user_internal = mail_new_test_user(
            cls.env, login="inbound_user", name="Ulises User", groups="base.group_user"
        )
        cls.alias = cls.env["mail.alias"].create(
            {
                "alias_name": "support",
                "alias_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "alias_contact": "everyone",
                # the contacts' name: whatever the subject, even none
                "alias_defaults": repr({"name": "Mail contact", "ref": "inbound"}),
            }
        )
        cls.Unprocessed = cls.env["mail.inbound.unprocessed"]
        # rows kept before the tests, e.g. on a copy of a live database
        cls.Unprocessed.search([]).unlink()

    def _raw(self, name):
        return (DATA / name).read_bytes()

    def _contacts(self):
        return self.env["res.partner"].search([("ref", "=", "inbound")])
