"""Independent test scenarios for distillguard, written without knowledge of how the detector decides."""
