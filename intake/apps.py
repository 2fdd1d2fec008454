from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from intake.demo import seed_complaints
        from notify.events import register_exclusion
        from org.demo import register_demo
        from org.models import Role
        from org.navigation import register
        from vault.rotation import register_key_usage

        register("intake:queue", _("Complaints"), {Role.OFFICER, Role.HEAD}, order=10)
        register("intake:box_openings", _("Box openings"),
                 {Role.CLERK, Role.OFFICER, Role.HEAD, Role.AUDITOR}, order=20)
        register("intake:phone_calls", _("Phone calls"), {Role.CLERK, Role.OFFICER}, order=30)
        for order, (channel, label) in enumerate([
            # Said as actions, so that "Letter" is not taken for routing's outgoing letters.
            ("walk_in", _("Log a walk-in visit")), ("letter", _("Log a letter received")),
            ("notebook", _("Log a suggestion notebook entry")),
            ("email", _("Log an email received")), ("social", _("Log a social media message")),
        ]):
            register("intake:channel_log", label, {Role.CLERK, Role.OFFICER}, order=40 + order,
                     in_bar=False, channel=channel)

        # A receipt hashed with an old pepper must still open its case: the pepper may go
        # only when no live case's receipt uses it.
        register_key_usage("receipt", _receipts_hashed_with)
        _register_likeness()
        register_demo(seed_complaints, order=20)

        from org import counts

        counts.register("new_complaints", _("new complaints"), {Role.OFFICER, Role.HEAD},
                        _new_complaints, order=10, url_name="intake:queue")

        # Staff recused from a complaint are never told of anything about it: notify asks
        # us who they are, and needs to know nothing of recusals itself.
        register_exclusion(_recused_from_subject)

        from intake.case import actions

        actions.register()  # acknowledge, reply, note… as case panels (intake.panels)

        from intake.case import matter_panel

        matter_panel.register()  # "probably the same matter" (intake.matters)

        from intake import audit_terms

        audit_terms.register()  # the words for intake's audit events (audit.vocabulary)

        from django.db.models.signals import post_migrate

        from intake import tally_check
        from intake.schedules import ensure_schedules

        tally_check.register_terms()  # the nightly check of the reports' counters
        post_migrate.connect(ensure_schedules, sender=self)


def _register_likeness() -> None:
    """The similarity buckets are kept under a sub-key of the blind key: rotating it signs
    them again, and an old version is not removed while buckets still use it."""
    from intake import signing
    from vault.blind import register_blind_material

    def redo(active, batch_size, progress):
        return signing.likeness_catch_up(active=active, batch_size=batch_size,
                                         progress=progress)

    register_blind_material(signing.likeness_behind, redo, signing.likeness_using)


def _receipts_hashed_with(version: int) -> int:
    from intake.models import Complaint

    return Complaint.objects.filter(
        receipt_hash__startswith=f"v{version}:", data_key__shredded_at__isnull=True
    ).count()


def _recused_from_subject(event) -> set[int]:
    """Ids of the users recused from the complaint an event is about (none if it is about
    no complaint)."""
    from intake.models import Recusal

    complaint_id = event.subject.get("complaint")
    if complaint_id is None:
        return set()
    return set(Recusal.objects.filter(complaint_id=complaint_id)
               .values_list("user_id", flat=True))


def _new_complaints(unit, user) -> int:
    from intake.models import Complaint, Status

    return Complaint.objects.for_unit(unit).filter(status=Status.NEW).visible_to(user).count()
