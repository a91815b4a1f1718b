"""The notification outbox and its delivery.

- `outbox`: the API every app uses to schedule messages (rows, not queued messages).
- `delivery`: claiming due rows and sending each once; channels (email, GOV.UK Notify).
- `digest`: the coordinators' daily digest, built from sections the apps register.
- `tasks`: Celery tasks (thin wrappers); `views`/`urls`: the "Undelivered messages" page.
"""
