"""Text typed on a case's read page is never lost to the other button.

The read page has two forms a person types into: the triage decision and the referral. They
are one HTML form (FORM_ID; the referral's fields, further down the page, belong to it through
the `form` attribute) with a button for each action, so whichever is pressed, the server
receives what was typed into both. An action that refuses its own form shows the other again
as it was typed; one that succeeds while the other still holds typed text shows the read page
again with that text, instead of going back to the case page where it would be gone. No
JavaScript is needed.
"""

FORM_ID = "case-forms"


def _same(a: str, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join((b or "").split())


def triage_typed(post, complaint) -> dict | None:
    """What was typed into the triage form, as initial values for it, or None when its text
    was left as shown (no reason, the title unchanged)."""
    reason = post.get("triage-reason", "")
    title = post.get("triage-title")
    if not reason.strip() and (title is None or _same(title, complaint.title or "")):
        return None
    return {"categories": post.getlist("triage-categories"),
            "corruption": post.get("triage-corruption", ""),
            "priority": post.get("triage-priority"), "reason": reason,
            "title": title if title is not None else complaint.title,
            "suggestion": post.get("triage-suggestion", "")}


def referral_typed(post, draft: str) -> dict | None:
    """What was typed into the referral form, as initial values for it, or None when it
    was not on the page or its text was left as shown (the drafted letter, nothing to black
    out, the reporter not named)."""
    letter = post.get("refer-cover_letter")
    if letter is None:
        return None
    redactions = post.get("refer-redactions", "")
    include = bool(post.get("refer-include_reporter"))
    if not redactions.strip() and not include and _same(letter, draft):
        return None
    return {"agency": post.get("refer-agency"), "cover_letter": letter,
            "attachments": post.getlist("refer-attachments"),
            "include_reporter": include, "redactions": redactions}
