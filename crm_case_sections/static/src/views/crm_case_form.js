/** @odoo-module **/
// A user who hands a case to a department he does not work in may no longer
// read it once saved: the form saves without reading the case back, says
// where it went and returns to the cases he sees, instead of reloading a
// record he cannot open.
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formView } from "@web/views/form/form_view";
import { FormController } from "@web/views/form/form_controller";

const MOVING_FIELDS = ["type_id", "section_id", "user_id"];

export class CrmCaseFormController extends FormController {
    setup() {
        super.setup();
        this.notification = useService("notification");
        this.action = useService("action");
    }

    async save(params = {}) {
        const record = this.model.root;
        if (!MOVING_FIELDS.some((field) => field in record._changes)) {
            return super.save(params);
        }
        const saved = await super.save({ ...params, reload: false });
        if (!saved) {
            return saved;
        }
        const notices = await this.orm.call("crm.case", "get_transfer_notice", [
            [record.resId],
        ]);
        if (!notices.length) {
            await record.load();
            return saved;
        }
        for (const notice of notices) {
            this.notification.add(notice, { type: "info" });
        }
        if (this.env.config.breadcrumbs?.length > 1) {
            await this.action.restore();
        } else {
            await this.action.doAction("crm_case_sections.crm_case_action", {
                clearBreadcrumbs: true,
            });
        }
        return saved;
    }
}

registry.category("views").add("crm_case_form", {
    ...formView,
    Controller: CrmCaseFormController,
});
