"""Host -> tenant, cached in each process so a request costs no database round trip.

Each process keeps a dict of host -> tenant. A change to a Municipality or Domain clears the
local dict at once and bumps a generation number in the shared cache; other processes look at
that number at most once per ``CHECK_INTERVAL`` seconds and clear their dict when it moved. So a
change reaches every process within that interval, and the hot path stays a dict look-up.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from django.core.cache import caches

if TYPE_CHECKING:
    from tenants.models import Municipality

logger = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0
MAX_ENTRIES = 20_000  # every tenant's hosts fit; a flood of junk hosts does not grow it unbounded
# Control-plane key: lives in the "platform" cache, whose keys do not depend on the active schema.
_GENERATION_KEY = "tenant-routing-generation"

_lock = threading.Lock()
_entries: dict[str, Municipality | None] = {}


class _State:
    generation: object = None
    checked_at: float = 0.0


_state = _State()


def _shared_generation() -> object:
    try:
        return caches["platform"].get(_GENERATION_KEY)
    except Exception:  # the cache being down must not take routing down with it
        logger.warning("routing cache: shared generation unavailable", exc_info=True)
        return None


def _refresh_if_stale(now: float) -> None:
    if now - _state.checked_at < CHECK_INTERVAL:
        return
    generation = _shared_generation()
    with _lock:
        if generation != _state.generation:
            _entries.clear()
            _state.generation = generation
        _state.checked_at = now


def lookup(host: str) -> tuple[bool, Municipality | None]:
    """(found, tenant). ``found`` is False when the host is not cached yet."""
    _refresh_if_stale(time.monotonic())
    try:
        return True, _entries[host]
    except KeyError:
        return False, None


def remember(host: str, tenant: Municipality | None) -> None:
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[host] = tenant


def forget_local() -> None:
    """Forget this process's cached hosts (without telling the others)."""
    with _lock:
        _entries.clear()


def invalidate() -> None:
    """Forget every cached host here, and tell the other processes to do the same."""
    with _lock:
        _entries.clear()
        _state.checked_at = 0.0
    try:
        platform_cache = caches["platform"]
        try:
            platform_cache.incr(_GENERATION_KEY)
        except ValueError:
            platform_cache.set(_GENERATION_KEY, 1, timeout=None)
    except Exception:
        logger.warning("routing cache: could not publish invalidation", exc_info=True)
