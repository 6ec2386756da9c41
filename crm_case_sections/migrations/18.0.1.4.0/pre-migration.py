# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
    """The sender's normalized address is looked up by equality: its trigram
    index goes, so that Odoo makes the b-tree under the same name."""
    cr.execute(
        """
        SELECT 1 FROM pg_indexes
         WHERE indexname = 'crm_case__email_normalized_index'
           AND indexdef ILIKE '%%USING gin%%'
        """
    )
    if cr.rowcount:
        cr.execute("DROP INDEX crm_case__email_normalized_index")
