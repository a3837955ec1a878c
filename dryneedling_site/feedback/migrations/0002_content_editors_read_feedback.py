"""Content editors read feedback and mark comments reviewed: it is how they improve articles."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_feedback", "change_feedback"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Content editors")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="feedback", codename__in=PERMISSIONS)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Content editors"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="feedback", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("articles", "0003_content_editors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
