from . import crm_case
from . import purchase_order
from . import res_partner
