from . import mail_inbound_unprocessed
from . import mail_thread
from . import fetchmail_server
from . import mail_inbound_blocked_sender
