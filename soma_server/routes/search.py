"""``POST /v1/search``: ranked search over one namespace."""

from __future__ import annotations

from litestar import post
from litestar.params import JSONBody

from ..deps import Engine, Namespace, RequestLimits
from ..limits import check_search
from ..problems import documented
from ..schemas import SearchIn, SearchOut, hit_out


@post("/search", status_code=200, responses=documented(400, 401, 403, 413, 422, 503), tags=["search"])
async def search(data: JSONBody[SearchIn], engine: Engine, namespace: Namespace, limits: RequestLimits) -> SearchOut:
    """The ``k`` best memories for ``query``, ranked by relevance, importance and recency.

    Searching does not count as an access. ``explain`` adds each score's components.
    """
    check_search(data, limits)
    results = await engine.search(
        data.query,
        data.k,
        filters=None if data.filters is None else data.filters.as_dict(),
        weights=None if data.weights is None else data.weights.as_dict(),
        explain=data.explain,
        mode=data.mode,
        namespace=namespace,
    )
    return SearchOut(results=[hit_out(r) for r in results])
