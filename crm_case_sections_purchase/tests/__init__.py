from . import test_menus
from . import test_purchase_order
from . import test_res_partner
from . import test_performance
from . import test_tours_spanish
from . import test_supplier_views
