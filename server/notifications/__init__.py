"""Notifications: the job queue, reminders and escalation, the inbox, Web Push and e-mail."""

from server.notifications.listeners import subscribe as _subscribe

# Every process that writes tasks (the app, the worker, the CLI) imports this package through tasks.services.
_subscribe()
