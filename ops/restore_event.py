"""The restore's own audit event (ops/restore.py): appended by the audit service at the end
of the restored trail, so it is chained like any other, naming who ran the restore, which
backup (its manifest's SHA-256) and which key ids its data needs."""

from django.db import connection, transaction

RESTORE_ACTION = "backup.restored"


def record_restore(manifest: dict, *, by: str) -> None:
    """The restore as an event at the end of the restored trail, appended (and chained) by
    the audit service: who ran it, which backup (its manifest's hash), which keys."""
    from audit.services import SYSTEM, record

    key_ids = ", ".join(
        f"{purpose} v{version} {entry['key_ids'][version]}"
        for purpose, entry in sorted(manifest["keyring"]["purposes"].items())
        for version in entry["needed"] if version in entry["key_ids"]
    )
    with transaction.atomic():
        record(actor=SYSTEM, action=RESTORE_ACTION, object_type="backup",
               object_id=manifest["name"][:64], details={
                   "by": by[:150], "engine": manifest["engine"],
                   "manifest_sha256": manifest["manifest_sha256"],
                   "keyring": manifest["keyring"]["id"], "key_ids": key_ids[:3000],
               })


def owed(manifest: dict) -> bool:
    """Whether this installation was restored from this backup without its event (the keyring
    was missing then): the trail holds exactly the backup's events, and no restore of it.
    An installation that made the backup holds at least its `backup.written` event more."""
    from audit.models import AuditEvent

    expected = manifest["counts"].get("audit.auditevent")
    return (expected is not None and not recorded(manifest)
            and AuditEvent.objects.count() == expected)


def recorded(manifest: dict) -> int:
    """How many restore events of this very backup the trail holds."""
    from audit.models import AuditEvent

    if AuditEvent._meta.db_table not in connection.introspection.table_names():
        return 0
    return AuditEvent.objects.filter(
        action=RESTORE_ACTION, details__contains=manifest["manifest_sha256"]
    ).count()
