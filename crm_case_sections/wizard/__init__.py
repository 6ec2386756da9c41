from . import crm_case_merge
from . import mail_compose_message
