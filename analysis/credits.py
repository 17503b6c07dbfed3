"""Source credits at the end of a headline ("... (AP)", "... - Reuters"): the wire's name, not
the story's.

AG News ends 494 of its 7,568 titles with "(AP)", 243 with "(Reuters)" and 158 with "(AFP)".
Read as words, the credit tied AP's baseball results, injuries and ballpark deals into one
52-item story named "AP". A tail in brackets, or after a spaced dash or bar, of at most
CREDIT_WORDS words and no digit ("Part 2", "(COVID-19)" are content) that ends at least
CREDIT_SHARE of the items (and MIN_ITEMS of them) is a credit: the word similarity that ties
items into stories and the phrases that name them leave it out. The items themselves are
shown as written. AG's themes lose by it (ARI seeds 0-2 0.397 / 0.412 / 0.475 -> 0.390 /
0.356 / 0.397, benchmarks/results/quality.md): its credits lean towards its sections
("(AFP)" titles are 78% world), and the ties they made helped. A media tag repeated as
often is read the same way: "(Video)" ends 21 of a 2,000-headline UCI sample (not 1% of the
whole set), and there the stories' ARI went 0.761 -> 0.778 on MiniLM, 0.693 -> 0.678 on the
static path (tests/test_fast.py).
"""

from __future__ import annotations

import re
from collections import Counter

CREDIT_SHARE = 0.01  # of the items: a tail this many end with is the feed's, not the story's
MIN_ITEMS = 10  # and at least this many: three items' "(COVID-19)" in a small feed is content
CREDIT_WORDS = 4
_SEPARATOR = r"\s+(?:-{1,2}|[‐–—―|])\s+"  # a spaced dash or bar; "Al-Jazeera" keeps its hyphen
_TAIL = re.compile(rf"(?:\s*\(([^()]{{1,40}})\)|{_SEPARATOR}((?:(?!{_SEPARATOR})[^()]){{1,40}}))$")
_WINDOW = 64  # characters at a text's end that can hold a credit


def _tail(text: str) -> tuple[str, int] | None:
    """The folded tail of `text` that may be a credit (no digits: "Part 2" is content), and
    where it starts."""
    text = text.rstrip()
    found = _TAIL.search(text, max(0, len(text) - _WINDOW))
    if found is None:
        return None
    tail = " ".join((found.group(1) or found.group(2)).casefold().split())
    if not tail or len(tail.split()) > CREDIT_WORDS or any(c.isdigit() for c in tail):
        return None
    return tail, found.start()


def without_credits(texts: list[str]) -> list[str]:
    """`texts` with the credits their corpus ends them with taken off; unchanged when none."""
    tails = [_tail(text) for text in texts]
    counts = Counter(tail for tail, _ in filter(None, tails))
    least = max(MIN_ITEMS, CREDIT_SHARE * len(texts))
    credits = {tail for tail, count in counts.items() if count >= least}
    if not credits:
        return texts
    return [
        text[: found[1]] if found is not None and found[0] in credits else text for text, found in zip(texts, tails)
    ]
