"""Prometheus metrics, in a registry private to each app (so tests can build many apps).

- ``soma_http_request_duration_seconds{method, route, status}``: every request,
  labelled by route template (``/v1/memories/{memory_id}``), never the raw path.
- ``soma_backend_operation_duration_seconds{slot, backend, operation, outcome}``:
  every backend call, timed by :func:`soma_core.instrument.instrument`; embedder
  latency is ``slot="embedder", operation="embed_batch"``.
- ``soma_memories{namespace}``: memories per namespace, counted at scrape time.

With several workers each process keeps its own registry; a scrape sees one.
"""

from __future__ import annotations

import logging

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, Histogram, generate_latest

from soma_core.engine import MemoryEngine

log = logging.getLogger("soma.server")
CONTENT_TYPE = CONTENT_TYPE_LATEST
BACKEND_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The app's collectors and the callbacks that feed them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Histogram(
            "soma_http_request_duration_seconds",
            "HTTP request latency by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.backend = Histogram(
            "soma_backend_operation_duration_seconds",
            "Backend operation latency (kv, vectors, embedder, scorer) by outcome.",
            ["slot", "backend", "operation", "outcome"],
            buckets=BACKEND_BUCKETS,
            registry=self.registry,
        )
        self.memories = Gauge(
            "soma_memories", "Memories per namespace (counted when scraped).", ["namespace"], registry=self.registry
        )

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).observe(seconds)

    def observe_backend(self, slot: str, backend: str, operation: str, seconds: float, ok: bool) -> None:
        """The observer :func:`soma_core.instrument.instrument` calls after each backend operation."""
        self.backend.labels(slot, backend, operation, "ok" if ok else "error").observe(seconds)

    async def refresh_counts(self, engine: MemoryEngine) -> None:
        """Recount memories per namespace; a failing backend leaves the last values (and is logged)."""
        try:
            counts = {ns: await engine.count(namespace=ns) for ns in await engine.namespaces()}
        except Exception as exc:  # a scrape must not fail because a backend is down
            log.warning("metrics: could not count memories: %s", exc)
            return
        for namespace, count in counts.items():
            self.memories.labels(namespace).set(count)

    def render(self) -> bytes:
        return generate_latest(self.registry)
