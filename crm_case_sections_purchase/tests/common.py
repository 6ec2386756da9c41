# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase

from odoo.addons.crm_case_sections.tests.common import new_case_user, new_section
from odoo.addons.mail.tests.common import mail_new_test_user

PURCHASE_USER = "purchase.group_purchase_user"


class PurchaseCaseCommon(TransactionCase):
    """A buyer working the Purchasing section, a buyer without cases, two
    vendors with contacts and orders, a vendor without anything, and cases
    reaching them by partner, by ``ref`` and by ``ref2``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_buyer = new_case_user(
            cls.env, "purchase_case_user", "Bea Buyer", groups=PURCHASE_USER
        )
        cls.user_buyer_no_case = mail_new_test_user(
            cls.env,
            login="purchase_user",
            name="Pablo Purchase",
            groups=f"base.group_user,{PURCHASE_USER}",
        )
        cls.purchasing = new_section(cls.env, "Purchasing", user=cls.user_buyer)
        # a department the buyer does not work: its cases are not his
        cls.support = new_section(cls.env, "Support")
        cls.type_supplier = cls.env.ref("crm_case_sections.type_supplier")
        cls.type_support = cls.env["crm.case.type"].create(
            {"name": "Test support", "kind": "support"}
        )

        Partner = cls.env["res.partner"]
        cls.vendor = Partner.create({"name": "Oil Refinery", "is_company": True})
        cls.vendor_contact = Partner.create(
            {"name": "Rita Refinery", "parent_id": cls.vendor.id}
        )
        cls.vendor_old_contact = Partner.create(
            {"name": "Old Contact", "parent_id": cls.vendor.id, "active": False}
        )
        cls.vendor_2 = Partner.create({"name": "Drum Maker", "is_company": True})
        cls.vendor_quiet = Partner.create({"name": "Quiet Vendor", "is_company": True})
        cls.other_partner = Partner.create({"name": "Someone Else"})

        Order = cls.env["purchase.order"]
        cls.order = Order.create({"partner_id": cls.vendor.id})
        cls.order_contact = Order.create({"partner_id": cls.vendor_contact.id})
        cls.order_2 = Order.create({"partner_id": cls.vendor_2.id})
        cls.order_quiet = Order.create({"partner_id": cls.vendor_quiet.id})

    @classmethod
    def _new_case(cls, name, section=None, **values):
        return cls.env["crm.case"].create(
            dict(
                values,
                name=name,
                section_id=(section or cls.purchasing).id,
                type_id=values.get("type_id", cls.type_supplier.id),
            )
        )

    @staticmethod
    def _reference(record):
        return f"{record._name},{record.id}"
