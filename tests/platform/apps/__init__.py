"""App modules for the device scenario tests (``tests/platform/test_device_scenarios.py``)."""
