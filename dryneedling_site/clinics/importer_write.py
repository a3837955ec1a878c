"""Write a checked import plan: new slugs, clinics, therapists and languages in one transaction.

importer_plan decides what changes; this module writes it with a fixed number of statements
(importer_sql, one executemany a table), so the write lock is held for about a second even at
hundreds of thousands of rows, and bumps the page cache once, after the commit. Bulk writes
send no model signals, so no cache write happens per row. importer_batches writes a national
file batch by batch through the same steps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from dryneedling_site.core import pagecache

from . import importer_sql as sql
from .importer_plan import (
    EditedDuringImport,
    ImportFailed,
    ImportPlan,
    ImportReport,
    PlannedClinic,
    Progress,
    TherapistRow,
    _chunks,
)
from .models import Clinic, Language, Therapist, clinic_slug_text, free_slug

REFRESH_STATISTICS_AT = 10_000  # rows written; below that autovacuum keeps up soon enough
logger = logging.getLogger(__name__)


def _new_slugs(plan: ImportPlan) -> None:
    """Give clinics that have no slug yet (NPI registry rows) one no stored clinic has."""
    wanted = [c for c in plan.created if not c.slug]
    if not wanted:
        return
    bases = {
        c.key: slugify(clinic_slug_text(c.values["name"], c.values["city"], c.values["state"]))[:150]
        or "clinic"
        for c in wanted
    }
    # Every stored slug in one query: predictable at any size, unlike a LIKE per name.
    taken = set(Clinic.objects.values_list("slug", flat=True))
    taken.update(c.slug for c in plan.created if c.slug)
    for clinic in wanted:
        clinic.slug = free_slug(bases[clinic.key], taken)
        taken.add(clinic.slug)


def _language_ids(plan: ImportPlan) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Language ids by lower-case name, and the languages to create as (name, slug)."""
    ids = {name.lower(): pk for pk, name in Language.objects.values_list("pk", "name")}
    slugs = set(Language.objects.values_list("slug", flat=True))
    new: dict[str, tuple[str, str]] = {}
    for clinic in (*plan.created, *plan.changed):
        for name in clinic.languages or ():
            if name.lower() not in ids and name.lower() not in new:
                slug = free_slug(slugify(name) or "language", slugs)
                slugs.add(slug)
                new[name.lower()] = (name, slug)
    return ids, list(new.values())


@dataclass
class _Writes:
    """Every row each statement will write, worked out before the transaction begins."""

    new_clinics: list[dict] = field(default_factory=list)  # field name -> value
    clinic_updates: dict[tuple[str, ...], list[tuple]] = field(default_factory=dict)  # by fields
    relinked: list[int] = field(default_factory=list)  # clinics whose languages are replaced
    therapist_deletes: list[int] = field(default_factory=list)
    therapist_updates: list[tuple] = field(default_factory=list)  # (name, credentials, npi, id)
    therapist_inserts: list[dict] = field(default_factory=list)  # for clinics already stored
    new_clinic_people: list[tuple[str, TherapistRow]] = field(default_factory=list)  # (slug, person)


def _plan_new(plan: ImportPlan, writes: _Writes, report: ImportReport, now) -> None:
    """New clinics' rows (every model field: the file's values, the rest their defaults)."""
    for clinic in plan.created:
        values = {**clinic.values, "slug": clinic.slug, "updated_at": now}
        if clinic.key != clinic.slug:  # the NPI registry's key; CSV clinics are known by slug
            values["source_key"] = clinic.key
        writes.new_clinics.append(values)
        writes.new_clinic_people += [(clinic.slug, person) for person in clinic.therapists or ()]
        report.created.append(clinic.slug)


def _plan_changed(
    clinic: PlannedClinic, plan: ImportPlan, writes: _Writes, report: ImportReport, *, overwrite: bool, now
) -> None:
    """One stored clinic's update, grouped by the fields that change (one statement a group)."""
    skip = set() if overwrite else set(clinic.kept)
    report.kept_staff_edits += bool(skip)
    names = tuple(sorted(n for n in clinic.changes if n not in skip and n != "languages"))
    if overwrite and plan.staff_edited.get(clinic.stored_id):
        names = tuple(sorted({*names, "staff_edited_fields"}))
    relink = "languages" in clinic.changes and "languages" not in skip
    if not (names or clinic.therapists_changed or relink):  # only kept staff edits differ
        report.unchanged.append(clinic.slug)
        return
    values = {**clinic.values, "staff_edited_fields": []}
    writes.clinic_updates.setdefault((*names, "updated_at"), []).append(
        (*(values[n] for n in names), now, clinic.stored_id)
    )
    report.updated.append(clinic.slug)
    if relink:
        writes.relinked.append(clinic.stored_id)
    if clinic.therapists_changed:
        _plan_people(clinic, plan, writes)


def _plan_people(clinic: PlannedClinic, plan: ImportPlan, writes: _Writes) -> None:
    """A stored clinic's therapists: who leaves, whose credentials change, who joins."""
    current = plan.current_therapists.get(clinic.stored_id, {})
    wanted = {t.name.lower(): t for t in clinic.therapists or ()}
    writes.therapist_deletes += [
        tid
        for key, (tid, _, npi) in current.items()
        if key not in wanted and (npi or not clinic.keeps_people_without_npi)
    ]
    for key, person in wanted.items():
        if key not in current:
            writes.therapist_inserts.append(_person(clinic.stored_id, person))
            continue
        tid, credentials, npi = current[key]
        if (credentials, npi) != (person.credentials, person.npi or npi):
            writes.therapist_updates.append((person.name, person.credentials, person.npi or npi, tid))


def _person(clinic_id: int, person: TherapistRow) -> dict:
    return {"clinic": clinic_id, "name": person.name, "credentials": person.credentials, "npi": person.npi}


