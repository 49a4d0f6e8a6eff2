"""Hand-written material for build_conversations.py: people, phrasings, scenarios.

Every scenario writes memories the way an assistant would note them after a chat
("The user's sister Lena ...", 'User said: "..."') and questions the way the user
would ask them later ("When's my sister's birthday again?"). Queries never copy
memory text. Each hand-written pool is dealt out between the splits, so dev and
test share the generator but not the items.

- ``world``: the people of each split, formatting and date helpers
- ``people``: introductions and facts about family, friends and colleagues
- ``about_user``: the user's own facts, preferences, paraphrase questions
- ``events``: dated events, facts that changed, multi-memory (aggregate) questions
- ``rare_terms``: order numbers, plates, codes and uncommon names
- ``chat``: everyday filler chat
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .about_user import OWNER_FACTS, OWNER_PREFS, PARAPHRASES, ask_item
from .chat import filler
from .events import AGGREGATES, CHANGES, DATES, ask_aggregate, ask_change, ask_date
from .people import introduce, person_facts
from .rare_terms import rare_terms
from .world import World, dev_world, test_world

if TYPE_CHECKING:
    from build_conversations import Builder

__all__ = ["World", "dev_world", "filler", "populate", "test_world"]
Share = Callable[[int], bool]


def populate(b: Builder, w: World, share: Share, scale: float) -> None:
    """Every scenario for one split: ``share(i)`` says whether item ``i`` of a pool belongs to it,
    ``scale`` sizes the generated (not hand-written) scenarios."""
    introduce(b, w)
    person_facts(b, w, movers=round(4 * scale))
    for pool, category, kind in (
        (OWNER_FACTS, "fact", "fact"),
        (OWNER_PREFS, "preference", "pref"),
        (PARAPHRASES, "paraphrase", "fact"),
    ):
        for i, item in enumerate(pool):
            if share(i):
                ask_item(b, w, item, category, kind)
    for i, dated in enumerate(DATES):
        if share(i):
            ask_date(b, w, dated)
    for i, change in enumerate(CHANGES):
        if share(i):
            ask_change(b, w, change)
    for i, aggregate in enumerate(AGGREGATES):
        if share(i):
            ask_aggregate(b, w, aggregate)
    rare_terms(b, w, share, scale)
