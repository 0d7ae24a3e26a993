"""Backup, restore and verify of one install: `python -m server backup|restore|verify-backup` (docs/operations.md)."""
