# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import users, warmup

from .common import CaseCommon


class TestCasePerformance(CaseCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Section = cls.env["crm.case.section"]
        cls.many_sections = Section.create(
            [
                {"name": f"Branch {index}", "parent_id": cls.hardware.id}
                for index in range(30)
            ]
        )
        cls.env["crm.case"].create(
            [
                {"name": f"Case {index}", "section_id": section.id}
                for index, section in enumerate(list(cls.many_sections) * 3)
            ]
        )

    @users("case_manager")
    @warmup
    def test_counts_query_count_does_not_grow_with_sections(self):
        """Counting the cases of 2 or 33 sections costs the same queries."""
        Section = self.env["crm.case.section"]
        with self.assertQueryCount(case_manager=3):
            few = Section.browse((self.support | self.hardware).ids)
            few.mapped("case_count")
        with self.assertQueryCount(case_manager=3):
            many = Section.browse(
                (self.support | self.hardware | self.many_sections).ids
            )
            self.assertEqual(many[0].case_count, 90)
