"""Text typed on a case's read page is never lost to the other button.

The read page has several forms a person types into: the triage decision, the referral and an
agency answer per referral. They are one HTML form (FORM_ID; the fields further down the page
belong to it through the `form` attribute) with a button for each action, so whichever is
pressed, the server receives what was typed into all of them. An action that refuses its own
form shows the other again as it was typed; one that succeeds while the other still holds
typed text shows the read page again with that text, instead of going back to the case page
where it would be gone. No JavaScript is needed.
"""

from intake.case.forms import CASE_FORM

# The read page's one form is intake's: its actions, the read button, and routing's boxes.
FORM_ID = CASE_FORM


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


_ANSWER_FIELDS = ("kind", "answered_on", "agency_reference", "status", "text")


def answers_typed(post, *, skip: int | None = None) -> dict[int, dict]:
    """Per referral (its pk), what was typed into its agency-answer form, as initial values,
    when anything was; `skip` is the one whose own button was pressed."""
    pks = {int(key.split("-")[1]) for key in post
           if key.startswith("answer-") and key.split("-")[1].isdigit()}
    typed = {}
    for pk in pks - {skip}:
        values = {name: post.get(f"answer-{pk}-{name}", "") for name in _ANSWER_FIELDS}
        if any(values[name].strip() for name in _ANSWER_FIELDS if name != "kind"):
            typed[pk] = values
    return typed


def joined(form):
    """`form` with its fields made part of the page's one form."""
    for field in form.fields.values():
        field.widget.attrs["form"] = FORM_ID
    return form


def from_read_page(post) -> bool:
    """Whether the request came from the read page's one form (its triage part is always
    there), so that an answer shows that page again with everything typed into it."""
    return "triage-suggestion" in post
