#!/usr/bin/env bash
# Prepare everything `make test` and `make run` need: two cached virtualenvs
# with Odoo 18.0 (one with the test/lint tools, one with the test runner only
# for the addons' wheels), a running PostgreSQL with a role for the
# current OS user, Chromium for the browser tours, and nginx for the
# multi-worker server.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh

die() { echo "setup: $*" >&2; exit 1; }

# Debian packages of which only the programs are needed: the scripts run them
# from a throwaway configuration, and the machine's own set-up stays as it is
# (the packages' system services are not started).
install_programs() {  # what they are for, packages...
    local purpose=$1 policy=/usr/sbin/policy-rc.d own_policy='' status=0
    shift
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; own_policy=1
    fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "$@" >/dev/null) || status=$?
    [[ -z $own_policy ]] || rm -f "$policy"
    (( status == 0 )) || die "could not install $* (apt-get install $*); $purpose"
}

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

# --- virtualenvs (each cached by the hash of what goes into it) ---------------
# $VENV: Odoo's requirements, the test runner and the lint tools; `make run`,
# `make lint` and the i18n checks use it with the addons of the checkout.
# $VENV_WHEELS: Odoo's requirements and the test runner only; `make test`
# installs the addons' wheels into it and runs their tests from there.
build_venv() {  # directory, requirement files
    local dir=$1 stamp site
    shift
    stamp="$dir/.crm_case_sections-$(cat "$ODOO_SRC/requirements.txt" "$@" | sha1sum | cut -c1-12)"
    if [[ ! -f "$stamp" ]]; then
        echo "setup: building the virtualenv in $dir (a few minutes, once)"
        rm -rf "$dir"
        python3.11 -m venv "$dir" || die "python3.11 with venv is needed to build the virtualenv."
        "$dir/bin/pip" install -q --upgrade pip wheel "setuptools<70"
        # Odoo's pins, less what tests never need and what does not build here.
        grep -v -E '^(python-ldap|gevent|greenlet)' "$ODOO_SRC/requirements.txt" \
            | sed -E 's/^cbor2==5\.4\.2/cbor2==5.6.2/' > "$dir/odoo-requirements.txt"
        "$dir/bin/pip" install -q --no-build-isolation -r "$dir/odoo-requirements.txt"
        for requirements in "$@"; do
            "$dir/bin/pip" install -q -r "$requirements"
        done
        touch "$stamp"
    fi
    # Make `import odoo` work for pytest-odoo without copying the source.
    site=$("$dir/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO_SRC" > "$site/odoo-src.pth"
    "$dir/bin/python" -c 'import odoo.release as r; assert r.version_info[:2] == (18, 0)' \
        || die "the virtualenv $dir cannot import Odoo 18.0 from $ODOO_SRC."
}
build_venv "$VENV" tools/requirements-test.txt tools/requirements-dev.txt
build_venv "$VENV_WHEELS" tools/requirements-test.txt
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

# --- lint hooks --------------------------------------------------------------
# prettier, the one hook that is not a Python tool of the virtualenv, comes from
# the npm registry once: `make lint` then runs offline.
if ! command -v npm >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing Node.js and npm for prettier"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null) \
            || die "could not install Node.js and npm (apt-get install nodejs npm); the XML lint needs them."
    else
        die "npm is missing: install the 'nodejs' and 'npm' packages; the XML lint needs them."
    fi
fi
PATH="$VENV/bin:$PATH" "$VENV/bin/pre-commit" install-hooks >/dev/null \
    || die "pre-commit could not prepare its hooks (prettier from the npm registry)."

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
missing=()
command -v postfix >/dev/null 2>&1 || missing+=(postfix)
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
if (( ${#missing[@]} )); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing ${missing[*]} for the end-to-end mail tests"
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
        install_programs "the end-to-end mail tests need them." "${missing[@]}"
    else
        die "Postfix and Dovecot are missing: install the packages ${missing[*]}; the end-to-end mail tests need them."
    fi
fi
command -v python3 >/dev/null 2>&1 || die "python3 is missing: the mail server runs the mailgate script with it."
# --- nginx in front of the multi-worker server -----------------------------------
# `make run WORKERS=N` and `make bench-cluster` run it on loopback with
# docs/nginx-odoo.conf (tools/nginx.sh); /etc/nginx is not used.
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [[ ! -x $nginx ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        echo "setup: installing nginx for the multi-worker server"
        install_programs "make run WORKERS=N and make bench-cluster put it in front of Odoo." nginx
    else
        die "nginx is missing: install the 'nginx' package; make run WORKERS=N and make bench-cluster put it in front of Odoo."
    fi
fi
echo "setup: ready (Odoo $ODOO_SRC, virtualenvs $VENV and $VENV_WHEELS, PostgreSQL on, $(chromium --version 2>/dev/null), $(postconf -d mail_version 2>/dev/null | sed 's/ = / /; s/mail_version/Postfix/'), Dovecot $(dovecot --version | cut -d' ' -f1), $("$nginx" -v 2>&1 | sed 's/.*: //'))"
rm -f "$(dirname "$SETUP_STAMP")"/setup-*
touch "$SETUP_STAMP"
