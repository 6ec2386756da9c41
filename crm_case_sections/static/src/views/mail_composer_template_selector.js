/** @odoo-module **/
// The full composer's template selector searches the templates by model
// only; on a case it applies the template field's own domain, built on the
// server (mail.compose.message in this addon): the ready answers of the
// case's section and of the sections above it.
import { _t } from "@web/core/l10n/translation";
import { MailComposerTemplateSelector } from "@mail/core/web/mail_composer_template_selector";
import { Domain } from "@web/core/domain";
import { getFieldDomain } from "@web/model/relational_model/utils";
import { patch } from "@web/core/utils/patch";
import { user } from "@web/core/user";
import { SelectCreateDialog } from "@web/views/view_dialogs/select_create_dialog";

patch(MailComposerTemplateSelector.prototype, {
    get caseTemplateDomain() {
        return getFieldDomain(this.props.record, "template_id");
    },

    async fetchTemplates() {
        if (!this.props.record.data.case_section_id) {
            return super.fetchTemplates(...arguments);
        }
        // the user's own first, as core does
        const fields = ["display_name"];
        const templates = await this.orm.searchRead(
            "mail.template",
            Domain.and([this.caseTemplateDomain, [["user_id", "=", user.userId]]]).toList(),
            fields,
            { limit: this.limit }
        );
        if (templates.length < this.limit) {
            templates.push(
                ...(await this.orm.searchRead(
                    "mail.template",
                    Domain.and([
                        this.caseTemplateDomain,
                        [["user_id", "!=", user.userId]],
                    ]).toList(),
                    fields,
                    { limit: this.limit - templates.length }
                ))
            );
        }
        this.state.templates = templates;
    },

    onSelectTemplateSearchMoreBtnClick() {
        if (!this.props.record.data.case_section_id) {
            return super.onSelectTemplateSearchMoreBtnClick(...arguments);
        }
        this.env.services.dialog.add(SelectCreateDialog, {
            resModel: "mail.template",
            title: _t("Insert Templates"),
            multiSelect: false,
            noCreate: true,
            domain: this.caseTemplateDomain,
            onSelected: async (templateIds) => {
                await this.props.record.update({ template_id: templateIds });
            },
        });
    },
});
