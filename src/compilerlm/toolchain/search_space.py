"""stub"""
from collections.abc import Sequence

SEARCH_SPACE: tuple[str, ...] = ()
EXCLUDED: dict[str, str] = {}
def pipeline_text(elements: Sequence[str]) -> str:
    return ",".join(elements)
