import audit.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from audit import triggers


def install_triggers(apps, schema_editor):
    # triggers.install checks the vendor: SQLite and PostgreSQL have their own SQL, and any
    # other database stops the migration rather than run without the guard.
    triggers.install(schema_editor.connection)


def remove_triggers(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('org', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Checkpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField(verbose_name='sequence number')),
                ('head_mac', models.CharField(max_length=64, verbose_name='HMAC of the head event')),
                ('made_at', models.CharField(max_length=27, verbose_name='made at (UTC)')),
                ('sign_key_version', models.PositiveIntegerField(verbose_name='signing key version')),
                ('public_key', models.CharField(max_length=64, verbose_name='public key')),
                ('signature', models.CharField(max_length=128, verbose_name='signature')),
                ('file_name', models.CharField(max_length=200, verbose_name='exported file')),
            ],
            options={
                'verbose_name': 'audit checkpoint',
                'verbose_name_plural': 'audit checkpoints',
                'ordering': ['-seq', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ChainHead',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ('seq', models.BigIntegerField(default=0)),
                ('mac', models.CharField(default='0000000000000000000000000000000000000000000000000000000000000000', max_length=64)),
            ],
            options={
                'verbose_name': 'audit chain head',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='audit_one_head')],
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('seq', audit.models.SequenceField(primary_key=True, serialize=False, verbose_name='sequence number')),
                ('occurred_at', models.CharField(db_index=True, max_length=27, verbose_name='time (UTC)')),
                ('actor_kind', models.CharField(choices=[('staff', 'Staff'), ('system', 'System'), ('anonymous', 'Anonymous reporter')], max_length=16, verbose_name='actor kind')),
                ('actor_label', models.CharField(blank=True, max_length=150, verbose_name='actor')),
                ('action', models.CharField(db_index=True, max_length=100, verbose_name='action')),
                ('object_type', models.CharField(blank=True, max_length=100, verbose_name='object type')),
                ('object_id', models.CharField(blank=True, max_length=64, verbose_name='object id')),
                ('details', models.TextField(default='{}', verbose_name='details')),
                ('key_version', models.PositiveIntegerField(verbose_name='audit key version')),
                ('prev_hash', models.CharField(max_length=64, verbose_name='previous hash')),
                ('mac', models.CharField(max_length=64, verbose_name='HMAC')),
                ('actor_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='staff member')),
                ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'audit event',
                'verbose_name_plural': 'audit events',
                'ordering': ['-seq'],
                'indexes': [models.Index(fields=['object_type', 'object_id'], name='audit_event_object')],
            },
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
