/** @odoo-module **/
// First-level staff hand a case to another department, or escalate it to the
// level above, though they cannot see it there: the web client says where it
// went and takes them back to their cases, without any error.
import { registry } from "@web/core/registry";
import { openHelpdeskMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";

function openCase(name) {
    return [
        ...openHelpdeskMenu("menu_crm_case_main", "menu_crm_case_all"),
        { trigger: ".o_searchview_input", run: `edit ${name}` },
        { trigger: ".o_searchview_input", run: "press Enter" },
        { trigger: `.o_kanban_record:contains(${name})`, run: "click" },
        { trigger: `.o_form_view .o_field_widget[name=name]:contains(${name}), .o_form_view .o_field_widget[name=name] input` },
    ];
}

function backOnTheCasesWithoutError(name) {
    return [
        {
            content: "The user is told where the case went",
            trigger: ".o_notification:contains(transferred to), .o_notification:contains(escalated to)",
        },
        {
            content: "Back on the cases he sees; the handed case is not among them",
            trigger: `.o_kanban_view:not(:has(.o_kanban_record:contains(${name})))`,
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog, .o_dialog .modal-title:contains(Error)))",
        },
    ];
}

registry.category("web_tour.tours").add("crm_case_sections_handover_tour", {
    url: "/odoo",
    steps: () => [
        ...openCase("Customer asks for a quote"),
        { trigger: ".o_field_widget[name=type_id] input", run: "edit Opportunity" },
        { trigger: ".o-autocomplete--dropdown-item:contains(Opportunity)", run: "click" },
        {
            content: "The form shows the department that takes the case",
            trigger: ".o_field_widget[name=section_id] input:value(Opportunities)",
        },
        { trigger: ".o_form_button_save:enabled", run: "click" },
        {
            trigger: ".o_notification:contains(transferred to Opportunities)",
        },
        ...backOnTheCasesWithoutError("Customer asks for a quote"),
    ],
});

registry.category("web_tour.tours").add("crm_case_sections_escalation_tour", {
    url: "/odoo",
    steps: () => [
        ...openCase("Web shop login fails"),
        { trigger: "button[name=action_escalate]", run: "click" },
        { trigger: ".modal-footer .btn-primary", run: "click" },
        {
            trigger: ".o_notification:contains(escalated to Support / Web site)",
        },
        ...backOnTheCasesWithoutError("Web shop login fails"),
    ],
});
