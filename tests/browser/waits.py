"""Waiting for a condition in a page whose Content-Security-Policy forbids eval (script-src 'self'): the
benchmarks and the tests share one poller, `bench.local.wait_until`."""

from bench.local import wait_until

__all__ = ["wait_until"]
