/** @odoo-module **/
// A department user reads the sections tree with its counts, sub-sections
// included, opens the cases of a node, then the overview of his department.
import { registry } from "@web/core/registry";
import { openHelpdeskMenu, openMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";

function overviewSteps(labels) {
    return [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_by_section"),
        {
            content: "The tree: Care counts the cases of its sub-sections",
            trigger: `.o_hierarchy_node:contains(Care) .o_case_section_open:contains(3 ${labels.open})`,
        },
        {
            content: "Its sub-section counts its own",
            trigger: `.o_hierarchy_node:contains(Printers) .o_case_section_open:contains(2 ${labels.open})`,
        },
        {
            trigger: ".o_hierarchy_node:contains(Care) .o_case_section_open",
            run: "click",
        },
        {
            content: "The cases of the node and of its sub-sections",
            trigger: ".o_kanban_record:contains(Toner leak)",
        },
        { trigger: ".o_kanban_record:contains(Paper jam)" },
        { trigger: ".o_kanban_record:contains(Login fails)" },
        ...openMenu("menu_crm_case_main", "menu_crm_case_overview"),
        {
            content: "The department's card",
            trigger: `.o_kanban_record:contains(Care) button:contains(3 ${labels.open})`,
        },
        {
            trigger: `.o_kanban_record:contains(Care) button:contains(1 ${labels.urgent})`,
            run: "click",
        },
        {
            content: "Only the urgent case",
            trigger: ".o_kanban_view:has(.o_kanban_record:contains(Toner leak)):not(:has(.o_kanban_record:contains(Paper jam)))",
        },
    ];
}

registry.category("web_tour.tours").add("crm_case_sections_overview_tour", {
    url: "/odoo",
    steps: () => overviewSteps({ open: "open", urgent: "urgent" }),
});

registry.category("web_tour.tours").add("crm_case_sections_overview_tour_es", {
    url: "/odoo",
    steps: () => overviewSteps({ open: "abiertos", urgent: "urgentes" }),
});
