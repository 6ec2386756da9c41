#!/usr/bin/env bash
# Export each addon's translation template with Odoo's own exporter and merge it
# into its Spanish translation, on a temporary database dropped on exit.
#   bash tools/i18n.sh          regenerate each addon's i18n/<addon>.pot, update its i18n/es.po
#   bash tools/i18n.sh --check  change nothing; fail when a .pot is stale or an es.po
#                               has a missing, empty or fuzzy entry
# I18N_ADDONS="crm_case_sections" limits it to some of the addons.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh

# every addon of the repository unless told otherwise
I18N_ADDONS=${I18N_ADDONS:-$(ls -d */__manifest__.py | xargs -n1 dirname | tr '\n' ' ')}
LANGS=${I18N_LANGS:-es}
PLURAL_FORMS_es="nplurals=3; plural=n == 1 ? 0 : n != 0 \&\& n % 1000000 == 0 ? 1 : 2;"

die() { echo "error: $*" >&2; exit 1; }
check=
case "${1:-}" in
    "") ;;
    --check) check=1 ;;
    *) die "unknown argument '$1': use 'bash tools/i18n.sh' or 'bash tools/i18n.sh --check'." ;;
esac
[[ -f "$ODOO_SRC/odoo-bin" ]] || die "Odoo 18.0 is missing: no odoo-bin in ODOO_SRC=$ODOO_SRC; run 'make setup'."
[[ -x "$VENV/bin/python" ]] || die "the virtualenv $VENV is missing: run 'make setup'."
if ! command -v msgmerge >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null \
            || die "gettext (msgmerge) is missing and could not be installed."
    else
        die "gettext (msgmerge) is missing: install the 'gettext' package."
    fi
fi

DB=${I18N_DB:-ccs_i18n_$(date +%s)_$$}
TMP=$(mktemp -d -t ccs-i18n.XXXX)
cleanup() { dropdb --if-exists "$DB" >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT

odoo() {
    "$VENV/bin/python" "$ODOO_SRC/odoo-bin" --addons-path="$ADDONS_PATH" -d "$DB" \
        --log-level=warn --http-port=0 "$@" >"$TMP/odoo.log" 2>&1 \
        || { cat "$TMP/odoo.log" >&2; return 1; }
}

modules=$(echo $I18N_ADDONS | tr ' ' ',')
echo "i18n: installing $modules without demo data on the temporary database $DB"
createdb "$DB"
odoo -i "$modules" --without-demo=all --stop-after-init || die "installing $modules failed (log above)."

failed=0
for ADDON in $I18N_ADDONS; do
    POT=$ADDON/i18n/$ADDON.pot
    odoo --i18n-export="$TMP/$ADDON.pot" --modules="$ADDON" || die "exporting the terms of $ADDON failed (log above)."
    # Name the series like Odoo's own catalogs do ("Odoo Server 18.0"), not the nightly build.
    sed -i -E 's/^"Project-Id-Version: (Odoo Server [0-9]+\.[0-9]+)[^\\]*\\n"$/"Project-Id-Version: \1\\n"/' "$TMP/$ADDON.pot"

    if [[ -n "$check" ]]; then
        problems=0
        # The creation and revision dates of the header change at every export.
        strip_dates() { grep -vE '^"(POT-Creation-Date|PO-Revision-Date): ' "$1" || true; }
        if [[ ! -f "$POT" ]]; then
            echo "$POT is missing."; problems=1
        elif ! diff -u <(strip_dates "$POT") <(strip_dates "$TMP/$ADDON.pot") >"$TMP/pot.diff"; then
            cat "$TMP/pot.diff"
            echo "$POT differs from a fresh export (diff above)."; problems=1
        fi
        for lang in $LANGS; do
            po=$ADDON/i18n/$lang.po
            if [[ ! -f "$po" ]]; then echo "$po is missing."; problems=1; continue; fi
            msgfmt --check-format -o /dev/null "$po" || { echo "$po is not a valid catalog (msgfmt above)."; problems=1; }
            "$VENV/bin/python" - "$TMP/$ADDON.pot" "$po" <<'EOF' || problems=1
import sys

import polib

pot, po = polib.pofile(sys.argv[1]), polib.pofile(sys.argv[2])
key = lambda entry: (entry.msgctxt, entry.msgid)  # noqa: E731
have = {key(entry): entry for entry in po if not entry.obsolete}
bad = []
for entry in pot:
    found = have.get(key(entry))
    if found is None:
        bad.append(("missing", entry.msgid))
    elif "fuzzy" in found.flags:
        bad.append(("fuzzy", entry.msgid))
    elif not found.msgstr:
        bad.append(("untranslated", entry.msgid))
for kind, msgid in bad:
    print(f"  {kind}: {msgid!r}")
if bad:
    print(f"{sys.argv[2]} has {len(bad)} missing, untranslated or fuzzy entries (listed above).")
    sys.exit(1)
print(f"i18n: {sys.argv[2]} translates all {len(pot)} entries")
EOF
        done
        if (( problems )); then
            failed=1
        else
            echo "i18n: $POT is up to date"
        fi
        continue
    fi

    mkdir -p "$ADDON/i18n"
    cp "$TMP/$ADDON.pot" "$POT"
    echo "i18n: wrote $POT ($(grep -c '^msgid ' "$POT") msgids, header included)"
    for lang in $LANGS; do
        po=$ADDON/i18n/$lang.po
        if [[ ! -f "$po" ]]; then
            # A new catalog gets Odoo's header: the language and its plural forms.
            plural_var=PLURAL_FORMS_$lang
            sed -e 's/^"Plural-Forms: \\n"$/"Language: '"$lang"'\\n"\n"Plural-Forms: '"${!plural_var:-}"'\\n"/' \
                "$POT" >"$po"
        else
            msgmerge --quiet --no-fuzzy-matching --update --backup=none "$po" "$POT"
            # Odoo's catalogs keep no obsolete (#~) entries, and are written by polib
            # like Odoo's exporter writes the .pot (same line wrapping).
            msgattrib --no-obsolete -o "$po" "$po"
            "$VENV/bin/python" -c 'import sys, polib; polib.pofile(sys.argv[1]).save()' "$po"
        fi
        echo "i18n: merged into $po"
    done
done
if (( failed )); then
    echo "error: the translations are out of date: run 'bash tools/i18n.sh' and translate the entries listed above." >&2
    exit 1
fi
