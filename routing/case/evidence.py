"""The evidence that goes with each referral, as the head's approval panel lists it."""

from django.utils.translation import gettext as _


def files_sent(referrals, content, *, case_files: int) -> dict:
    """Per referral, the files that go with it: their kind and size, and their names when
    the case has just been read (the names are sealed; nothing here is logged), and how many
    files the case has, for the warning when none go."""
    names = ({str(f.uid): f.filename for f in content.files if not f.damaged}
             if content is not None else {})
    return {referral.pk: {
        "files": [{"name": names.get(str(a.uid)), "kind": file_kind(a.content_type),
                   "size": a.size}
                  for a in sorted(referral.attachments.all(), key=lambda a: (a.created_at, a.pk))],
        "case_files": case_files,
    } for referral in referrals}


def file_kind(content_type: str) -> str:
    """A file's kind in words a clerk reads, from its type."""
    if content_type.startswith("image/"):
        return _("photo or scan")
    if content_type == "application/pdf":
        return _("PDF document")
    if content_type.startswith(("text/", "application/msword", "application/vnd")):
        return _("document")
    return _("file")
