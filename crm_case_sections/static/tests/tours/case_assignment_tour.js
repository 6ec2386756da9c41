/** @odoo-module **/
// Support opens a case without choosing its responsible: on save the section
// gives it to the least-loaded member at work, and the chatter says why; the
// overview shows each member's open cases.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openHelpdeskMenu, openMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";

registry.category("web_tour.tours").add("crm_case_sections_assignment_tour", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_all"),
        { trigger: ".o-kanban-button-new", run: "click" },
        { trigger: ".o_field_widget[name=name] input", run: "edit Gearbox noise at high speed" },
        { trigger: ".o_field_widget[name=section_id] input", run: "edit Hardware problem" },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Support / Hardware problem)",
            run: "click",
        },
        {
            content: "Nobody chosen yet: the section chooses on save",
            trigger: ".o_field_widget[name=user_id] input:value()",
        },
        ...stepUtils.saveForm(),
        {
            content: "The least-loaded member at work got it",
            trigger: ".o_field_widget[name=user_id] :contains(Ana Soporte), .o_field_widget[name=user_id] input:value(Ana Soporte)",
        },
        {
            content: "The chatter says why",
            trigger: ".o-mail-Message:contains(Assigned to Ana Soporte: 0 open cases, the fewest in Support)",
        },
        ...openMenu("menu_crm_case_main", "menu_crm_case_overview"),
        {
            content: "The overview shows each member's open cases",
            trigger: ".o_kanban_record:contains(Support) :contains(Ana Soporte: 1)",
        },
    ],
});
