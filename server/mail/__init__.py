"""E-mail, the second channel: a queue in the database, templates per event and locale, SMTP or a local sink."""
