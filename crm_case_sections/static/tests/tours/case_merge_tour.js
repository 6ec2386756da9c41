/** @odoo-module **/
// The support agent, in Spanish, merges a customer's two cases about the
// same leak from the list of all cases, and tells the customer.
import { registry } from "@web/core/registry";
import { openHelpdeskMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";
import { assertNoEnglish } from "@crm_case_sections/../tests/tours/spanish_screen";

const row = (index) => `.o_list_view .o_data_row:eq(${index})`;

registry.category("web_tour.tours").add("crm_case_sections_merge_es", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_all"),
        { trigger: ".o_control_panel .o_switch_view.o_list", run: "click" },
        { content: "The list is shown", trigger: ".o_list_view .o_data_row" },
        { trigger: ".o_searchview_input", run: "edit bomba de aceite" },
        { trigger: ".o_searchview_input", run: "press Enter" },
        { trigger: ".o_searchview_facet:contains(bomba de aceite)" },
        {
            content: "Her customer's two cases about the leak, and no other",
            trigger: ".o_list_view:not(:has(.o_data_row:eq(2))) .o_data_row:eq(1)",
        },
        { trigger: `${row(0)} .o_list_record_selector input`, run: "click" },
        { trigger: `${row(1)} .o_list_record_selector input`, run: "click" },
        { trigger: ".o_cp_action_menus .dropdown-toggle", run: "click" },
        { trigger: ".o-dropdown-item:contains(Fusionar casos)", run: "click" },
        {
            content: "The dialog lists both cases",
            trigger: ".modal div[name=case_ids] .o_data_row:eq(1)",
        },
        { trigger: ".modal div[name=notify_customer] input", run: "click" },
        assertNoEnglish("the merge dialog"),
        { trigger: ".modal button[name=action_merge]", run: "click" },
        {
            content: "The case kept, with the note of the merge",
            trigger: ".o_form_view .o-mail-Message:contains(Fusionado en este caso por)",
        },
        assertNoEnglish("the case kept"),
    ],
});
