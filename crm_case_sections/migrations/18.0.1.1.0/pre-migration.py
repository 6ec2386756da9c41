# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
    """Fill the new stored columns of the case analysis in SQL before the
    update: computed in Python, a million cases would take hours."""
    if not version:
        return
    cr.execute(
        """
        ALTER TABLE crm_case
            ADD COLUMN IF NOT EXISTS section_root_id int4,
            ADD COLUMN IF NOT EXISTS prorated_revenue numeric;
        UPDATE crm_case AS c
           SET section_root_id = split_part(s.parent_path, '/', 1)::int
          FROM crm_case_section AS s
         WHERE s.id = c.section_id;
        UPDATE crm_case
           SET prorated_revenue = round(
               coalesce(expected_revenue, 0) * coalesce(probability, 0)::numeric / 100,
               2
           );
        """
    )
