"""The bulk writer: one statement a table and kind of change, run for every row (executemany).

Column names always come from the model's metadata (quoted), values are always parameters.
`insert_fields(model)` is every column a new row needs, straight from the model, so a field
added to a model is written by the import without anyone keeping a column list here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models


def insert_fields(model: type[models.Model]) -> list[models.Field]:
    """Every field an INSERT of a new row writes: the concrete ones but the key and generated."""
    return [
        f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)
    ]


def insert_new(cursor, model: type[models.Model], rows: list[dict]) -> None:
    """INSERT new rows given as field name -> value: every field `insert_fields` lists is
    written, the ones a row leaves out with the model's default."""
    fields = insert_fields(model)
    defaults = {f.name: f.get_default() for f in fields}
    names = list(defaults)
    insert(cursor, model, names, [tuple({**defaults, **row}[name] for name in names) for row in rows])


def _columns(model: type[models.Model], names: list[str]) -> tuple[str, list[models.Field]]:
    fields = []
    for name in names:
        found = model._meta.get_field(name)
        assert isinstance(found, models.Field), f"{name} is not a column of {model.__name__}"
        fields.append(found)
    return ", ".join(connection.ops.quote_name(f.column) for f in fields), fields


def _prepared(fields: list[models.Field], rows: Iterable[tuple]) -> list[tuple]:
    """Values as the database takes them (JSON and dates need the backend's form)."""
    special = [
        i
        for i, f in enumerate(fields)
        if isinstance(f, (models.JSONField, models.DateField, models.DateTimeField))
    ]
    if not special:
        return [tuple(row) for row in rows]
    prepared = []
    for row in rows:
        values = list(row)
        for i in special:
            values[i] = fields[i].get_db_prep_save(values[i], connection)
        prepared.append(tuple(values))
    return prepared


def insert(cursor, model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """One INSERT statement run for every row (executemany): a fixed statement count."""
    if not rows:
        return
    columns, fields = _columns(model, names)
    marks = ", ".join(["%s"] * len(names))
    table = connection.ops.quote_name(model._meta.db_table)
    # Names come from the model's metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
    cursor.executemany(sql, _prepared(fields, rows))


def update(cursor, model: type[models.Model], names: list[str], rows: list[tuple]) -> None:
    """UPDATE ... WHERE id = %s for every row; each row is (values in `names` order..., id)."""
    if not rows:
        return
    _, fields = _columns(model, names)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    prepared = _prepared([*fields, model._meta.pk], rows)
    pk = connection.ops.quote_name(model._meta.pk.column)
    cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", prepared)  # noqa: S608


def delete(cursor, model: type[models.Model], column: str, values: list) -> None:
    """DELETE rows by one column, without loading them or sending a signal per row."""
    if not values:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"DELETE FROM {table} WHERE {connection.ops.quote_name(column)} = %s"  # noqa: S608
    cursor.executemany(sql, [(v,) for v in values])
