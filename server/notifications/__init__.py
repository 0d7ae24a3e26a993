"""Notifications: the job queue, reminders and escalation, the inbox, Web Push and e-mail."""
