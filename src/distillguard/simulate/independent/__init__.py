"""Independent test scenarios for distillguard.

Written without knowledge of how the detector decides.
"""
