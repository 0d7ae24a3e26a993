"""The append-only audit log: every change, hash-chained and signed, with checkpoints."""
