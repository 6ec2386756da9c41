# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Messages per second through the real path: SMTP submission to Postfix,
Postfix's pipe to the mailgate script, XML-RPC into odoo-bin, committed case.
Odoo with 1, 2 and 4 workers, a fixed number of concurrent senders."""

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "e2e"))

from common import pump_mail
from mailstack import MailStack

from conftest import (
    MAILBOXES,
    MAILGATE,
    ODOO_DOMAIN,
    Door,
    OdooServer,
    _configure,
    wait_until,
)


def message(run, index):
    return pump_mail(f"support@{ODOO_DOMAIN}", "bench", run, index)


def measure(door, run, count, senders):
    done = "SELECT count(*) FROM crm_case WHERE name LIKE %s"
    pattern = f"Bench {run} %"
    raws = [message(run, index) for index in range(count)]
    started = time.monotonic()
    with ThreadPoolExecutor(senders) as pool:
        list(
            pool.map(
                lambda raw: door.send(
                    raw, "customer@bench.test", [f"support@{ODOO_DOMAIN}"]
                ),
                raws,
            )
        )
    submitted = time.monotonic()
    wait_until(
        lambda: door.sql(done, [pattern])[0][0] >= count,
        timeout=max(600, count * 5),
        interval=0.1,
        message=f"{count} cases",
    )
    elapsed = time.monotonic() - started
    return {
        "messages": count,
        "senders": senders,
        "submit_s": round(submitted - started, 2),
        "total_s": round(elapsed, 2),
        "per_second": round(count / elapsed, 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--json")
    options = parser.parse_args()
    results = {}
    database = f"ccs_bench_real_{os.getpid()}"
    server = OdooServer(database)
    stack = MailStack(
        MAILBOXES,
        ODOO_DOMAIN,
        MAILGATE,
        database,
        server.port,
        pipe_limit=options.senders,
    )
    try:
        print("bench: installing crm_case_sections on", database, flush=True)
        server.install()
        stack.start()
        for workers in [int(w) for w in options.workers.split(",")]:
            server.workers = workers
            server.start()
            door = Door(server, stack)
            if not results:
                door.data = _configure(server, stack)
            # warm the workers up, not measured
            measure(door, f"warm{workers}", options.senders, options.senders)
            figures = measure(door, f"w{workers}", options.n, options.senders)
            results[workers] = figures
            print(
                f"bench: real path, {workers} worker(s), {options.senders} senders: "
                f"{figures['messages']} mails in {figures['total_s']} s = "
                f"{figures['per_second']} mails/s (SMTP submission to committed case)",
                flush=True,
            )
            server.stop()
    finally:
        server.stop()
        stack.cleanup()
        subprocess.run(["dropdb", "--if-exists", database], check=False)
    if options.json:
        Path(options.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
