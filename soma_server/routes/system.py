"""Operations routes: liveness, readiness, metrics, namespace stats and the configured stack."""

from __future__ import annotations

import asyncio

import msgspec
from litestar import get
from litestar.datastructures import State

from ..deps import Engine, Namespace
from ..metrics import CONTENT_TYPE, Metrics
from ..problems import NotReadyError, documented
from ..schemas import HealthOut, ReadyOut, StackOut, StatsOut

PING_TIMEOUT = 5.0


@get("/health", opt={"exposure": "health"}, responses=documented(401), tags=["operations"])
async def health() -> HealthOut:
    """Liveness: the process answers. No backend is called."""
    return HealthOut(status="ok")


@get("/ready", opt={"exposure": "ready", "operator": True}, responses=documented(401, 403, 503), tags=["operations"])
async def ready(engine: Engine) -> ReadyOut:
    """Readiness: every backend answers its ping (within 5 s); else 503 naming the failing ones."""
    report: dict[str, str] = {}
    for slot, backend in engine.stack.slots().items():
        try:
            await asyncio.wait_for(backend.ping(), PING_TIMEOUT)
            report[slot] = "ok"
        except TimeoutError:
            report[slot] = f"failed: no answer within {PING_TIMEOUT:g}s"
        except Exception as exc:  # any failure means not ready; the reason is shown
            report[slot] = f"failed: {exc}"
    failed = [slot for slot, status in report.items() if status != "ok"]
    if not failed:
        return ReadyOut(status="ok", backends=report)
    names = [engine.stack.infos[slot].name for slot in failed]
    detail = "; ".join(f"{slot} ({name}) {report[slot]}" for slot, name in zip(failed, names, strict=True))
    raise NotReadyError(names[0], detail, report)


@get(
    "/metrics",
    opt={"exposure": "metrics", "operator": True},
    media_type=CONTENT_TYPE,
    responses=documented(401, 403),
    tags=["operations"],
)
async def metrics(state: State, engine: Engine) -> bytes:
    """Prometheus text format: request latency, backend operation latency, memories per namespace."""
    collected: Metrics = state.metrics
    await collected.refresh_counts(engine)
    return collected.render()


@get("/stats", responses=documented(401, 403, 422, 503), tags=["memories"])
async def stats(engine: Engine, namespace: Namespace) -> StatsOut:
    """Counts for the namespace: total, per memory type, pending repairs; and the embedder."""
    return msgspec.convert(await engine.stats(namespace=namespace), StatsOut)


@get("/stack", opt={"operator": True}, responses=documented(401, 403), tags=["operations"])
async def stack(engine: Engine) -> StackOut:
    """The configured backends with plugin, distribution, version, capabilities and safe options."""
    return msgspec.convert({**engine.stack.describe(), "notices": engine.stack.notices}, StackOut)
