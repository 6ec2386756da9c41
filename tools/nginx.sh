#!/usr/bin/env bash
# nginx in front of a prefork Odoo on loopback, from docs/nginx-odoo.conf with
# the ports filled in, in the foreground until it gets SIGTERM or SIGQUIT.
#   tools/nginx.sh DIR PORT HTTP_PORT GEVENT_PORT
# DIR, a throwaway folder, gets the configuration, the pid file, the logs and
# the buffers; nothing of /etc/nginx is read or written. Used by
# `make run WORKERS=N` (tools/run.sh) and `make bench-cluster`.
set -euo pipefail
(( $# == 4 )) || { echo "usage: tools/nginx.sh DIR PORT HTTP_PORT GEVENT_PORT" >&2; exit 2; }
dir=$(realpath -m "$1") port=$2 http_port=$3 gevent_port=$4
cd "$(dirname "$0")/.."
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $nginx ]] || { echo "error: nginx is missing: run 'make setup' (Debian package nginx)." >&2; exit 1; }
mkdir -p "$dir"
# the workers run as nobody when the master runs as root: let them reach
# their buffers
chmod 755 "$dir"
sed -e "s/\${LISTEN}/127.0.0.1:$port/" \
    -e "s/\${SERVER_NAME}/localhost/" \
    -e "s/\${ODOO_HTTP}/127.0.0.1:$http_port/" \
    -e "s/\${ODOO_GEVENT}/127.0.0.1:$gevent_port/" \
    docs/nginx-odoo.conf >"$dir/odoo.conf"
# shellcheck disable=SC2016  # a literal ${ left outside the comments
if grep -n '^[^#]*\${' "$dir/odoo.conf" >&2; then
    echo "error: docs/nginx-odoo.conf has a placeholder tools/nginx.sh does not fill." >&2
    exit 1
fi
# what Debian's /etc/nginx/nginx.conf gives the site, in DIR
cat >"$dir/nginx.conf" <<EOF
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_processes 1;
events {
    worker_connections 1024;
}
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/odoo.conf;
}
EOF
exec "$nginx" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" -g "daemon off;"
