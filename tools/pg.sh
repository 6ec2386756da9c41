#!/usr/bin/env bash
# Start the local PostgreSQL cluster and give the current OS user a superuser role.
set -euo pipefail
die() { echo "setup: $*" >&2; exit 1; }
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
            || die "PostgreSQL is missing and could not be installed (apt-get install postgresql)."
    else
        die "PostgreSQL is missing: install the 'postgresql' package."
    fi
fi
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
[[ -n "$cluster" ]] || die "no PostgreSQL cluster exists; create one with pg_createcluster."
pg_ctlcluster $cluster start 2>/dev/null || true
pg_lsclusters -h | awk 'NR==1 {print $4}' | grep -q online || die "the PostgreSQL cluster $cluster did not start."
me=$(id -un)
if ! psql -d postgres -tAc "select 1" >/dev/null 2>&1; then
    su postgres -c "createuser -s $me" 2>/dev/null || true
fi
psql -d postgres -tAc "select 1" >/dev/null 2>&1 || die "PostgreSQL refuses the role '$me'."
