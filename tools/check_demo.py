"""Check the database of `make run` as its users will find it: run by
tools/check_demo.sh through `odoo-bin shell`, which provides `env`. Exits
with 1 and lists what is wrong when a menu, a link or a right is missing.
CHECK_LANG=es_ES also checks that the demo users speak Spanish."""

import os

env = env  # noqa: F821 (given by odoo-bin shell)
problems = []
ref = env.ref
admin = ref("base.user_admin")
lang = os.environ.get("CHECK_LANG") or "en_US"

# --- the doors, seen by the demo manager without a click in Apps ------------
DEMO_MODULES = [
    "crm_case_sections",
    "purchase",
    "crm_case_sections_purchase",
    "hr_timesheet",
    "crm_case_sections_timesheet",
]
modules = env["ir.module.module"].search([("name", "in", DEMO_MODULES)])
for module in modules:
    if module.state != "installed":
        problems.append(f"module {module.name} is {module.state}")
if len(modules) != len(DEMO_MODULES):
    problems.append("a module of the demo is missing")

# --- the company of the demo: the Spanish distributor, in euros ---------------
company = ref("base.main_company")
if (company.country_id.code, company.currency_id.name) != ("ES", "EUR"):
    problems.append(
        f"the demo company is in {company.country_id.code} and "
        f"{company.currency_id.name}, not in ES and EUR"
    )
if "purchase" in modules.mapped("name") and not company.chart_template:
    problems.append("the demo company has no chart of accounts")
elif company.chart_template and not company.chart_template.startswith("es_"):
    problems.append(f"the demo company's chart of accounts is {company.chart_template}")

menus = (
    env["ir.ui.menu"].with_user(admin).with_context(lang=admin.lang).load_menus(False)
)
expected = {
    # menu: its name in English and in Spanish
    "crm_case_sections.menu_crm_case_root": ("Helpdesk", "Ayuda en línea"),
    "crm_case_sections.menu_crm_case_all": ("All Cases", "Todos los casos"),
    "crm_case_sections.menu_crm_case_by_section": (
        "Cases by Section",
        "Casos por sección",
    ),
    "crm_case_sections.menu_crm_case_opportunity": (
        "Opportunity Cases",
        "Casos de oportunidad",
    ),
    "crm_case_sections_purchase.menu_crm_case_supplier": (
        "Supplier Follow-ups",
        "Seguimientos de proveedores",
    ),
}
for xmlid, (english, spanish) in expected.items():
    menu = ref(xmlid, raise_if_not_found=False)
    if not menu:
        problems.append(f"menu {xmlid} does not exist")
        continue
    # the menu and every menu above it, up to its application on the home screen
    chain = menu.browse(
        int(menu_id) for menu_id in menu.parent_path.split("/") if menu_id
    )
    hidden = [item.name for item in chain if item.id not in menus]
    if hidden:
        problems.append(f"admin does not see {xmlid}: {', '.join(hidden)} hidden")
        continue
    name = menus[menu.id]["name"]
    wanted = spanish if lang.startswith("es") else english
    if name != wanted:
        problems.append(f"menu {xmlid} reads {name!r} for admin, not {wanted!r}")

# --- demo supplier follow-ups linked to demo purchase orders -----------------
Case = env["crm.case"].with_user(admin)
order = ref("purchase.purchase_order_8").with_user(admin)
if order.case_count < 1:
    problems.append(f"the demo order {order.name} has no follow-up")
vendor = ref("base.res_partner_1").with_user(admin)
if vendor.case_count < 2:
    problems.append(
        f"the demo vendor {vendor.name} has {vendor.case_count} follow-ups, not 2"
    )
linked = Case.search_count(
    [("kind", "=", "supplier"), ("ref", "like", "purchase.order,")]
)
if linked < 3:
    problems.append(
        f"{linked} supplier follow-ups are linked to a purchase order, not 3 or more"
    )

# --- each demo user sees the cases of his departments --------------------------
departments = {
    "support": ["crm_case_sections.section_support"],
    "demo": [
        "crm_case_sections.section_opportunities",
        "crm_case_sections.section_sales",
    ],
    "purchases": ["crm_case_sections.section_suppliers"],
}
for login, sections in departments.items():
    user = env["res.users"].search([("login", "=", login)])
    if not user:
        problems.append(f"the demo user {login} is missing")
        continue
    mine = Case.search(
        [("section_id", "child_of", [ref(xmlid).id for xmlid in sections])]
    )
    seen = env["crm.case"].with_user(user).search([])
    if not seen or seen != mine:
        problems.append(
            f"{login} sees {len(seen)} cases, not the {len(mine)} of his departments"
        )
    if user.lang != lang:
        problems.append(f"{login} uses {user.lang}, not {lang}")
# Purchase makes every internal user its administrator; the bridge's demo
# puts the support agent and the buyer back to their jobs
rights = {"support": (False, False), "purchases": (True, False), "admin": (True, True)}
for login, wanted in rights.items():
    user = env["res.users"].search([("login", "=", login)])
    has = (
        user.has_group("purchase.group_purchase_user"),
        user.has_group("purchase.group_purchase_manager"),
    )
    if has != wanted:
        problems.append(
            f"{login} has Purchase user/administrator rights {has}, not {wanted}"
        )
# --- the time spent on the support cases: the agent sees it, the buyer not --
for login, sees_time in {"support": True, "purchases": False}.items():
    user = env["res.users"].search([("login", "=", login)])
    if user.has_group("hr_timesheet.group_hr_timesheet_user") != sees_time:
        problems.append(f"{login} has timesheet rights {not sees_time}")
support_section = ref("crm_case_sections.section_support")
support_user = env["res.users"].search([("login", "=", "support")])
if support_section.with_user(support_user).timesheet_hours <= 0:
    problems.append("support sees no hours spent on the Support cases")

portal = ref("crm_case_sections.user_portal_carmen")
own = env["crm.case"].with_user(portal).search([])
if ref("crm_case_sections.case_31") not in own or set(own.mapped("kind")) != {
    "support"
}:
    problems.append(
        "the portal customer carmen does not see just her company's support cases"
    )
if admin.lang != lang:
    problems.append(f"admin uses {admin.lang}, not {lang}")

if problems:
    print("check: the demo database is not what `make run` promises:")
    print("\n".join(f"  - {problem}" for problem in problems))
    raise SystemExit(1)
seen = ", ".join(menus[ref(xmlid).id]["name"] for xmlid in expected)
print(f"check: admin ({lang}) sees {seen}")
