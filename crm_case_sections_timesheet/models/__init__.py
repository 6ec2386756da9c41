from . import account_analytic_line
from . import crm_case
from . import crm_case_section
