# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from pathlib import Path

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

DATA = Path(__file__).parent / "data"


class GatewayCommon(MailCommon):
    """A Support section reachable at support@test.mycompany.com, a Sales
    section at sales@, and a VIP section accepting mail from followers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_support = mail_new_test_user(
            cls.env,
            login="sergio",
            name="Sergio Support",
            email="sergio.support@test.mycompany.com",
            groups="base.group_user,crm_case_sections.group_case_user",
        )
        Section = cls.env["crm.case.section"]
        cls.type_support = cls.env.ref("crm_case_sections.type_support")
        cls.support = Section.create(
            {
                "name": "Support",
                "alias_name": "support",
                "user_id": cls.user_support.id,
                "member_ids": [(6, 0, cls.user_support.ids)],
                "default_type_id": cls.type_support.id,
            }
        )
        cls.hardware = Section.create({"name": "Hardware", "parent_id": cls.support.id})
        cls.sales = Section.create({"name": "Sales", "alias_name": "sales"})
        cls.vip = Section.create(
            {"name": "VIP", "alias_name": "vip", "alias_contact": "followers"}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Oil Buyer", "email": "buyer@oil.example.com"}
        )
        cls.channel_email = cls.env.ref("utm.utm_medium_email")

    def _raw(self, name):
        return (DATA / name).read_bytes()

    def _process(self, name, model=None):
        """Feed a stored message to Odoo's gateway, as the mailgate script
        and incoming mail servers do; return the cases it created."""
        before = self.env["crm.case"].search([]).ids
        self.env["mail.thread"].message_process(model, self._raw(name))
        # what the triggered cron does right after the commit
        self.env["crm.case"]._cron_send_acknowledgements()
        return self.env["crm.case"].search([("id", "not in", before)])

    def _acknowledgements(self, case):
        return self._new_mails.filtered(
            lambda mail: mail.model == "crm.case"
            and mail.res_id == case.id
            and mail.subject.startswith(f"[{case.number}]")
        )

    def _incoming(self, case):
        """The last mail received on the case."""
        return case.message_ids.filtered(lambda m: m.message_type == "email")[:1]

    def _mails_to(self, email):
        return self._new_mails.filtered(
            lambda mail: email in (mail.email_to or "")
            or email in mail.recipient_ids.mapped("email")
        )
