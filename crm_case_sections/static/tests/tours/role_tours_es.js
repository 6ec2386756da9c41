/** @odoo-module **/
// Each role's day in Spanish, through the menus, as that person reads it: no
// English on the screen, and every counter opens as many records as it says.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openHelpdeskMenu, openMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";
import {
    assertNoEnglish,
    counterMatchesList,
    portalCounterMatchesList,
} from "@crm_case_sections/../tests/tours/spanish_screen";

const tours = registry.category("web_tour.tours");

function readCount(selector) {
    const match = document.querySelector(selector)?.textContent.match(/\d+/);
    return match ? parseInt(match[0]) : NaN;
}

// the customer: My Account > Cases > one case
tours.add("crm_case_sections_role_portal_es", {
    url: "/my",
    steps: () => [
        { content: "The counters of /my are loaded", trigger: "body:not(:has(.o_portal_doc_spinner))" },
        { trigger: ".o_portal_index_card a[href='/my/cases']:contains(Casos)" },
        assertNoEnglish("/my"),
        ...portalCounterMatchesList(".o_portal_index_card a[href='/my/cases']", "case_count", "Casos"),
        {
            content: "Every case names its section",
            trigger: ".o_portal_my_doc_table tbody",
            run() {
                for (const cell of document.querySelectorAll("td.o_portal_case_section")) {
                    if (!cell.textContent.trim()) {
                        throw new Error("A case of the list shows no section");
                    }
                }
            },
        },
        assertNoEnglish("the list of her cases"),
        { trigger: "#portal_searchbar_filters", run: "click" },
        { trigger: ".dropdown-menu a.dropdown-item:contains(Cerrado)", run: "click" },
        {
            content: "No closed case: the message speaks of the filter",
            trigger: ".alert-info:contains(Ningún caso coincide con este filtro)",
        },
        assertNoEnglish("the closed cases"),
        { trigger: "#portal_searchbar_filters", run: "click" },
        { trigger: ".dropdown-menu a.dropdown-item:contains(Todos)", run: "click" },
        { trigger: ".o_portal_my_doc_table tbody tr:first a", run: "click" },
        { trigger: ".o_portal_case_section:not(:empty)" },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit Adjunto la foto de la placa de la bomba.",
        },
        { trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled", run: "click" },
        {
            content: "Her message, dated in Spanish",
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(placa de la bomba)",
        },
        assertNoEnglish("the case's page and its conversation"),
    ],
});

// the support agent: the overview's counters and the sections tree. Her
// department is the first card of the overview and the top of the tree.
const overviewCard = ".o_kanban_view .o_kanban_record:first";
const treeTop = ".o_hierarchy_node:first .o_case_section_open";

function backToOverview(label) {
    return [
        { trigger: ".o_breadcrumb .breadcrumb-item a", run: "click" },
        { trigger: `${overviewCard} button:contains(${label})` },
    ];
}

function agentCounterSteps(label) {
    return [
        ...counterMatchesList(
            `${overviewCard} button:contains(${label})`,
            ".o_breadcrumb .breadcrumb-item:not(.o_last_breadcrumb_item)",
            label
        ),
        ...backToOverview(label),
    ];
}

tours.add("crm_case_sections_role_agent_es", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_overview"),
        { trigger: `${overviewCard} button:contains(sin asignar)` },
        ...["sin asignar", "urgentes"].flatMap(agentCounterSteps),
        ...openMenu("menu_crm_case_main", "menu_crm_case_by_section"),
        { trigger: treeTop },
    ],
});

// what the agent reads of her department: its name in Spanish, and the open
// and late counters opening the cases they count
tours.add("crm_case_sections_role_agent_names_es", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_overview"),
        { trigger: `${overviewCard} button:contains(abiertos)` },
        assertNoEnglish("the overview"),
        ...["abiertos", "retrasados"].flatMap(agentCounterSteps),
        ...openMenu("menu_crm_case_main", "menu_crm_case_by_section"),
        { trigger: treeTop },
        assertNoEnglish("the sections tree"),
        ...counterMatchesList(
            treeTop,
            ".o_breadcrumb .breadcrumb-item:not(.o_last_breadcrumb_item)",
            "abiertos of the sections tree"
        ),
    ],
});

// the manager: the service levels from their menu, a new one in Spanish
tours.add("crm_case_sections_role_manager_es", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_config", "menu_crm_case_sla"),
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name=name] input", run: "edit Bombas urgentes" },
        assertNoEnglish("a new service level"),
        { trigger: ".o_form_button_cancel", run: "click" },
        { trigger: ".o_list_view" },
    ],
});

// ... the service levels in Spanish, and a new one for a section found by
// its Spanish name
tours.add("crm_case_sections_role_manager_section_es", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_config", "menu_crm_case_sla"),
        { trigger: ".o_list_view" },
        assertNoEnglish("the service levels"),
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name=name] input", run: "edit Bombas urgentes" },
        { trigger: ".o_field_widget[name=section_id] input", run: "edit asistencia" },
        {
            content: "The section is found by its Spanish name",
            trigger: ".o-autocomplete--dropdown-item:contains(Asistencia)",
            run: "click",
        },
        assertNoEnglish("the new service level"),
        ...stepUtils.saveForm(),
        { trigger: ".o_breadcrumb .o_last_breadcrumb_item:contains(Bombas urgentes)" },
    ],
});
