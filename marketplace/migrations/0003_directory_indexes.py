"""Indexes for the public directory's default orders (measured in bench/RESULTS.md).

PostgreSQL cannot use (status, -rating_score) for "highest first, unrated last", so it sorted every verified row
for each page; a partial index with NULLS LAST serves it directly. SQLite puts NULLs first in ascending order and
rejects NULLS LAST in an index, and at this size plans fine without it, so that index is PostgreSQL-only.
"""

from django.db import migrations, models

RATING_INDEX = (
    "CREATE INDEX IF NOT EXISTS org_verified_rating_nl_idx ON marketplace_organisation "
    "(rating_score DESC NULLS LAST, name, id) WHERE status = 'verified'"
)


def create_rating_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RATING_INDEX)


def drop_rating_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS org_verified_rating_nl_idx")


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0002_organisation_certificate")]

    operations = [
        migrations.AddIndex(
            model_name="organisation",
            index=models.Index(
                fields=["name", "id"], condition=models.Q(status="verified"), name="org_verified_name_idx"
            ),
        ),
        migrations.RunPython(create_rating_index, drop_rating_index),
    ]
