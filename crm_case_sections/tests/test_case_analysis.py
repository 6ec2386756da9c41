# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from .common import CaseCommon


class TestCaseAnalysis(CaseCommon):
    """Case analysis: revenue, cost and probability-weighted revenue, by
    department (top section), section, channel, type, stage, responsible and
    month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.email = cls.env.ref("utm.utm_medium_email")
        cls.phone = cls.env.ref("utm.utm_medium_phone")

        def case(section, revenue, cost, probability, channel):
            return cls._new_case(
                section,
                expected_revenue=revenue,
                planned_cost=cost,
                probability=probability,
                channel_id=channel.id,
            )

        cls.cases = (
            case(cls.hardware, 1000, 400, 50, cls.email)
            | case(cls.first_level, 2000, 500, 10, cls.phone)
            | case(cls.support, 0, 100, 0, cls.email)
            | case(cls.web_opportunities, 10000, 2000, 30, cls.phone)
        )

    def _analysis(self, groupby, user=None):
        Case = self.env["crm.case"].with_user(user or self.user_manager)
        keys = len(groupby)
        return {
            (group[0] if keys == 1 else group[:keys]): group[keys:]
            for group in Case._read_group(
                [("id", "in", self.cases.ids)],
                groupby,
                ["expected_revenue:sum", "planned_cost:sum", "prorated_revenue:sum"],
            )
        }

    def test_weighted_revenue_follows_revenue_and_probability(self):
        case = self.cases[0]
        self.assertEqual(case.prorated_revenue, 500)
        case.probability = 80
        self.assertEqual(case.prorated_revenue, 800)
        case.expected_revenue = 2500
        self.assertEqual(case.prorated_revenue, 2000)

    def test_measures_by_department_and_section(self):
        by_root = self._analysis(["section_root_id"])
        self.assertEqual(by_root[self.support], (3000, 1000, 700))
        self.assertEqual(by_root[self.opportunities], (10000, 2000, 3000))
        by_section = self._analysis(["section_root_id", "section_id"])
        self.assertEqual(
            {section.complete_name for _root, section in by_section},
            {
                "Support / Hardware",
                "Support / Web site / First level",
                "Support",
                "Opportunities / Web",
            },
        )
        self.assertEqual(by_section[(self.support, self.first_level)], (2000, 500, 200))

    def test_measures_by_channel_type_stage_responsible_and_month(self):
        by_channel = self._analysis(["channel_id"])
        self.assertEqual(by_channel[self.email], (1000, 500, 500))
        self.assertEqual(by_channel[self.phone], (12000, 2500, 3200))
        for groupby in ("type_id", "stage_id", "user_id", "create_date:month"):
            groups = self._analysis([groupby]).values()
            totals = [sum(values) for values in zip(*groups, strict=False)]
            self.assertEqual(totals, [13000, 3000, 3700], groupby)

    def test_users_analyse_their_own_sections_only(self):
        by_root = self._analysis(["section_root_id"], user=self.user_support)
        self.assertEqual(list(by_root), [self.support])

    def test_moving_a_section_moves_its_cases_department(self):
        self.website.parent_id = self.opportunities
        self.assertEqual(self.cases[1].section_root_id, self.opportunities)
        self.assertEqual(self.cases[0].section_root_id, self.support)
        by_root = self._analysis(["section_root_id"])
        self.assertEqual(by_root[self.opportunities], (12000, 2500, 3200))
        # a sub-section becoming a top section is its own department
        self.website.parent_id = False
        self.assertEqual(self.cases[1].section_root_id, self.website)

    def test_moving_two_sections_at_once(self):
        (self.hardware | self.website).write({"parent_id": self.opportunities.id})
        self.assertEqual(
            (self.cases[0] | self.cases[1]).section_root_id, self.opportunities
        )
        self.assertEqual(self.cases[2].section_root_id, self.support)

    def test_analysis_views_offer_the_measures(self):
        action = self.env.ref("crm_case_sections.crm_case_action_analysis")
        self.assertEqual(action.view_mode.split(",")[:2], ["pivot", "graph"])
        views = (
            self.env["crm.case"]
            .with_user(self.user_support)
            .get_views([(False, "pivot"), (False, "graph"), (False, "search")])
        )
        pivot = etree.fromstring(views["views"]["pivot"]["arch"])
        # it opens on the number of cases and the first answer, departments
        # by stage; technical numbers are no measure
        self.assertEqual(pivot.get("display_quantity"), "1")
        self.assertEqual(
            [(f.get("name"), f.get("type")) for f in pivot.iter("field")],
            [
                ("section_root_id", "row"),
                ("stage_id", "col"),
                ("working_hours_first_response", "measure"),
                ("color", None),
                ("message_bounce", None),
                ("rating_last_value", None),
            ],
        )
        # the graph opens on the count, which every kind of case has
        self.assertNotIn('type="measure"', views["views"]["graph"]["arch"])
        # the Measures menu offers the numeric fields that add up, which the
        # search view brings along
        fields = views["models"]["crm.case"]["fields"]
        for measure, aggregator in (
            ("planned_cost", "sum"),
            ("prorated_revenue", "sum"),
            ("working_hours_close", "avg"),
            ("working_hours_waiting", "avg"),
            ("reopen_count", "sum"),
            ("rating_satisfaction", "avg"),
        ):
            self.assertEqual(fields[measure]["aggregator"], aggregator, measure)

    def test_measures_by_each_level_of_the_tree(self):
        # Support (1) > Web site (2) > First level (3) > Chat (4)
        chat = self.env["crm.case.section"].create(
            {"name": "Chat", "parent_id": self.first_level.id}
        )
        self.assertEqual(
            (chat.level2_id, chat.level3_id), (self.website, self.first_level)
        )
        deep = self._new_case(
            chat, expected_revenue=400, planned_cost=40, probability=100
        )
        deep.write({"reopen_count": 2, "working_hours_first_response": 3})
        self.cases[1].write({"working_hours_first_response": 1})
        self.cases |= deep
        Case = self.env["crm.case"].with_user(self.user_manager)

        def sums(groupby):
            return {
                group: (revenue, reopenings, response)
                for group, revenue, reopenings, response in Case._read_group(
                    [("id", "in", self.cases.ids)],
                    [groupby],
                    [
                        "expected_revenue:sum",
                        "reopen_count:sum",
                        "working_hours_first_response:avg",
                    ],
                )
            }

        by_level1 = sums("section_root_id")
        self.assertEqual(by_level1[self.support][:2], (3400, 2))
        self.assertEqual(by_level1[self.opportunities][:2], (10000, 0))
        by_level2 = sums("section_level2_id")
        # cases of a top section have no second level
        self.assertEqual(by_level2[self.website], (2400, 2, 2.0))
        self.assertEqual(by_level2[self.hardware][:2], (1000, 0))
        self.assertEqual(by_level2[self.web_opportunities][:2], (10000, 0))
        self.assertEqual(by_level2[self.env["crm.case.section"]][:2], (0, 0))
        by_level3 = sums("section_level3_id")
        self.assertEqual(by_level3[self.first_level], (2400, 2, 2.0))
        # a section moved elsewhere takes its cases' levels with it
        chat.parent_id = self.hardware
        self.assertEqual(sums("section_level2_id")[self.hardware][:2], (1400, 2))
        self.assertEqual(deep.section_level3_id, chat)
