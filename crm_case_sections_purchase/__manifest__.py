# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Cases and Sections - Purchase",
    "summary": "Supplier follow-up cases from the Purchase menu, vendors and "
    "purchase orders",
    "version": "18.0.1.1.0",
    "category": "Inventory/Purchase",
    "website": "https://github.com/crm-case-sections/crm_case_sections",
    "author": "crm_case_sections contributors",
    "license": "LGPL-3",
    "depends": ["crm_case_sections", "purchase"],
    "data": [
        "views/crm_case_views.xml",
        "views/purchase_order_views.xml",
        "views/res_partner_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/res_users_demo.xml", "demo/crm_case_demo.xml"],
    "assets": {
        "web.assets_tests": ["crm_case_sections_purchase/static/tests/tours/*.js"],
    },
    "auto_install": True,
}
