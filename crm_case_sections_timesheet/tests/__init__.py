from . import test_case_timesheet
