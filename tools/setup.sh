#!/usr/bin/env bash
# Prepare everything `make test` and `make run` need: a cached virtualenv with
# Odoo 18.0 and the test/lint tools, a running PostgreSQL with a role for the
# current OS user, and Chromium for the browser tours.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh

die() { echo "setup: $*" >&2; exit 1; }

# --- Odoo source --------------------------------------------------------------
if [[ -n "${ODOO_SRC_GIVEN:-}" && ! -f "$ODOO_SRC/odoo-bin" ]]; then
    die "ODOO_SRC=$ODOO_SRC holds no Odoo 18.0 source (no odoo-bin there); point ODOO_SRC at an Odoo 18.0 source tree."
fi
if [[ ! -f "$ODOO_SRC/odoo-bin" ]]; then
    echo "setup: no Odoo source at $ODOO_SRC, downloading Odoo's official 18.0 source archive"
    mkdir -p "$ODOO_SRC"
    curl -fsSL "$ODOO_ARCHIVE_URL" | tar -xz -C "$ODOO_SRC" --strip-components=1 \
        || die "could not download the Odoo 18.0 source from $ODOO_ARCHIVE_URL; set ODOO_SRC to a local Odoo 18.0 source tree."
fi
grep -q "version_info = (18, 0" "$ODOO_SRC/odoo/release.py" \
    || die "$ODOO_SRC is not an Odoo 18.0 source tree (odoo/release.py says otherwise)."

# --- virtualenv (cached by the hash of what goes into it) ----------------------
stamp="$VENV/.crm_case_sections-$(cat "$ODOO_SRC/requirements.txt" tools/requirements-dev.txt | sha1sum | cut -c1-12)"
if [[ ! -f "$stamp" ]]; then
    echo "setup: building the virtualenv in $VENV (a few minutes, once)"
    rm -rf "$VENV"
    python3.11 -m venv "$VENV" || die "python3.11 with venv is needed to build the virtualenv."
    "$VENV/bin/pip" install -q --upgrade pip wheel "setuptools<70"
    # Odoo's pins, less LDAP, which nothing here uses and which does not build
    # here; gevent and greenlet come as wheels below.
    grep -v -E '^(python-ldap|gevent|greenlet)' "$ODOO_SRC/requirements.txt" \
        | sed -E 's/^cbor2==5\.4\.2/cbor2==5.6.2/' > "$VENV/odoo-requirements.txt"
    "$VENV/bin/pip" install -q --no-build-isolation -r "$VENV/odoo-requirements.txt"
    "$VENV/bin/pip" install -q -r tools/requirements-dev.txt
    touch "$stamp"
fi
# The multi-worker server (make run WORKERS=4) runs its websocket process on
# gevent: Odoo's pins for this Python, from their wheels.
# gevent loads its plugins through pkg_resources, which with setuptools<70
# does not find zope.* distributions of the newer dist-info naming: pin the
# last releases named the old way.
if ! "$VENV/bin/python" -c 'import pkg_resources; pkg_resources.require("gevent")' 2>/dev/null; then
    echo "setup: installing gevent and greenlet for the multi-worker server"
    { grep -E '^(gevent|greenlet)' "$ODOO_SRC/requirements.txt"
      echo "zope.interface==6.4.post2"; echo "zope.event==5.0"; } > "$VENV/gevent-requirements.txt"
    "$VENV/bin/pip" install -q --only-binary=:all: -r "$VENV/gevent-requirements.txt" \
        || die "could not install gevent and greenlet wheels for Python 3.11 (pip above)."
fi
# Make `import odoo` work for pytest-odoo without copying the source.
site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$ODOO_SRC" > "$site/odoo-src.pth"
"$VENV/bin/python" -c 'import odoo.release as r; assert r.version_info[:2] == (18, 0)' \
    || die "the virtualenv cannot import Odoo 18.0 from $ODOO_SRC."

# --- PostgreSQL ----------------------------------------------------------------
tools/pg.sh

# --- Chromium ------------------------------------------------------------------
if ! command -v chromium >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing Chromium for the browser tours"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
            || die "could not install Chromium (apt-get install chromium); the browser tours need it."
    else
        die "Chromium is missing: install the 'chromium' package; the browser tours need it."
    fi
fi
# --- Postfix and Dovecot for the end-to-end mail tests --------------------------
# Only the programs: the tests run them from a throwaway configuration, and
# the machine's own mail set-up stays as it is (no service is started here).
missing=()
command -v postfix >/dev/null 2>&1 || missing+=(postfix)
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
if (( ${#missing[@]} )); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing ${missing[*]} for the end-to-end mail tests"
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        # keep the packages from starting their system services
        policy=/usr/sbin/policy-rc.d
        own_policy=
        if [[ ! -e $policy ]]; then
            printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=1
        fi
        status=0
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null) || status=$?
        [[ -z $own_policy ]] || rm -f "$policy"
        (( status == 0 )) || die "could not install ${missing[*]} (apt-get install ${missing[*]}); the end-to-end mail tests need them."
    else
        die "Postfix and Dovecot are missing: install the packages ${missing[*]}; the end-to-end mail tests need them."
    fi
fi
command -v python3 >/dev/null 2>&1 || die "python3 is missing: the mail server runs the mailgate script with it."
echo "setup: ready (Odoo $ODOO_SRC, virtualenv $VENV, PostgreSQL on, $(chromium --version 2>/dev/null), $(postconf -d mail_version 2>/dev/null | sed 's/ = / /; s/mail_version/Postfix/'), Dovecot $(dovecot --version | cut -d' ' -f1))"
