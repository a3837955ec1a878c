"""Only the "Feedback readers" group reads reader comments (issue 22): they can hold health
details a reader should not have written, so not every editor sees them. Content editors keep
the counts on each article's page; an administrator adds the editors who act on comments to
the new group."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ["view_feedback", "change_feedback"]
READERS = "Feedback readers"


def _permissions(apps):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="feedback", codename__in=PERMISSIONS)


def forward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    readers, _ = Group.objects.get_or_create(name=READERS)
    readers.permissions.add(*permissions)
    for editors in Group.objects.filter(name="Content editors"):
        editors.permissions.remove(*permissions)


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    permissions = list(_permissions(apps))
    for editors in Group.objects.filter(name="Content editors"):
        editors.permissions.add(*permissions)
    Group.objects.filter(name=READERS).delete()


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_clear_unreadable_article_versions")]

    operations = [migrations.RunPython(forward, backward)]
