# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The fixtures of the addon's tests and of its bridges' tests
(``from odoo.addons.crm_case_sections.tests.common import ...``): users with
the case rights, portal customers, sections, and the common classes."""

from pathlib import Path

from odoo import Command
from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import MailCommon, mail_new_test_user

DATA = Path(__file__).parent / "data"

CASE_USER_GROUPS = "base.group_user,crm_case_sections.group_case_user"
CASE_MANAGER_GROUPS = "base.group_user,crm_case_sections.group_case_manager"


def new_case_user(env, login, name, manager=False, groups="", **values):
    """An employee who works cases (*Helpdesk / User*), or a *Helpdesk /
    Manager*; ``groups`` adds others, e.g. Purchase's."""
    return mail_new_test_user(
        env,
        login=login,
        name=name,
        groups=",".join(
            filter(None, (CASE_MANAGER_GROUPS if manager else CASE_USER_GROUPS, groups))
        ),
        **values,
    )


def new_portal_user(env, login, name, **values):
    """A customer with a portal account."""
    return mail_new_test_user(
        env, login=login, name=name, groups="base.group_portal", **values
    )


def load_spanish(env, modules=("crm_case_sections",)):
    """Spanish active, with the terms of ``modules`` loaded over any left by
    another test (``None``: every installed module)."""
    env["res.lang"]._activate_lang("es_ES")
    if modules is None:
        installed = env["ir.module.module"].search([("state", "=", "installed")])
        modules = installed.mapped("name")
    env["ir.module.module"]._load_module_terms(list(modules), ["es_ES"], overwrite=True)


def new_section(env, name, user=None, parent=None, **values):
    """A section; its responsible ``user``, if any, is its member too."""
    if user:
        values.update(user_id=user.id, member_ids=[Command.set(user.ids)])
    if parent:
        values["parent_id"] = parent.id
    return env["crm.case.section"].create(dict(values, name=name))


def new_companies_with_contacts(env, name, count):
    """``count`` companies, ``name 0`` and on, and one contact of each."""
    Partner = env["res.partner"]
    companies = Partner.create(
        [{"name": f"{name} {index}", "is_company": True} for index in range(count)]
    )
    contacts = Partner.create(
        [
            {"name": f"Contact of {company.name}", "parent_id": company.id}
            for company in companies
        ]
    )
    return companies, contacts


class CaseCommon(TransactionCase):
    """Two departments, Support and Opportunities, each with a sub-tree, a
    user working each one, a manager, and a second company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.company = cls.env.company
        cls.user_manager = new_case_user(
            cls.env, "case_manager", "Marta Manager", manager=True
        )
        cls.user_support = new_case_user(cls.env, "case_support", "Sergio Support")
        cls.user_sales = new_case_user(cls.env, "case_sales", "Olga Opportunities")
        cls.support = new_section(cls.env, "Support", user=cls.user_support)
        cls.hardware = new_section(cls.env, "Hardware", parent=cls.support)
        cls.website = new_section(cls.env, "Web site", parent=cls.support)
        cls.first_level = new_section(cls.env, "First level", parent=cls.website)
        cls.opportunities = new_section(cls.env, "Opportunities", user=cls.user_sales)
        cls.web_opportunities = new_section(cls.env, "Web", parent=cls.opportunities)
        cls.type_support = cls.env["crm.case.type"].create(
            {"name": "Test support", "kind": "support", "section_id": cls.support.id}
        )
        cls.type_opportunity = cls.env["crm.case.type"].create(
            {
                "name": "Test opportunity",
                "kind": "opportunity",
                "section_id": cls.opportunities.id,
            }
        )
        cls.stage_new = cls.env.ref("crm_case_sections.stage_new")
        cls.stage_done = cls.env.ref("crm_case_sections.stage_done")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Oil Buyer", "email": "buyer@oil.example.com", "phone": "+34 600"}
        )

    @classmethod
    def _new_case(cls, section, name="A case", **values):
        return cls.env["crm.case"].create(
            dict(values, name=name, section_id=section.id)
        )


class GatewayCommon(MailCommon):
    """A Support section reachable at support@test.mycompany.com, a Sales
    section at sales@, and a VIP section accepting mail from followers only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_support = new_case_user(
            cls.env,
            "sergio",
            "Sergio Support",
            email="sergio.support@test.mycompany.com",
        )
        cls.type_support = cls.env.ref("crm_case_sections.type_support")
        cls.support = new_section(
            cls.env,
            "Support",
            user=cls.user_support,
            alias_name="support",
            default_type_id=cls.type_support.id,
        )
        cls.hardware = new_section(cls.env, "Hardware", parent=cls.support)
        cls.sales = new_section(cls.env, "Sales", alias_name="sales")
        cls.vip = new_section(
            cls.env, "VIP", alias_name="vip", alias_contact="followers"
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

    def _open_plain_case(self):
        """Ana Torres' mail to support@, with Cc, as case C90001."""
        with self.mock_mail_gateway():
            case = self._process("new_plain.eml")
        case.number = "C90001"
        return case

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
