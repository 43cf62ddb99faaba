"""Buggy variants of the example apps: each hides one classic sync mistake for the fuzzer to find.

Each module is the example app it names with one change, marked ``BUG:``; everything else is the
example's code. ``tests/property/test_fuzz_finds_bugs.py`` proves the fuzzer finds each and
shrinks it to a handful of events.
"""
