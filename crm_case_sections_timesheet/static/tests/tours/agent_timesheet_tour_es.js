/** @odoo-module **/
// The support agent's time, in Spanish: logged on a case's Timesheets page,
// added up on the case and on its department in Cases by Section.
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";
import { assertNoEnglish } from "@crm_case_sections/../tests/tours/spanish_screen";

const tours = registry.category("web_tour.tours");
const LINES = ".o_field_widget[name=timesheet_ids]";

tours.add("crm_case_sections_timesheet_agent_es", {
    steps: () => [
        { trigger: ".o_notebook .nav-link:contains(Partes de horas)", run: "click" },
        { trigger: `${LINES} .o_field_x2many_list_row_add a`, run: "click" },
        {
            trigger: `${LINES} .o_selected_row .o_field_widget[name=name] input`,
            run: "edit Junta del acoplamiento revisada",
        },
        {
            trigger: `${LINES} .o_selected_row .o_field_widget[name=unit_amount] input`,
            run: "edit 1:30",
        },
        ...stepUtils.saveForm(),
        {
            content: "The case adds up its time",
            trigger: ".o_field_widget[name=effective_hours]:contains(01:30)",
        },
        assertNoEnglish("the case's timesheets"),
    ],
});

tours.add("crm_case_sections_timesheet_sections_es", {
    steps: () => [
        {
            content: "Support adds up its time: 5:30 of the demo and 1:30 now, sub-sections included",
            trigger: ".o_hierarchy_node .o_case_section_hours:contains(07:00)",
        },
        assertNoEnglish("Cases by Section with the hours"),
    ],
});
