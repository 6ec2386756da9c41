#!/usr/bin/env bash
# Beyond one process, on loopback: two prefork Odoo servers and a cron-only
# Odoo on the local PostgreSQL, read-only routes on a hot standby streaming
# from it (a temporary cluster, run as the postgres OS user). BENCH_CLUSTER_N
# mails per run (default 1,000), through one server then both;
# BENCH_CLUSTER_JSON=FILE writes the figures. Everything it starts is removed
# on exit, Ctrl-C included. See docs/DEPLOY.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/env.sh
. tools/check_env.sh
[[ $(id -u) -eq 0 ]] || { echo "error: the standby is created as the postgres OS user: run as root." >&2; exit 1; }
started=$(date +%s)
"$VENV/bin/python" bench/bench_cluster.py -n "${BENCH_CLUSTER_N:-1000}" \
    --senders "${BENCH_SENDERS:-8}" ${BENCH_CLUSTER_JSON:+--json "$BENCH_CLUSTER_JSON"}
echo "bench: cluster done in $(( $(date +%s) - started )) s"
