"""Idempotent changes moved to server/lib/idempotency.py (the API's Idempotency-Key and the sync batch share
them); the names stay here for the modules that import them from sync."""

from server.lib.idempotency import MAX_KEY_LENGTH, Answer, request_hash, run_once

__all__ = ["MAX_KEY_LENGTH", "Answer", "request_hash", "run_once"]