def write_rows(
    cursor,
    writes: _Writes,
    clinic_updates: dict,
    language_ids: dict[str, int],
    links_for: Callable[[dict[str, int]], Iterable[tuple[int, list[str]]]],
) -> None:
    """The statements a whole plan and a batch share: new clinics, changed ones, their language
    links and therapists. `links_for(new_ids)` lists (clinic id, language names) to link afresh,
    given the new clinics' ids by slug."""
    new_ids: dict[str, int] = {}
    if writes.new_clinics:
        before = Clinic.objects.aggregate(last=models.Max("pk"))["last"] or 0
        sql.insert_new(cursor, Clinic, writes.new_clinics)
        new_ids = dict(Clinic.objects.filter(pk__gt=before).values_list("slug", "pk"))
    for names, rows in clinic_updates.items():
        sql.update(cursor, Clinic, list(names), rows)
    through = Clinic.languages.through
    sql.delete(cursor, through, "clinic_id", writes.relinked)
    links = [
        (clinic_id, language_ids[name.lower()])
        for clinic_id, names in links_for(new_ids)
        for name in dict.fromkeys(names)
    ]
    sql.insert(cursor, through, ["clinic", "language"], links)
    sql.delete(cursor, Therapist, "id", writes.therapist_deletes)
    people = [_person(new_ids[slug], person) for slug, person in writes.new_clinic_people]
    sql.insert_new(cursor, Therapist, [*writes.therapist_inserts, *people])
    sql.update(cursor, Therapist, ["name", "credentials", "npi"], writes.therapist_updates)


def _write(cursor, plan: ImportPlan, writes: _Writes, now) -> None:
    """Run every statement, inside apply_import's transaction, after the edited-since check."""
    language_ids, new_languages = _language_ids(plan)
    sql.insert(cursor, Language, ["name", "slug"], new_languages)
    if new_languages:
        language_ids = {name.lower(): pk for pk, name in Language.objects.values_list("pk", "name")}
    relinked = set(writes.relinked)
    write_rows(
        cursor,
        writes,
        writes.clinic_updates,
        language_ids,
        lambda new_ids: [
            *((new_ids[c.slug], c.languages or []) for c in plan.created),
            *((c.clinic_id, c.languages or []) for c in plan.changed if c.clinic_id in relinked),
        ],
    )
    if plan.retired:
        # Hidden from search, never deleted: staff edits and history stay, and a clinic
        # that comes back to the registry is listed again.
        retired_on = timezone.localdate()
        rows = [(retired_on, now, pk) for pk in plan.retired]
        sql.update(cursor, Clinic, ["retired_on", "updated_at"], rows)


def apply_import(
    plan: ImportPlan, *, overwrite_staff_edits: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Write a plan in one transaction (all or nothing) with a fixed number of statements.

    Everything is worked out before the transaction begins; inside it, each table gets at most
    one executemany per kind of change, so the write lock lasts a second or so at 100,000s
    of rows. Raises ImportFailed, writing nothing, if the plan refused any row.
    """
    if plan.refused:
        raise ImportFailed(plan.refused)
    report = ImportReport(unchanged=[c.slug for c in plan.unchanged])
    _new_slugs(plan)
    now = timezone.now()
    writes = _Writes()
    for clinic in plan.changed:
        _plan_changed(clinic, plan, writes, report, overwrite=overwrite_staff_edits, now=now)
    _plan_new(plan, writes, report, now)
    with transaction.atomic(), connection.cursor() as cursor:
        _check_not_edited_since_planned(plan)
        _write(cursor, plan, writes, now)
        pagecache.bump_after_commit("clinics")  # one bump for the whole import
    if len(writes.new_clinics) + len(plan.changed) >= REFRESH_STATISTICS_AT:
        _refresh_statistics()
    report.retired = len(plan.retired)
    if progress:
        progress("saved", report.total, report.total)
    return report


def _check_not_edited_since_planned(plan: ImportPlan) -> None:
    """Raise EditedDuringImport if a clinic the plan updates was edited or deleted
    in the admin after plan_import read it (a large file takes minutes to compare).

    Runs inside apply_import's transaction, under its write lock: SQLite's IMMEDIATE
    transaction holds the database, and on PostgreSQL the rows are locked (FOR UPDATE) so an
    admin save waits for the commit instead of being overwritten by it.
    """
    expected = {c.stored_id: (c.slug, sorted(plan.staff_edited.get(c.stored_id, []))) for c in plan.changed}
    moved = []
    # Retiring only hides a clinic, keeping every edit, so retired ones need no check.
    for chunk in _chunks(list(expected)):
        rows = Clinic.objects.select_for_update().filter(pk__in=chunk)
        found = {
            pk: (slug, sorted(edited or ()))
            for pk, slug, edited in rows.values_list("pk", "slug", "staff_edited_fields")
        }
        for pk in chunk:
            stored = found.get(pk)
            if stored is None or stored[1] != expected[pk][1]:
                moved.append(expected[pk][0])
    if moved:
        raise EditedDuringImport(moved)


def _refresh_statistics() -> None:
    """After a large import, let PostgreSQL plan searches (and the page's therapist and language
    queries) with fresh statistics, and answer them from the location index alone (VACUUM
    marks the new rows all-visible), instead of waiting for autovacuum. Optional: a failure is
    logged, never raised (the import has committed)."""
    if connection.vendor != "postgresql":
        return
    tables: list[type[models.Model]] = [Clinic, Clinic.languages.through, Therapist, Language]
    names = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in tables)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {names}")
    except DatabaseError:
        logger.warning("VACUUM ANALYZE after the import failed; autovacuum will catch up", exc_info=True)
