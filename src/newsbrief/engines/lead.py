"""``lead.v1``: the first N sentences, the classic news baseline."""

from __future__ import annotations

from newsbrief.engines import register_engine
from newsbrief.engines.base import EngineInfo, SentenceScores
from newsbrief.models import Document, Style

LEAD_INFO = EngineInfo(
    name="lead",
    version="v1",
    description="The first sentences of the article (Lead-N baseline).",
    remove_redundancy=False,
    trim_datelines=False,
    compress=False,
)


class LeadEngine:
    """Earlier sentences score higher; nothing else counts."""

    info = LEAD_INFO

    def score(
        self, document: Document, style: Style = Style.BULLETS, *, sentences: int | None = None
    ) -> SentenceScores:
        count = len(document.sentences)
        return SentenceScores(
            scores=tuple(float(count - index) for index in range(count)),
            feature_names=("position",),
            feature_rows=tuple((float(index),) for index in range(count)),
        )


@register_engine(LEAD_INFO)
def make_lead_engine() -> LeadEngine:
    return LeadEngine()
