"""Seed posts ported as written, bugs included: what harness finds in them."""
