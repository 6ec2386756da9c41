/** @odoo-module **/
// The steps every tour starts with: the Helpdesk app, then one of its menus.
import { stepUtils } from "@web_tour/tour_service/tour_utils";

export function openHelpdeskMenu(group, menu) {
    return [
        ...stepUtils.goToAppSteps("crm_case_sections.menu_crm_case_root", "Open Helpdesk"),
        ...openMenu(group, menu),
    ];
}

// a menu of the app already open: its group in the top bar, then the entry
export function openMenu(group, menu) {
    return [
        {
            trigger: `button[data-menu-xmlid="crm_case_sections.${group}"]`,
            run: "click",
        },
        {
            trigger: `a[data-menu-xmlid="crm_case_sections.${menu}"]`,
            run: "click",
        },
    ];
}
