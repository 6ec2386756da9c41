/** @odoo-module **/
// The same work, with the interface in Spanish: menus, labels and buttons.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("crm_case_sections_spanish_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        { trigger: ".o_app:contains(Ayuda en línea)", run: "click" },
        { trigger: ".o_menu_sections button:contains(Casos)", run: "click" },
        { trigger: ".o-dropdown-item:contains(Casos por sección)" },
        { trigger: ".o-dropdown-item:contains(Todos los casos)", run: "click" },
        { trigger: ".o-kanban-button-new", run: "click" },
        { trigger: ".o_form_label:contains(Fecha de cierre)" },
        { trigger: ".o_form_label:contains(Cliente)" },
        {
            content: "Money is an opportunity's business: not on this case",
            trigger: ".o_form_view:not(:has(.o_form_label:contains(Ingresos estimados)))",
        },
        { trigger: ".o_notebook_headers a:contains(Información adicional)", run: "click" },
        { trigger: ".o_form_label:contains(Observadores)" },
        { trigger: ".o_form_label:contains(Canal)" },
        { trigger: ".o_field_widget[name=name] input", run: "edit La bomba pierde aceite" },
        { trigger: ".o_field_widget[name=section_id] input", run: "edit Printers" },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Customer Care / Printers)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        { trigger: "button[name=action_escalate]:contains(Escalar)", run: "click" },
        { trigger: ".modal-body:contains(¿Escalar este caso)" },
        { trigger: ".modal-footer .btn-primary", run: "click" },
        {
            content: "Escalated: one more star, the parent section",
            trigger: ".o_field_widget[name=priority] .o_priority_star.fa-star",
        },
        {
            trigger: ".o_field_widget[name=section_id] input:not(:value(Printers))",
        },
    ],
});
