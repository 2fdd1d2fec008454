# Escalation moves from routing to lifecycle (issue 16) and keeps routing's table and rows:
# this creates the model in lifecycle's state only, routing 0007 forgets it in routing's.
# Its content type (and so its permissions) moves with it.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def content_type_to(app_label, other):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if ContentType.objects.filter(app_label=app_label, model="escalation").exists():
            return  # post_migrate made one already; the other stays stale, as Django leaves it
        ContentType.objects.filter(app_label=other, model="escalation").update(
            app_label=app_label)
    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('intake', '0004_retention'),
        ('org', '0004_unit_place'),
        ('routing', '0006_retention'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Escalation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('clock', models.CharField(choices=[('refer', 'Referral deadline'), ('agency_acknowledge', "Agency's acknowledgement"), ('acknowledge', 'Acknowledgement to the reporter'), ('resolve', 'Resolution deadline')], max_length=24, verbose_name='clock')),
                        ('step', models.PositiveSmallIntegerField(verbose_name='step')),
                        ('due', models.DateField(verbose_name='was due')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('complaint', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='intake.complaint')),
                        ('referral', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='escalations', to='routing.referral')),
                        ('to_unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='escalated to')),
                    ],
                    options={
                        'verbose_name': 'escalation',
                        'verbose_name_plural': 'escalations',
                        'db_table': 'routing_escalation',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [
                            models.UniqueConstraint(condition=models.Q(('referral__isnull', True)), fields=('clock', 'complaint', 'step', 'due'), name='one_escalation_per_clock_step'),
                            models.UniqueConstraint(condition=models.Q(('referral__isnull', False)), fields=('clock', 'referral', 'step', 'due'), name='one_escalation_per_referral_clock_step'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to("lifecycle", "routing"),
                             content_type_to("routing", "lifecycle"), elidable=True),
    ]
