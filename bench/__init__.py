"""Benchmarks that print ratios against a baseline (see docs/bench.md)."""
