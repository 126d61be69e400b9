"""Benchmarks that write docs/benchmarks.json and docs/benchmarks.md."""
