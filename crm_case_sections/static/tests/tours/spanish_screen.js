/** @odoo-module **/
// Steps the role tours share: a Spanish screen shows no English, and a
// counter opens exactly the records it counts.

// Words and phrases of the interface that a Spanish screen must not show,
// matched as whole words, case-sensitive.
export const ENGLISH_WORDS = [
    "Case",
    "Cases",
    "Section",
    "Sections",
    "Responsible",
    "Customer",
    "Supplier",
    "Stage",
    "New",
    "Today",
    "Yesterday",
    "Read More",
    "Save",
    "Discard",
    "Search",
    "Filters",
    "Group By",
    "Open",
    "Closed",
    "Late",
    "Overdue",
    "Unassigned",
    "Urgent",
    "Watchers",
    "Channel",
    "Opportunities",
    "Support",
    "Follow-ups",
    "Service Level",
    "Messages",
    "Subject",
];

function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// what the person reads: the rendered text of the page and of the shadow
// roots (the portal's chatter lives in one)
export function visibleText(root = document.body) {
    const parts = [root.innerText || ""];
    for (const element of root.querySelectorAll("*")) {
        if (!element.shadowRoot) {
            continue;
        }
        for (const child of element.shadowRoot.querySelectorAll(":scope > *")) {
            if (!["STYLE", "LINK", "SCRIPT"].includes(child.tagName)) {
                parts.push(child.innerText || "");
            }
        }
    }
    return parts.join("\n");
}

export function englishWordsIn(text) {
    return ENGLISH_WORDS.filter((word) =>
        new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, "u").test(text)
    );
}

/** A step failing when the screen shows one of the English words. */
export function assertNoEnglish(where) {
    return {
        content: `No English on ${where}`,
        trigger: "body",
        run() {
            const found = englishWordsIn(visibleText());
            if (found.length) {
                throw new Error(`English on the Spanish screen ${where}: ${found.join(", ")}`);
            }
        },
    };
}

// the records a backend view shows: the pager's total, the groups' counts,
// or the rows and cards on the screen; an empty view's sample records are
// none
export function shownRecordCount() {
    if (document.querySelector(".o_view_sample_data")) {
        return 0;
    }
    const groups = document.querySelectorAll(".o_list_renderer .o_group_header .o_group_name");
    if (groups.length) {
        return [...groups].reduce(
            (total, group) => total + parseInt(group.textContent.match(/\((\d+)\)/)[1]),
            0
        );
    }
    const pagerLimit = document.querySelector(".o_pager_limit");
    if (pagerLimit) {
        return parseInt(pagerLimit.textContent);
    }
    return document.querySelectorAll(".o_data_row, .o_kanban_record:not(.o_kanban_ghost)")
        .length;
}

function readNumber(element) {
    const match = element.textContent.match(/\d+/);
    if (!match) {
        throw new Error(`No number in the counter "${element.textContent.trim()}"`);
    }
    return parseInt(match[0]);
}

// a count read before a page load: the portal's links load a new page, and
// the tour goes on in it
const COUNTED_KEY = "crm_case_sections.tour_counted";

function rememberCount(count) {
    sessionStorage.setItem(COUNTED_KEY, String(count));
}

function rememberedCount() {
    return parseInt(sessionStorage.getItem(COUNTED_KEY));
}

/**
 * Steps reading the number of ``counter``, clicking it, waiting for
 * ``opened`` (a trigger only the opened view matches), switching to its
 * list and failing unless the list holds as many records as the counter
 * said.
 */
export function counterMatchesList(counter, opened, what) {
    return [
        {
            content: `Read the counter ${what} and open it`,
            trigger: counter,
            run(helpers) {
                rememberCount(readNumber(this.anchor));
                helpers.click();
            },
        },
        { content: `The records behind ${what}`, trigger: opened },
        {
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: `As many records in the list as the counter ${what} said`,
            trigger: ".o_list_view .o_list_renderer",
            run() {
                const shown = shownRecordCount();
                if (shown !== rememberedCount()) {
                    throw new Error(
                        `The counter ${what} says ${rememberedCount()}, its list shows ${shown}`
                    );
                }
            },
        },
    ];
}

/** The same on the portal: the home card's count against its table. */
export function portalCounterMatchesList(card, counterName, what) {
    return [
        {
            content: `The counters of /my are loaded`,
            trigger: "body:not(:has(.o_portal_doc_spinner))",
        },
        {
            content: `Read the count of ${what} and open it`,
            trigger: card,
            run(helpers) {
                const counter = document.querySelector(
                    `[data-placeholder_count='${counterName}']`
                );
                rememberCount(readNumber(counter));
                helpers.click();
            },
        },
        {
            content: `As many lines in the table as the count of ${what} said`,
            trigger: ".o_portal_my_doc_table tbody",
            run() {
                const shown = document.querySelectorAll(
                    ".o_portal_my_doc_table tbody tr"
                ).length;
                if (shown !== rememberedCount()) {
                    throw new Error(
                        `The count of ${what} says ${rememberedCount()}, its table shows ${shown}`
                    );
                }
            },
        },
    ];
}
