# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
    """The stage *Waiting for Customer* waits on the customer: new databases
    get the flag from the data file, which an update leaves as it was
    (noupdate)."""
    cr.execute(
        """
        UPDATE crm_case_stage SET is_waiting_for_customer = TRUE
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'crm_case_sections'
                         AND model = 'crm.case.stage' AND name = 'stage_waiting')
        """
    )
