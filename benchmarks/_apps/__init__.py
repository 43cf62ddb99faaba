"""Tiny apps the benchmarks run on the simulated phone (one concept each)."""
