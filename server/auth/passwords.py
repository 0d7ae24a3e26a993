"""The password hashes live in server.lib.passwords (people hashes a new person's password, auth checks it)."""

from server.lib.passwords import hash_password, needs_rehash, verify_password

__all__ = ["hash_password", "needs_rehash", "verify_password"]
