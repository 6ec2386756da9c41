# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import HttpCase, tagged

from .common import CaseCommon


@tagged("post_install", "-at_install")
class TestCaseReadonly(CaseCommon, HttpCase):
    """What a department user opens to read runs on a read-only cursor, the
    one a replica serves with ``--db_replica_host``: the case analysis, the
    kanban, Cases by section, the forms of a case and of its section, the
    chatter, the portal's counter. Anything there that writes would make
    Odoo log it and start the request again on the primary."""

    def _call_kw(self, model, method, *args, **kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def _read_all_fields(self, records):
        fields = self._call_kw(records._name, "fields_get", attributes=["type"])
        spec = {
            name: {} for name, field in fields.items() if field["type"] != "properties"
        }
        return self._call_kw(records._name, "web_read", records.ids, spec)

    def test_reading_writes_nothing(self):
        case = self._new_case(
            self.first_level, email_from="buyer@oil.example.com", priority="2"
        )
        self.authenticate("case_support", "case_support")
        with self.assertNoLogs("odoo.http", level="WARNING"):
            analysis = self._call_kw(
                "crm.case",
                "read_group",
                [],
                ["__count", "expected_revenue:sum", "prorated_revenue:sum"],
                ["section_root_id", "section_id", "create_date:month"],
                lazy=False,
            )
            kanban = self._call_kw(
                "crm.case", "web_read_group", [], ["stage_id"], ["stage_id"]
            )
            by_section = self._call_kw(
                "crm.case.section",
                "web_search_read",
                [("id", "=", self.support.id)],
                {"complete_name": {}, "open_case_count": {}, "case_count": {}},
            )
            form = self._read_all_fields(case)
            self._read_all_fields(case.section_id)
            self.make_jsonrpc_request(
                "/mail/thread/data",
                {
                    "thread_model": "crm.case",
                    "thread_id": case.id,
                    "request_list": ["activities", "attachments", "followers"],
                },
            )
            self.make_jsonrpc_request("/my/counters", {"counters": ["case_count"]})
        self.assertEqual(sum(group["__count"] for group in analysis), 1)
        self.assertEqual(sum(group["stage_id_count"] for group in kanban["groups"]), 1)
        self.assertEqual(by_section["records"][0]["open_case_count"], 1)
        self.assertEqual(form[0]["number"], case.number)
