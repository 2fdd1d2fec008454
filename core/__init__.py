"""What every app uses and no app owns: writing files atomically, the task queue's
schedules and the worker's heartbeat, the `serve` command, the health check, the privacy
middleware and logging filters, and the SQLite backend.

core imports only Django, the standard library and third-party packages: it is the bottom
of the app order (docs/architecture.md). This package imports nothing, so that
config/settings.py and uvicorn's log configuration can use core.environment and
core.logging before Django is set up.
"""
