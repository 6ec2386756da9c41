/** @odoo-module **/
// The buyer's day in Spanish, through the menus: Purchase, an order, its
// follow-ups, a new one linked to the order and counted by it.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import {
    assertNoEnglish,
    counterMatchesList,
} from "@crm_case_sections/../tests/tours/spanish_screen";

const tours = registry.category("web_tour.tours");

function readCount(selector) {
    const match = document.querySelector(selector)?.textContent.match(/\d+/);
    return match ? parseInt(match[0]) : NaN;
}

// the buyer: Purchase > an order > Follow-ups > a new follow-up of the order
tours.add("crm_case_sections_role_buyer_es", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("purchase.menu_purchase_root", "Open Purchase"),
        {
            trigger: 'button[data-menu-xmlid="purchase.menu_procurement_management"]',
            run: "click",
        },
        { trigger: 'a[data-menu-xmlid="purchase.menu_purchase_rfq"]', run: "click" },
        { trigger: ".o_data_row:contains(Bombas Levante) .o_data_cell[name=name]", run: "click" },
        {
            trigger: ".o_form_view button[name=action_view_cases]:contains(Seguimientos)",
            run() {
                sessionStorage.setItem("crm_case_sections.tour_before", readCount("button[name=action_view_cases]"));
            },
        },
        assertNoEnglish("the purchase order"),
        ...counterMatchesList(
            ".o_form_view button[name=action_view_cases]",
            ".o_breadcrumb .o_last_breadcrumb_item:contains(Seguimientos)",
            "Seguimientos"
        ),
        assertNoEnglish("the order's follow-ups"),
        { trigger: ".o_list_button_add", run: "click" },
        {
            content: "The follow-up is the vendor's",
            trigger: ".o_field_widget[name=partner_id] input:value(Bombas Levante)",
        },
        {
            content: "and the order's",
            trigger: ".o_field_widget[name=ref] input:value(P0)",
        },
        {
            content: "A supplier follow-up waits for the supplier, never for a customer",
            trigger:
                ".o_field_widget[name=stage_id]:contains(En espera del proveedor):not(:contains(En espera del cliente))",
        },
        { trigger: ".o_field_widget[name=name] input", run: "edit Faltan la mitad de los bidones" },
        assertNoEnglish("the new follow-up"),
        ...stepUtils.saveForm(),
        { trigger: ".o_breadcrumb .breadcrumb-item a:contains(P0)", run: "click" },
        {
            content: "The order counts its new follow-up",
            trigger: ".o_form_view button[name=action_view_cases]",
            run() {
                const after = readCount("button[name=action_view_cases]");
                const before = parseInt(sessionStorage.getItem("crm_case_sections.tour_before"));
                if (after !== before + 1) {
                    throw new Error(`Follow-ups: ${before} before, ${after} after a new one`);
                }
            },
        },
    ],
});
