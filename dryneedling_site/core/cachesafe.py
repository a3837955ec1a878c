"""Cache calls that degrade instead of failing: a circuit breaker in front of each cache alias.

The cache (Redis in production) is an accelerator, never a dependency. Every call through
`guarded(alias)` either answers from the cache or, when the cache raises or times out, from a
per-process memory fallback. After one failure the breaker opens: for COOLDOWN seconds no
call goes to the cache at all, so a dead or hung Redis costs one short timeout per process,
not one per call. After the cooldown one call tries the cache again; success closes the
breaker. Each change of state is logged once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)
T = TypeVar("T")
COOLDOWN_SECONDS = 5.0


class GuardedCache:
    """One cache alias behind a circuit breaker, with a per-process memory stand-in.

    Only the few operations the site uses are offered. While the breaker is open, reads and
    writes go to the stand-in when `memory=True`, or are skipped (pages: render uncached).
    Even looking the alias up happens inside the breaker, so a missing alias degrades too.
    """

    def __init__(self, alias: str, cooldown: float = COOLDOWN_SECONDS) -> None:
        self.alias = alias
        self.cooldown = cooldown
        self.memory = LocMemCache(f"guarded-fallback-{alias}", {"OPTIONS": {"MAX_ENTRIES": 5000}})
        self._lock = threading.Lock()
        self._opened_at: float | None = None

    def _backend(self) -> Any:
        return caches[self.alias]

    @property
    def is_open(self) -> bool:
        """True while calls skip the cache (a failure happened less than `cooldown` ago)."""
        return self._opened_at is not None

    def _may_try(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if time.monotonic() - self._opened_at >= self.cooldown:
                # Half-open: this call probes; others keep skipping until it answers.
                self._opened_at = time.monotonic()
                return True
            return False

    def _failed(self, error: Exception) -> None:
        with self._lock:
            was_closed = self._opened_at is None
            self._opened_at = time.monotonic()
        if was_closed:
            logger.warning(
                "Cache %r unavailable (%s: %s); serving without it for now.",
                self.alias,
                type(error).__name__,
                error,
            )

    def _succeeded(self) -> None:
        if self._opened_at is None:
            return
        with self._lock:
            was_open, self._opened_at = self._opened_at is not None, None
        if was_open:
            logger.warning("Cache %r is back; using it again.", self.alias)
            for callback in _recovery_callbacks.get(self.alias, []):
                callback()

    def call(self, operation: Callable[..., T], *args: Any, fallback: Callable[..., T] | None) -> T | None:
        """Run `operation(*args)` against the cache, or `fallback(*args)` when it is down."""
        if self._may_try():
            try:
                result = operation(*args)
            except Exception as error:  # noqa: BLE001 (any cache failure must degrade)
                self._failed(error)
            else:
                self._succeeded()
                return result
        return fallback(*args) if fallback is not None else None

    # The operations the site uses. `memory=True` falls back to per-process memory.
    def get(self, key: str, default: Any = None, *, memory: bool = True) -> Any:
        result = self.call(
            lambda: self._backend().get(key, default),
            fallback=(lambda: self.memory.get(key, default)) if memory else None,
        )
        return default if result is None else result

    def get_many(self, keys: list[str], *, memory: bool = True) -> dict[str, Any]:
        result = self.call(
            lambda: self._backend().get_many(keys),
            fallback=(lambda: self.memory.get_many(keys)) if memory else None,
        )
        return result or {}

    def set(self, key: str, value: Any, timeout: float | None, *, memory: bool = True) -> bool:
        """True when the cache itself stored the value (False: refused, down, or skipped)."""
        if memory:
            # Kept locally too, so a later outage falls back to the latest value this process saw.
            self.memory.set(key, value, timeout)

        def store() -> bool:
            self._backend().set(key, value, timeout)
            return True

        return bool(self.call(store, fallback=None))

    def delete_now(self, key: str) -> bool:
        """Delete `key` even while the breaker is open; True when the cache did it.

        A Redis that is full (`noeviction`) refuses SET but still accepts DEL: after a refused
        version bump, deleting the version makes every other process try to write it again,
        fail, and open its own breaker instead of trusting the old version.
        """
        self.memory.delete(key)
        try:
            self._backend().delete(key)
        except Exception as error:  # noqa: BLE001 (any cache failure must degrade)
            logger.error("Cache %r refused deleting %r too (%s): pages may be stale.", self.alias, key, error)
            return False
        return True

    def add(self, key: str, value: Any, timeout: float | None) -> bool:
        return bool(
            self.call(
                lambda: self._backend().add(key, value, timeout),
                fallback=lambda: self.memory.add(key, value, timeout),
            )
        )

    def count(self, key: str, window: int) -> int:
        """Add one to a counter that lives `window` seconds; the new count."""

        def in_cache(store: Any) -> int:
            store.add(key, 0, timeout=window)
            try:
                return store.incr(key)
            except ValueError:  # the window ended between add and incr
                store.add(key, 1, timeout=window)
                return 1

        return self.call(lambda: in_cache(self._backend()), fallback=lambda: in_cache(self.memory)) or 0


_guards: dict[str, GuardedCache] = {}
_guards_lock = threading.Lock()
_recovery_callbacks: dict[str, list[Callable[[], None]]] = {}


def on_recovery(alias: str, callback: Callable[[], None]) -> None:
    """Run `callback` each time this alias comes back after an outage (e.g. redo missed bumps)."""
    callbacks = _recovery_callbacks.setdefault(alias, [])
    if callback not in callbacks:
        callbacks.append(callback)


def guarded(alias: str = "default") -> GuardedCache:
    """The process's one breaker for this cache alias."""
    with _guards_lock:
        if alias not in _guards:
            _guards[alias] = GuardedCache(alias)
        return _guards[alias]


def reset() -> None:
    """Forget every breaker and its stand-in memory (tests start from a clean state)."""
    with _guards_lock:
        for guard in _guards.values():
            guard.memory.clear()
        _guards.clear()
