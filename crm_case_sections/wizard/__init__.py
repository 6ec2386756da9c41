from . import crm_case_merge
