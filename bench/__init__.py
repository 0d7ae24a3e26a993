"""Benchmarks: a generator of a realistic province (`python -m bench.generate`) and what measures it."""
