"""Tools for a developer's machine, never installed in production (config/settings.py adds
the app only outside it): the stand-in agency (standin.py) and its `manage.py
agency_standin` command. It sits on top of the app order and may import any app."""
