/** @odoo-module **/
// A customer opens a case from My Account and answers in its conversation.
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("crm_case_sections_portal_tour", {
    url: "/my",
    steps: () => [
        { trigger: 'a[href="/my/cases"]', run: "click" },
        { trigger: "a.o_portal_new_case", run: "click" },
        { trigger: "select[name=section_id]", run: "selectByLabel Customer Care" },
        { trigger: "input[name=name]", run: "edit Gearbox noise at high speed" },
        { trigger: "textarea[name=description]", run: "edit It started yesterday." },
        { trigger: "form.o_portal_case_new button[type=submit]", run: "click" },
        {
            content: "The new case's page",
            trigger: "h3:contains(Gearbox noise at high speed)",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit Here is a photo of the gearbox plate.",
        },
        { trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled", run: "click" },
        {
            content: "The answer is in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(photo of the gearbox plate)",
        },
    ],
});
