from . import test_mail_inbound_guard
from . import test_mail_inbound_blocked_sender
