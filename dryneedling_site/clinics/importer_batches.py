"""Large imports in bounded memory: compare a batch at a time, spool the writes, write them all at once.

`import_clinics` and `import_nppes` used to hold every row of the file, every stored clinic it
was compared with and every planned write at the same time: a national NPPES import peaked near
930 MB, enough to have it killed on a 1 GB server. Here the source yields its clinics BATCH at a
time; each batch is compared with the stored clinics (plan_import: reads only, so the site keeps
answering), and what it would write is pickled to a temporary file. Only when every row of the
file has been read and checked (a refused row or a registry file that would retire too many
clinics writes nothing) are the spooled batches written, in ONE transaction: all or nothing, as
before, with a handful of statements per batch. Memory then grows with the batch, plus a few
small values per clinic (its slug or key, to find repeats and the clinics the file no longer
lists), never with the rows themselves.

The admin's CSV upload (at most 5 MB) keeps the one-plan path of importer.apply_import, whose
plan it shows before anything is written.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from dryneedling_site.core import pagecache

from . import importer_plan
from . import importer_sql as sql
from .importer_plan import (
    EditedDuringImport,
    ImportFailed,
    ImportPlan,
    ImportReport,
    PlannedClinic,
    Problem,
    _chunks,
)
from .importer_write import (
    REFRESH_STATISTICS_AT,
    _plan_changed,
    _plan_new,
    _refresh_statistics,
    _Writes,
    write_rows,
)
from .models import Clinic, Language, clinic_slug_text, free_slug

BATCH = 2000  # clinics compared and spooled at a time


@dataclass
class _Batch:
    """One batch's writes, as spooled: everything the transaction needs, nothing it does not."""

    writes: _Writes
    created_languages: list[tuple[str, list[str]]]  # (slug, language names) of new clinics
    relinked_languages: list[tuple[int, list[str]]]  # (clinic id, language names) to relink
    expected: dict[int, tuple[str, list[str]]]  # changed clinic id -> (slug, staff-edited fields)


class _Spool:
    """Pickled batches in an anonymous temporary file (gone when closed, even after a crash)."""

    def __init__(self) -> None:
        # Closed by close(), in run_batches' finally: it outlives any one block.
        self.file = tempfile.TemporaryFile(prefix="clinic-import-")  # noqa: SIM115
        self.count = 0

    def add(self, batch: _Batch) -> None:
        pickle.dump(batch, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[_Batch]:
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)  # noqa: S301 (our own file, written above)

    def close(self) -> None:
        self.file.close()


@dataclass
class BatchedImport:
    """What a batched import did (or, in a dry run, would do)."""

    report: ImportReport = field(default_factory=ImportReport)
    kept: int = 0  # clinics with staff-edited fields the file would change
    clinics: int = 0  # clinics the source listed
    retire: ImportPlan = field(default_factory=ImportPlan)  # retired, managed, by state (registry)


# What decides, after every batch has been compared, whether to go ahead (may raise).
Gate = Callable[[BatchedImport], None]


def run_batches(
    batches: Iterable[list[PlannedClinic]],
    *,
    key_field: str = "slug",
    problems: list[Problem] | None = None,
    dry_run: bool = False,
    overwrite_staff_edits: bool = False,
    registry: bool = False,
    states: set[str] | None = None,
    gate: Gate | None = None,
) -> BatchedImport:
    """Compare each batch with the stored clinics, spool its writes, then write every batch in
    one transaction. `problems` (filled while the batches are read) stops it before any write:
    ImportFailed. With `registry`, clinics the source no longer lists (within `states`) are
    retired, and a newer file date alone is not a change. `gate` may refuse (raise) once all is
    compared; in a dry run nothing is written either way."""
    problems = problems if problems is not None else []
    result = BatchedImport()
    spool = _Spool()
    keys: set[str] = set()
    taken: set[str] | None = None  # every stored slug, read once if a clinic needs a new one
    language_names: dict[str, str] = {}
    try:
        for batch in batches:
            if problems:
                continue  # keep reading to report every refused row, but compare no more
            fresh = [c for c in batch if c.key not in keys]  # a repeat in the source: first wins
            keys.update(c.key for c in fresh)
            result.clinics += len(fresh)
            plan = importer_plan.plan_import(fresh, key_field=key_field)  # (tests replace it there)
            if registry:
                _date_only_is_unchanged(plan)
            result.kept += sum(bool(c.kept) for c in plan.changed)
            if dry_run:
                result.report.created += [c.slug for c in plan.created]
                result.report.updated += [c.slug for c in plan.changed]
                result.report.unchanged += [c.slug for c in plan.unchanged]
                result.report.kept_staff_edits = result.kept
                continue
            if any(not c.slug for c in plan.created) and taken is None:
                taken = set(Clinic.objects.values_list("slug", flat=True))
            taken = _assign_slugs(plan.created, taken)
            spool.add(_spooled(plan, result.report, overwrite_staff_edits, language_names))
        if problems:
            raise ImportFailed(problems)
        if registry:
            _retired(result.retire, keys, states)
        keys.clear()
        if gate:
            gate(result)
        if dry_run:
            return result
        with transaction.atomic(), connection.cursor() as cursor:
            language_ids = _languages(cursor, language_names)
            now = timezone.now()
            moved: list[str] = []
            written = 0
            for spooled in spool:
                moved += _moved_since_compared(spooled.expected)
                written += _write_batch(cursor, spooled, language_ids, now)
            if moved:
                raise EditedDuringImport(moved)  # rolls every batch back
            if result.retire.retired:
                # Hidden from search, never deleted: staff edits and history stay, and a clinic
                # that comes back to the registry is listed again.
                rows = [(timezone.localdate(), now, pk) for pk in result.retire.retired]
                sql.update(cursor, Clinic, ["retired_on", "updated_at"], rows)
            pagecache.bump_after_commit("clinics")  # one bump for the whole import
        if written >= REFRESH_STATISTICS_AT:
            _refresh_statistics()
        result.report.retired = len(result.retire.retired)
        return result
    finally:
        spool.close()


