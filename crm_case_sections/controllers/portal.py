# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class CasePortal(CustomerPortal):
    """My Account > Cases: the customer's cases and his company's, their
    public messages, and a form to open a new one."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "case_count" in counters:
            Case = request.env["crm.case"]
            values["case_count"] = (
                Case.search_count(self._case_portal_domain())
                if Case.has_access("read")
                else 0
            )
        if not counters:
            # rendering /my itself: the card shows even without cases when
            # the customer may open one
            values["case_can_open"] = self._case_can_open()
        return values

    def _case_portal_domain(self):
        """The cases of the customer's company; the record rules decide the
        rest. Employees, who read other cases, see here theirs as customers."""
        partner = request.env.user.commercial_partner_id
        # the company's contacts by id, as child_of finds them (sudo,
        # archived ones included): PostgreSQL then reads their cases through
        # the partner index instead of joining every case with a sub-query
        contacts = (
            partner.sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", partner.id)])
        )
        return [("partner_id", "in", contacts.ids)]

    def _case_can_open(self):
        return bool(self._case_portal_sections(limit=1))

    def _case_portal_sections(self, limit=None):
        """Sections where the customer may open a case himself."""
        user = request.env.user
        return (
            request.env["crm.case.section"]
            .sudo()
            .search(
                [
                    ("portal_open", "=", True),
                    ("company_id", "in", [*user.company_ids.ids, False]),
                ],
                limit=limit,
            )
        )

    def _case_searchbar_filters(self):
        env = request.env
        return {
            "all": {"label": env._("All"), "domain": []},
            "open": {"label": env._("Open"), "domain": [("is_closed", "=", False)]},
            "closed": {"label": env._("Closed"), "domain": [("is_closed", "=", True)]},
        }

    def _case_searchbar_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest"), "order": "create_date desc, id desc"},
            "number": {"label": env._("Reference"), "order": "number desc"},
            "name": {"label": env._("Subject"), "order": "name, id desc"},
            "stage": {"label": env._("Stage"), "order": "stage_id, id desc"},
        }

    @http.route(
        ["/my/cases", "/my/cases/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_cases(self, page=1, sortby="date", filterby="all", **kw):
        Case = request.env["crm.case"]
        if not Case.has_access("read"):
            return request.redirect("/my")
        sortings = self._case_searchbar_sortings()
        sortby = sortby if sortby in sortings else "date"
        filters = self._case_searchbar_filters()
        filterby = filterby if filterby in filters else "all"
        domain = self._case_portal_domain() + filters[filterby]["domain"]
        pager = portal_pager(
            url="/my/cases",
            url_args={"sortby": sortby, "filterby": filterby},
            total=Case.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        cases = Case.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session["my_cases_history"] = cases.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # sudo: the stages shown are not readable by customers; the
                # cases are those the search above returned
                "cases": cases.sudo(),
                "section_names": self._case_section_names(cases),
                "page_name": "case",
                "default_url": "/my/cases",
                "pager": pager,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
                "case_can_open": self._case_can_open(),
            }
        )
        return request.render("crm_case_sections.portal_my_cases", values)

    def _case_section_names(self, cases):
        """The path of each case's section as the customer reads it: the
        names of the section and its parents, in his language."""
        # sudo: customers cannot read sections; only their names are shown
        sections = cases.sudo().section_id.with_context(lang=request.env.lang)
        path_ids = {
            section.id: [int(part) for part in section.parent_path.split("/")[:-1]]
            for section in sections
        }
        ancestors = sections.browse(
            list({id_ for ids in path_ids.values() for id_ in ids})
        )
        names = {section.id: section.name for section in ancestors}
        return {
            section_id: " / ".join(names[id_] for id_ in ids)
            for section_id, ids in path_ids.items()
        }

    @http.route(["/my/cases/<int:case_id>"], type="http", auth="public", website=True)
    def portal_my_case(self, case_id, access_token=None, **kw):
        try:
            case_sudo = self._document_check_access(
                "crm.case", case_id, access_token=access_token
            )
        except MissingError:
            return request.not_found()
        except AccessError as error:
            raise Forbidden() from error
        values = self._get_page_view_values(
            case_sudo,
            access_token,
            {
                "case": case_sudo,
                "page_name": "case",
                "section_names": self._case_section_names(case_sudo),
                # closed too long ago to be answered: a new case instead
                "disable_composer": case_sudo._is_reopen_period_over(),
                "case_can_open": self._case_can_open(),
            },
            "my_cases_history",
            False,
            **kw,
        )
        return request.render("crm_case_sections.portal_case_page", values)

    @http.route(
        ["/my/cases/new"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_new_case(self, **post):
        sections = self._case_portal_sections()
        if not sections or not request.env["crm.case"].has_access("read"):
            return request.redirect("/my")
        error = None
        if request.httprequest.method == "POST":
            error = self._case_portal_form_error(post, sections)
            if not error:
                case = self._case_portal_create(post, sections)
                return request.redirect(case.access_url)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "case_new",
                "sections": sections,
                "error": error,
                "form": post,
            }
        )
        return request.render("crm_case_sections.portal_case_new", values)

    def _case_portal_form_error(self, post, sections):
        if not (post.get("name") or "").strip():
            return request.env._("Please give your case a subject.")
        if (
            not post.get("section_id", "").isdigit()
            or int(post["section_id"]) not in sections.ids
        ):
            return request.env._("Please choose one of the proposed sections.")
        return None

    def _case_portal_create(self, post, sections):
        """The customer cannot create cases himself: the case is created for
        him, in a section open to the portal. As for a mail, his request is
        the case's first message: the responsible hears of it, the answer
        clock starts, and the acknowledgement gives him the reference."""
        section = sections.browse(int(post["section_id"]))
        partner = request.env.user.partner_id
        description = plaintext2html(post.get("description") or "")
        case = (
            request.env["crm.case"]
            .sudo()
            .with_context(mail_create_nolog=True)
            .create(
                {
                    "name": post["name"].strip(),
                    "description": description,
                    "section_id": section.id,
                    "partner_id": partner.id,
                    "channel_id": request.env.ref(
                        "crm_case_sections.utm_medium_portal"
                    ).id,
                }
            )
        )
        case.message_subscribe(partner_ids=partner.ids)
        message = case.message_post(
            author_id=partner.id,
            body=description,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        case.acknowledgement_reference = message.message_id
        return case
