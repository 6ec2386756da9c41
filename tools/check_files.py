"""Validate the addons' XML and .po files and refuse pre-Odoo-17 view syntax."""

import re
import sys
from pathlib import Path

import polib
from lxml import etree

OLD_SYNTAX = [
    (re.compile(r"<tree[\s>]"), "<tree> is Odoo 16 syntax: use <list>"),
    (
        re.compile(r"\battrs\s*="),
        "attrs= is gone since Odoo 17: use invisible=/readonly=",
    ),
    (re.compile(r"\bstates\s*="), "states= is gone since Odoo 17: use invisible="),
]


def check(addon):
    errors = []
    for path in sorted(Path(addon).rglob("*.xml")):
        text = path.read_text(encoding="utf-8")
        try:
            etree.fromstring(text.encode())
        except etree.XMLSyntaxError as exc:
            errors.append(f"{path}: invalid XML: {exc}")
        for pattern, message in OLD_SYNTAX:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                errors.append(f"{path}:{line}: {message}")
    for path in sorted(Path(addon).rglob("*.po*")):
        try:
            catalog = polib.pofile(str(path), check_for_duplicates=True)
        except (OSError, ValueError) as exc:
            errors.append(f"{path}: invalid .po file: {exc}")
            continue
        for entry in catalog:
            if "python-format" in entry.flags and entry.msgstr:
                wanted = sorted(re.findall(r"%\(?\w*\)?[sd]", entry.msgid))
                if wanted != sorted(re.findall(r"%\(?\w*\)?[sd]", entry.msgstr)):
                    errors.append(f"{path}: placeholders differ in {entry.msgid!r}")
    return errors


if __name__ == "__main__":
    problems = [error for addon in sys.argv[1:] for error in check(addon)]
    print("\n".join(problems) or "xml/po: valid")
    sys.exit(1 if problems else 0)
