/** @odoo-module **/
// A manager builds a sub-section under Customer Care, with its own e-mail address.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { openHelpdeskMenu } from "@crm_case_sections/../tests/tours/helpdesk_menu";

registry.category("web_tour.tours").add("crm_case_sections_section_tour", {
    url: "/odoo",
    steps: () => [
        ...openHelpdeskMenu("menu_crm_case_config", "menu_crm_case_section"),
        { trigger: ".o_list_button_add", run: "click" },
        { trigger: ".o_field_widget[name=name] input", run: "edit Printers" },
        { trigger: ".o_field_widget[name=parent_id] input", run: "edit Customer Care" },
        { trigger: ".o-autocomplete--dropdown-item:contains(Customer Care)", run: "click" },
        { trigger: ".o_field_widget[name=alias_name] input", run: "edit printers-tour && click body" },
        { trigger: ".o_field_widget[name=alias_contact] select", run: 'select "partners"' },
        ...stepUtils.saveForm(),
        {
            content: "The sub-section is named after its path",
            trigger: ".o_breadcrumb:contains(Customer Care / Printers)",
        },
    ],
});
