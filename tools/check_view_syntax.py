"""Refuse view syntax that Odoo 17 and 18 no longer read; no OCA check does.

python tools/check_view_syntax.py FILE.xml ...
"""

import re
import sys
from pathlib import Path

OLD_SYNTAX = [
    (re.compile(r"<tree[\s>/]"), "<tree> is Odoo 16 syntax: use <list>"),
    (
        re.compile(r"\battrs\s*="),
        "attrs= is gone since Odoo 17: use invisible=/readonly=",
    ),
    (re.compile(r"\bstates\s*="), "states= is gone since Odoo 17: use invisible="),
]


def check(path):
    text = Path(path).read_text(encoding="utf-8")
    for pattern, message in OLD_SYNTAX:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield f"{path}:{line}: {message}"


if __name__ == "__main__":
    problems = [problem for path in sys.argv[1:] for problem in check(path)]
    print("\n".join(problems), end="\n" if problems else "")
    sys.exit(1 if problems else 0)
