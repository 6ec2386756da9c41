# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from imaplib import IMAP4

from odoo import fields, models
from odoo.exceptions import ValidationError

from ..tools import INFRASTRUCTURE_ERRORS, MailRoutingRefused

_logger = logging.getLogger(__name__)


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    def fetch_mail(self, raise_exception=True):
        """IMAP mailboxes: a message is marked as read only once what it
        became (a record, or a row of unprocessed mail) is committed. Odoo
        marks it first and commits after, so a worker stopped in between
        loses it; and a database failure leaves it unread for the next run."""
        imap_servers = self.filtered(lambda s: s._get_connection_type() == "imap")
        for server in imap_servers:
            server._fetch_imap_mail(raise_exception)
        others = self - imap_servers
        return (
            super(FetchmailServer, others).fetch_mail(raise_exception)
            if others
            else True
        )

    def _fetch_imap_mail(self, raise_exception):
        self.ensure_one()
        _logger.info("start checking for new emails on imap server %s", self.name)
        MailThread = self.env["mail.thread"].with_context(
            fetchmail_cron_running=True, default_fetchmail_server_id=self.id
        )
        count, failed = 0, 0
        connection = None
        try:
            connection = self.connect()
            connection.select()
            __, data = connection.search(None, "(UNSEEN)")
            for num in data[0].split():
                # BODY.PEEK leaves the message unread until it is committed
                __, fetched = connection.fetch(num, "(BODY.PEEK[])")
                try:
                    MailThread.message_process(
                        self.object_id.model,
                        fetched[0][1],
                        save_original=self.original,
                        strip_attachments=not self.attach,
                    )
                except MailRoutingRefused:
                    # Odoo's own refusal, logged by its router: nothing to keep
                    _logger.info(
                        "Mail refused from imap server %s.", self.name, exc_info=True
                    )
                    failed += 1
                except INFRASTRUCTURE_ERRORS:
                    self.env.cr.rollback()
                    raise
                # the record, or the row of unprocessed mail, first: then the flag
                self.env.cr.commit()  # pylint: disable=invalid-commit
                connection.store(num, "+FLAGS", "\\Seen")
                count += 1
            _logger.info(
                "Fetched %d email(s) on imap server %s; %d succeeded, %d failed.",
                count,
                self.name,
                count - failed,
                failed,
            )
        except Exception as error:
            if raise_exception:
                raise ValidationError(
                    self.env._(
                        "Couldn't get your emails. Check out the error message "
                        "below for more info:\n%s",
                        error,
                    )
                ) from error
            _logger.info(
                "General failure when trying to fetch mail from imap server %s.",
                self.name,
                exc_info=True,
            )
        finally:
            if connection:
                try:
                    connection.close()
                    connection.logout()
                except (OSError, IMAP4.abort):
                    _logger.warning(
                        "Failed to properly finish imap connection: %s.",
                        self.name,
                        exc_info=True,
                    )
        self.write({"date": fields.Datetime.now()})
