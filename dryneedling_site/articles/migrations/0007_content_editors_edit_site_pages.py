"""Content editors may edit About and Privacy too (not create or delete them: each has a URL)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Content editors"
PERMISSIONS = ["change_sitepage", "view_sitepage", "view_historicalsitepage"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label="articles", codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=GROUP):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="articles", codename__in=PERMISSIONS)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_site_pages_about_privacy"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
