# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    """The unprocessed mail kept by cases' gateway (crm.case.mail.quarantine)
    moves to mail_inbound_guard's mail.inbound.unprocessed, installed before
    this update as a new dependency: same ids, the section's alias instead of
    the section, and the raw sources (attachments) follow."""
    # its button now lies in the section's form, with another name: the old
    # extension would fail the form's validation before Odoo removes it
    cr.execute(
        """
        DELETE FROM ir_ui_view
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'crm_case_sections' AND model = 'ir.ui.view'
                         AND name = 'crm_case_section_view_form_mail_quarantine')
        """
    )
    cr.execute("SELECT to_regclass('crm_case_mail_quarantine')")
    if not cr.fetchone()[0]:
        return
    cr.execute("SELECT to_regclass('mail_inbound_unprocessed')")
    if not cr.fetchone()[0]:
        raise RuntimeError(
            "mail_inbound_guard must be installed before crm_case_sections is "
            "updated: its unprocessed mail would be lost."
        )
    cr.execute(
        """
        INSERT INTO mail_inbound_unprocessed (
            id, name, email_from, message_id, date, error, error_details,
            checksum, model, alias_id, company_id, attempt_count,
            create_uid, create_date, write_uid, write_date)
        SELECT q.id, q.name, q.email_from, q.message_id, q.date, q.error,
               q.error_details, q.checksum, q.model, s.alias_id, q.company_id,
               q.attempt_count, q.create_uid, q.create_date, q.write_uid,
               q.write_date
          FROM crm_case_mail_quarantine q
          LEFT JOIN crm_case_section s ON s.id = q.section_id
        """
    )
    moved = cr.rowcount
    cr.execute(
        """
        SELECT setval(pg_get_serial_sequence('mail_inbound_unprocessed', 'id'),
                      GREATEST((SELECT max(id) FROM mail_inbound_unprocessed), 1))
        """
    )
    cr.execute(
        """
        UPDATE ir_attachment
           SET res_model = 'mail.inbound.unprocessed'
         WHERE res_model = 'crm.case.mail.quarantine'
        """
    )
    _logger.info(
        "%s unprocessed mails moved to mail.inbound.unprocessed (%s sources)",
        moved,
        cr.rowcount,
    )
