# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A throwaway Postfix and Dovecot on loopback, for the end-to-end tests.

Everything lives under one temporary folder: Postfix's main.cf, master.cf,
queue and data directories, the mailboxes, Dovecot's configuration, base
directory and its passwd-file. The machine's own mail set-up is not touched.

- Postfix listens for SMTP on 127.0.0.1:<smtp_port>. Mail to the Odoo domain
  is piped to the mailgate script (XML-RPC into Odoo); mail to the mailbox
  domains is delivered to Maildirs that Dovecot serves over IMAP on
  127.0.0.1:<imap_port>.
- Without a list of mailboxes (``make run``), every address outside the
  Odoo domain has a mailbox, made on its first mail, and logs in to IMAP
  with the one password ``PASSWORD``: nothing leaves the machine.
"""

import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

MAIL_USER = "mail"  # owner of the Maildirs, for Postfix and Dovecot alike
MASTER_CF = """\
{smtp_address} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
odoo      unix  -       n       n       -       {pipe_limit}       pipe
  flags=DR user=nobody argv={python} {mailgate} -d {database}
  -u {uid} -p {password} --host 127.0.0.1 --port ${{nexthop}}
{master_extra}"""
MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/spool
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.e2e.test
mydomain = e2e.test
myorigin = mx.e2e.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
maillog_file_prefixes = {root}
maillog_file = {root}/maillog
message_size_limit = 52428800
mailbox_size_limit = 0
virtual_mailbox_limit = 0
virtual_mailbox_domains = {mailbox_domains}
virtual_mailbox_base = {root}/vmail
virtual_mailbox_maps = {mailbox_maps}
virtual_minimum_uid = {mail_uid}
virtual_uid_maps = static:{mail_uid}
virtual_gid_maps = static:{mail_gid}
relay_domains = {odoo_domain}
transport_maps = texthash:{root}/postfix/transport
odoo_destination_concurrency_limit = {pipe_limit}
odoo_destination_recipient_limit = 1
{main_extra}smtp_host_lookup = native
disable_dns_lookups = yes
biff = no
alias_maps =
alias_database =
delay_warning_time = 0
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
"""
DOVECOT_CONF = """\
base_dir = {root}/dovecot/run
state_dir = {root}/dovecot/state
log_path = {root}/dovecot/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {mail_uid}
last_valid_uid = {mail_uid}
mail_location = maildir:~
default_internal_user = dovecot
default_login_user = dovenull
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
{users}
"""
# a fixed list of mailboxes, each with its password
USERS_LISTED = """\
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/dovecot/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/dovecot/users
}}"""
# any address: the same password, the Maildir Postfix makes for it
USERS_ANY = """\
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/vmail/%d/%n
}}"""
# Postfix's regexp tables for every address outside the Odoo domain (plain
# characters only: the address names its Maildir). Postfix's virtual agent
# takes no path from a regexp, so Dovecot's own delivery agent files them.
ANY_DOMAIN = "!/^{odoo_domain}$/ OK\n"
ANY_MAILBOX = "/^[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+$/ OK\n"
ANY_MAIN = """\
virtual_transport = dovecot
dovecot_destination_recipient_limit = 1
"""
ANY_MASTER = """\
dovecot   unix  -       n       n       -       -       pipe
  flags=DRhu user={mail_user} argv=/usr/lib/dovecot/dovecot-lda
  -c {dovecot_conf} -f ${{sender}} -d ${{recipient}}
"""
ANY_LDA_LOG = """
protocol lda {{
  log_path = {root}/dovecot/lda.log
  stats_writer_socket_path =
}}"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


class MailStack:
    """Postfix and Dovecot with their configuration under ``root``."""

    PASSWORD = "secret"

    def __init__(
        self,
        mailboxes,
        odoo_domain,
        mailgate,
        database,
        odoo_port,
        uid=2,
        password="admin",
        python="/usr/bin/python3",
        pipe_limit=8,
        root=None,
        smtp_port=None,
        imap_port=None,
    ):
        """``mailboxes`` None: any address outside ``odoo_domain``. ``root``
        given: the configuration and mailboxes are kept there between runs."""
        if root:
            self.root = Path(root)
            self.root.mkdir(parents=True, exist_ok=True)
        else:
            self.root = Path(tempfile.mkdtemp(prefix="ccs-mail."))
        # nobody runs the mailgate from here, the mail user owns the mailboxes
        self.root.chmod(0o755)
        self.mailboxes = None if mailboxes is None else list(mailboxes)
        self.odoo_domain = odoo_domain
        self.odoo_port = odoo_port
        self.smtp_port = smtp_port or free_port()
        self.imap_port = imap_port or free_port()
        self.mailgate = self.root / "odoo-mailgate.py"
        shutil.copy(mailgate, self.mailgate)
        self.mailgate.chmod(0o755)
        self.database, self.uid, self.password = database, uid, password
        self.python = python
        self.pipe_limit = pipe_limit
        self.postfix_dir = self.root / "postfix"
        self.dovecot_conf = self.root / "dovecot" / "dovecot.conf"
        self.started = []

    # --- configuration and life cycle -------------------------------------
    def start(self):
        mail = pwd.getpwnam(MAIL_USER)
        values = {
            "root": self.root,
            "mail_uid": mail.pw_uid,
            "mail_gid": mail.pw_gid,
            "odoo_domain": self.odoo_domain,
            "smtp_address": f"127.0.0.1:{self.smtp_port}",
            "imap_port": self.imap_port,
            "python": self.python,
            "mailgate": self.mailgate,
            "database": self.database,
            "uid": self.uid,
            "password": self.password,
            "pipe_limit": self.pipe_limit,
        }
        if self.mailboxes is None:
            values["mailbox_domains"] = f"regexp:{self.postfix_dir}/mailbox_domains"
            values["mailbox_maps"] = f"regexp:{self.postfix_dir}/mailboxes"
            values["users"] = USERS_ANY.format(
                **{**values, "password": self.PASSWORD}
            ) + ANY_LDA_LOG.format(**values)
            values["main_extra"] = ANY_MAIN
            values["master_extra"] = ANY_MASTER.format(
                mail_user=MAIL_USER, dovecot_conf=self.dovecot_conf
            )
        else:
            values["mailbox_domains"] = " ".join(
                sorted({address.split("@")[1] for address in self.mailboxes})
            )
            values["mailbox_maps"] = f"texthash:{self.postfix_dir}/mailboxes"
            values["users"] = USERS_LISTED.format(**values)
            values["main_extra"] = values["master_extra"] = ""
        self.postfix_dir.mkdir(exist_ok=True)
        postfix = pwd.getpwnam("postfix")
        (self.root / "data").mkdir(exist_ok=True)
        os.chown(self.root / "data", postfix.pw_uid, postfix.pw_gid)
        (self.root / "spool").mkdir(exist_ok=True)
        (self.root / "vmail").mkdir(exist_ok=True)
        os.chown(self.root / "vmail", mail.pw_uid, mail.pw_gid)
        (self.postfix_dir / "main.cf").write_text(MAIN_CF.format(**values))
        (self.postfix_dir / "master.cf").write_text(MASTER_CF.format(**values))
        if self.mailboxes is None:
            domain = self.odoo_domain.replace(".", r"\.")
            (self.postfix_dir / "mailbox_domains").write_text(
                ANY_DOMAIN.format(odoo_domain=domain)
            )
            (self.postfix_dir / "mailboxes").write_text(ANY_MAILBOX)
        else:
            (self.postfix_dir / "mailboxes").write_text(
                "".join(
                    f"{address} {self._maildir(address)}/\n"
                    for address in self.mailboxes
                )
            )
        (self.postfix_dir / "transport").write_text(
            f"{self.odoo_domain} odoo:{self.odoo_port}\n"
        )
        dovecot = self.dovecot_conf.parent
        (dovecot / "run").mkdir(parents=True, exist_ok=True)
        (dovecot / "state").mkdir(exist_ok=True)
        self.dovecot_conf.write_text(DOVECOT_CONF.format(**values))
        lda_log = dovecot / "lda.log"  # written by the delivery agent, as mail
        lda_log.touch()
        os.chown(lda_log, mail.pw_uid, mail.pw_gid)
        (dovecot / "users").write_text(
            "".join(
                f"{address}:{{PLAIN}}{self.PASSWORD}:{mail.pw_uid}:{mail.pw_gid}::"
                f"{self.root / 'vmail' / self._maildir(address)}::\n"
                for address in self.mailboxes or ()
            )
        )
        self._run(["postfix", "-c", str(self.postfix_dir), "check"])
        self._run(["postfix", "-c", str(self.postfix_dir), "start"])
        self.started.append("postfix")
        self._run(["dovecot", "-c", str(self.dovecot_conf)])
        self.started.append("dovecot")
        wait_for_port(self.smtp_port)
        wait_for_port(self.imap_port)
        return self

    def stop(self):
        if "dovecot" in self.started:
            subprocess.run(
                ["doveadm", "-c", str(self.dovecot_conf), "stop"],
                check=False,
                capture_output=True,
            )
        if "postfix" in self.started:
            subprocess.run(
                ["postfix", "-c", str(self.postfix_dir), "stop"],
                check=False,
                capture_output=True,
            )
        self.started = []

    def cleanup(self):
        self.stop()
        # the master processes exit asynchronously
        time.sleep(1)
        shutil.rmtree(self.root, ignore_errors=True)

    def set_odoo_port(self, port):
        self.odoo_port = port
        (self.postfix_dir / "transport").write_text(f"{self.odoo_domain} odoo:{port}\n")
        self._run(["postfix", "-c", str(self.postfix_dir), "reload"])

    def flush(self):
        """Retry the deferred mail now."""
        self._run(["postqueue", "-c", str(self.postfix_dir), "-f"])

    def _maildir(self, address):
        local, domain = address.split("@")
        return f"{domain}/{local}"

    def _run(self, command):
        # into a file: the daemons started keep any pipe open
        with tempfile.TemporaryFile("w+") as output:
            code = subprocess.run(
                command, stdout=output, stderr=output, check=False
            ).returncode
            output.seek(0)
            result = subprocess.CompletedProcess(command, code, output.read(), "")
        if result.returncode:
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}): "
                f"{result.stdout}{result.stderr}{self.maillog()[-2000:]}"
            )
        return result

    # --- reading what happened ----------------------------------------------
    def maillog(self):
        path = self.root / "maillog"
        return path.read_text(errors="replace") if path.exists() else ""

    def delivery_status(self, queue_id, recipient=None):
        """The final status of the delivery of ``queue_id`` (to
        ``recipient``) to Odoo or a mailbox: sent, bounced, deferred; None
        while in progress."""
        to = re.escape(recipient) if recipient else "[^>]*"
        found = re.findall(
            rf" {re.escape(queue_id)}: to=<{to}>.*? status=(\w+)", self.maillog()
        )
        return found[-1] if found else None

    def imap(self, address):
        connection = imaplib.IMAP4("127.0.0.1", self.imap_port)
        connection.login(address, self.PASSWORD)
        return connection

    def messages(self, address):
        """The raw messages of the mailbox ``address``, oldest first,
        read over IMAP (without marking them read)."""
        connection = self.imap(address)
        try:
            connection.select("INBOX", readonly=True)
            __, data = connection.search(None, "ALL")
            raw = []
            for num in data[0].split():
                __, fetched = connection.fetch(num, "(BODY.PEEK[])")
                raw.append(fetched[0][1])
            return raw
        finally:
            connection.logout()

    def unseen_count(self, address):
        connection = self.imap(address)
        try:
            connection.select("INBOX", readonly=True)
            __, data = connection.search(None, "UNSEEN")
            return len(data[0].split())
        finally:
            connection.logout()

    def append(self, address, raw):
        """Put ``raw`` straight into the mailbox, unread."""
        connection = self.imap(address)
        try:
            connection.append("INBOX", None, None, raw)
        finally:
            connection.logout()
