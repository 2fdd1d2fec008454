"""What ops' audit events mean in words (audit.vocabulary): a backup written or restored,
named by the time it was made."""

from datetime import UTC, datetime

from django.utils.translation import gettext_lazy as _

from audit import vocabulary as words
from audit.presenting import moment
from audit.vocabulary import Field, Named

BACKUP_TYPE = "backup"
FOLDER_TIME = "%Y%m%dT%H%M%SZ"


def register() -> None:
    words.register_choices("database", {"sqlite": "SQLite", "postgresql": "PostgreSQL"})
    words.register_group("backup", _("Backups"))
    words.register_action("backup.written", _("Made a backup"), fields={
        "engine": Field(_("Database"), "database"),
        "files": Field(_("Files"), "count"),
        "bytes": Field(_("Size"), "bytes"),
        "complaints": Field(_("Complaints"), "count"),
        "audit_events": Field(_("Audit events"), "count"),
        "live_data_keys": Field(_("Encryption keys in use"), "count"),
        "manifest_sha256": Field(_("Manifest hash (SHA-256)"), "hash"),
    })
    words.register_action("backup.restored", _("Restored from a backup"), fields={
        "by": Field(_("Run by"), "text"),
        "engine": Field(_("Database"), "database"),
        "manifest_sha256": Field(_("Manifest hash (SHA-256)"), "hash"),
        "keyring": Field(_("Keyring fingerprint"), "hash"),
        "key_ids": Field(_("Key ids"), "text"),
    })
    words.register_object(BACKUP_TYPE, _("Backup"), describe=describe_backups)


def describe_backups(ids, reader) -> dict[str, Named]:
    """A backup by the time its folder was made (its name, when it was named by default)."""
    named = {}
    for folder in ids:
        try:
            made = datetime.strptime(folder, FOLDER_TIME).replace(tzinfo=UTC)
        except ValueError:
            named[folder] = Named(folder)
        else:
            named[folder] = Named(moment(made))
    return named
