from . import crm_case_section
from . import crm_case_type
from . import crm_case_stage
from . import crm_case
from . import crm_case_mail
from . import crm_case_followup
from . import res_users
from . import mail_thread
