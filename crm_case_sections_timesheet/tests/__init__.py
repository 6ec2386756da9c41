from . import test_case_timesheet
from . import test_tours_spanish
