"""What voc does so that no one's identity or secrets leave the machine by accident.

- ``pseudonyms``: authors replaced at ingest by salted hashes (the salt lives outside the store).
- ``pii``: e-mail addresses, phone numbers and the like masked in text.
- ``redact``: tokens and passwords scrubbed from errors, logs and run records.
"""