def _date_only_is_unchanged(plan: ImportPlan) -> None:
    """A newer file date alone is not a change worth rewriting every row for."""
    date_only = [c for c in plan.changed if set(c.changes) == {"source_date"} and not c.therapists_changed]
    if date_only:
        moved = set(map(id, date_only))
        plan.changed = [c for c in plan.changed if id(c) not in moved]
        plan.unchanged.extend(date_only)


def _assign_slugs(created: list[PlannedClinic], taken: set[str] | None) -> set[str] | None:
    """Slugs for new clinics that have none (registry rows) that no clinic, stored or new, has."""
    if taken is None:
        return None
    for clinic in created:
        if clinic.slug:
            taken.add(clinic.slug)
    for clinic in created:
        if not clinic.slug:
            values = clinic.values
            base = slugify(clinic_slug_text(values["name"], values["city"], values["state"]))[:150]
            clinic.slug = free_slug(base or "clinic", taken)
            taken.add(clinic.slug)
    return taken


def _spooled(
    plan: ImportPlan, report: ImportReport, overwrite: bool, language_names: dict[str, str]
) -> _Batch:
    """The batch's writes, worked out as apply_import works them out for a whole plan."""
    report.unchanged += [c.slug for c in plan.unchanged]
    writes = _Writes()
    now = timezone.now()  # replaced by the time of the write (see _write_batch)
    for clinic in plan.changed:
        _plan_changed(clinic, plan, writes, report, overwrite=overwrite, now=now)
    _plan_new(plan, writes, report, now)
    relinked = set(writes.relinked)
    batch = _Batch(
        writes,
        [(c.slug, c.languages or []) for c in plan.created],
        [(c.stored_id, c.languages or []) for c in plan.changed if c.stored_id in relinked],
        {c.stored_id: (c.slug, sorted(plan.staff_edited.get(c.stored_id, []))) for c in plan.changed},
    )
    for _, names in (*batch.created_languages, *batch.relinked_languages):
        for name in names:
            language_names.setdefault(name.lower(), name)
    return batch


def _retired(retire: ImportPlan, keys: set[str], states: set[str] | None) -> None:
    """The listed registry clinics (within `states`) whose key the source no longer has."""
    stored = Clinic.objects.listed().filter(source_key__isnull=False)
    if states:
        stored = stored.filter(state__in=states)
    for pk, key, state in stored.values_list("pk", "source_key", "state").iterator(chunk_size=5000):
        retire.managed += 1
        if key not in keys:
            retire.retired.append(pk)
            retire.retired_by_state[state] = retire.retired_by_state.get(state, 0) + 1


def _languages(cursor, names: dict[str, str]) -> dict[str, int]:
    """Language ids by lower-case name, creating the languages no clinic had yet."""
    ids = {name.lower(): pk for pk, name in Language.objects.values_list("pk", "name")}
    slugs = set(Language.objects.values_list("slug", flat=True))
    new = []
    for lower, name in names.items():
        if lower not in ids:
            slug = free_slug(slugify(name) or "language", slugs)
            slugs.add(slug)
            new.append((name, slug))
    if new:
        sql.insert(cursor, Language, ["name", "slug"], new)
        ids = {name.lower(): pk for pk, name in Language.objects.values_list("pk", "name")}
    return ids


def _moved_since_compared(expected: dict[int, tuple[str, list[str]]]) -> list[str]:
    """Slugs of clinics edited (or deleted) in the admin since the batch was compared; their
    rows are locked (FOR UPDATE on PostgreSQL; SQLite's write lock holds the whole database)."""
    moved = []
    for chunk in _chunks(list(expected)):
        rows = Clinic.objects.select_for_update().filter(pk__in=chunk)
        found = {pk: sorted(edited or ()) for pk, edited in rows.values_list("pk", "staff_edited_fields")}
        moved += [expected[pk][0] for pk in chunk if found.get(pk) != expected[pk][1]]
    return moved


def _write_batch(cursor, batch: _Batch, language_ids: dict[str, int], now) -> int:
    """One batch's statements (one executemany a table and kind); the clinics it wrote."""
    writes = batch.writes
    for values in writes.new_clinics:
        values["updated_at"] = now
    updates = {
        names: [(*row[:-2], now, row[-1]) for row in rows] for names, rows in writes.clinic_updates.items()
    }
    write_rows(
        cursor,
        writes,
        updates,
        language_ids,
        lambda new_ids: [
            *((new_ids[slug], names) for slug, names in batch.created_languages),
            *batch.relinked_languages,
        ],
    )
    return len(writes.new_clinics) + sum(len(rows) for rows in writes.clinic_updates.values())
