/** @odoo-module **/
// A user opens a case in the new sub-section, changes its type, sees it move
// to the department handling that type, and escalates it.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openHelpdeskMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";

registry.category("web_tour.tours").add("crm_case_sections_case_tour", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_all"),
        { trigger: ".o-kanban-button-new", run: "click" },
        { trigger: ".o_field_widget[name=name] input", run: "edit Printer jams on every page" },
        { trigger: ".o_field_widget[name=section_id] input", run: "edit Printers" },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Customer Care / Printers)",
            run: "click",
        },
        { trigger: ".o_notebook_headers a[name=extra]", run: "click" },
        { trigger: ".o_field_widget[name=email_cc] input", run: "edit boss@acme.example.com" },
        ...stepUtils.saveForm(),
        {
            content: "The case got its reference",
            trigger: ".o_field_widget[name=number]:contains(C0)",
        },
        { trigger: ".o_field_widget[name=type_id] input", run: "edit Renewal offer" },
        { trigger: ".o-autocomplete--dropdown-item:contains(Renewal offer)", run: "click" },
        {
            content: "The type's department takes the case",
            trigger: ".o_field_widget[name=section_id] input:value(Key Accounts / Renewals)",
        },
        ...stepUtils.saveForm(),
        {
            content: "The transfer is in the chatter",
            trigger: ".o-mail-Message:contains(Key Accounts / Renewals)",
        },
        { trigger: "button[name=action_escalate]", run: "click" },
        { trigger: ".modal-footer .btn-primary", run: "click" },
        {
            content: "Escalated: one more star, the parent section",
            trigger: ".o_field_widget[name=priority] .o_priority_star.fa-star",
        },
        {
            trigger: ".o_field_widget[name=section_id] input:not(:value(Renewals))",
        },
        {
            trigger: ".o-mail-Message:contains(Escalated)",
        },
    ],
});
