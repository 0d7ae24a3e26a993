from server.lib.idempotency import IdempotencyKey  # noqa: F401  (the table lives with run_once, in lib)
