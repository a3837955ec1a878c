"""The "Clinical reviewers" group: may sign off an article's review (and read, not write, the rest)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Clinical reviewers"
PERMISSIONS = [
    ("articles", "review_article"),
    ("articles", "view_article"),
    ("articles", "view_historicalarticle"),
    ("articles", "view_reference"),
    ("articles", "view_review"),
]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure ours exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    # Editors see the sign-offs on the article form.
    editors = Group.objects.filter(name="Content editors").first()
    if editors:
        editors.permissions.add(Permission.objects.get(content_type__app_label="articles", codename="view_review"))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0008_review_signoff_redirects_versioned_references"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
