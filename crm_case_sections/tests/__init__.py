from . import test_case_section
from . import test_case
from . import test_case_routing
from . import test_case_security
from . import test_case_views
from . import test_performance
from . import test_mail_gateway
from . import test_mail_gateway_performance
