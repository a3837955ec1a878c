"""Forget article versions outside 2000..2100 stored before the vote form checked the range.

Such a value (e.g. year 10000 in UTC, from "9999-12-31T23:59:59-14:00") cannot be read back
into Python, so it broke every admin screen that showed the row. The filter runs in SQL, so
the rows are cleared without ever being read.
"""

import datetime as dt

from django.db import migrations

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


def clear_unreadable_versions(apps, schema_editor):
    Feedback = apps.get_model("feedback", "Feedback")
    outside = Feedback.objects.filter(article_version__lt=EARLIEST) | Feedback.objects.filter(
        article_version__gt=LATEST
    )
    outside.update(article_version=None)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_content_editors_read_feedback"),
    ]

    operations = [
        migrations.RunPython(clear_unreadable_versions, migrations.RunPython.noop),
    ]
