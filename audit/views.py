"""The auditor's pages: browse the unit's events, and run verification of the whole chain."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audit.damage import Damage
from audit.forms import EventFilterForm
from audit.models import AuditEvent, Checkpoint
from audit.presenting import present, reader_for
from audit.rows import rows_html
from audit.services import READ_ACTION, record, verify_chain
from audit.terms import VERIFY_ACTION
from core.paging import CappedPaginator
from org.access import unit_role_required
from org.models import Role, Unit
from vault.keyring import KeyringError

EVENTS_PER_PAGE = 50


@unit_role_required(Role.AUDITOR)
@require_GET
def events(request, unit):
    scope = unit.descendant_ids()
    units = Unit.objects.filter(pk__in=scope)
    # The people who may have acted here: the units' own, and the heads above them, who
    # take the cases escalated to them.
    people_units = Unit.objects.filter(pk__in=[*scope, *(up.pk for up in unit.ancestors())])
    form = EventFilterForm(request.GET or None, units=units, people_units=people_units)
    found = AuditEvent.objects.in_units(scope).select_related("unit")
    if form.is_bound:
        found = form.filter(found) if form.is_valid() else found.none()
    page = CappedPaginator(found, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    shown = present(page.object_list, reader_for(request.user))
    return render(request, "audit/events.html", {
        "unit": unit, "form": form, "page": page, "read_action": READ_ACTION,
        "shown": shown, "rows_html": rows_html(shown, several_units=len(scope) > 1),
    })


def _run_summary(event: AuditEvent, actor: str) -> dict:
    details = event.details_dict
    damage = details.get("damage")
    return {
        "event": event,
        "actor": actor,  # the person by name and position, as the trail's page shows them
        "ok": details.get("ok"),
        "checked": details.get("checked"),
        "first_bad_seq": details.get("first_bad_seq"),
        "damage": Damage(damage).label if damage in Damage.values else damage,
    }


@unit_role_required(Role.AUDITOR)
@require_http_methods(["GET", "POST"])
def verify(request, unit):
    if request.method == "POST":
        try:
            result = verify_chain()
        except KeyringError:
            messages.error(request, _("The audit trail cannot be verified: the keyring cannot "
                                      "be read. Ask the administrator."))
            return redirect("audit:verify", unit_code=unit.code)
        record(
            actor=request.user, action=VERIFY_ACTION, unit=unit,
            details={
                "ok": result.ok, "checked": result.checked, "checkpoints": result.checkpoints,
                "first_bad_seq": result.first_bad_seq,
                "damage": result.damage.value if result.damage else None,
            },
        )
        if result.ok:
            messages.success(request, _(
                "The audit trail is intact: %(checked)s events and %(checkpoints)s "
                "checkpoints checked."
            ) % {"checked": result.checked, "checkpoints": result.checkpoints})
        else:
            messages.error(request, _(
                "The audit trail is damaged. First bad sequence number: %(seq)s (%(damage)s). "
                "%(explanation)s"
            ) % {"seq": result.first_bad_seq, "damage": result.damage.label,
                 "explanation": result.explanation})
        return redirect("audit:verify", unit_code=unit.code)
    runs = list(AuditEvent.objects.in_units(unit.descendant_ids()).filter(action=VERIFY_ACTION)
                .select_related("unit")[:10])
    shown = present(runs, reader_for(request.user))
    return render(
        request,
        "audit/verify.html",
        {
            "unit": unit,
            "runs": [_run_summary(item.event, item.actor) for item in shown],
            "checkpoints": Checkpoint.objects.all()[:10],
        },
    )
