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

A rarer tail, ending at least FEW_ITEMS items, is a credit too when the items it ends are
not about one thing (no word in more than half of them) and their bodies write it less
often than it ends them: a feed of many sources credits each a few times. AG's
"(Canadian Press)" ends 28 of its titles, 8 of a 2,000-title sample, where a theme was named
"Hurricane · Mexico · Canadian Press"; "(NewsFactor)", "(washingtonpost.com)", "(PC World)"
alike. "(URBN)" ends 8 UCI items on Urban Outfitters (all hold "outfitters") and "(matlab)"
6 StackOverflow titles while 214 others write "matlab": both are content. Such a credit
names nothing (`credit_tails`), but the ties between items and the phrases that hold a
story keep it: left out there too, the 8 AG sports titles of a drip-fed subject in a UCI map
lost the "(AP)" that held them as a story, and the subject's new theme took 76 of its 158
items against 102 (tests/test_api.py); AG's themes fell 0.002-0.007 on seeds 0-2.
"""

from __future__ import annotations

import re
from collections import Counter

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

CREDIT_SHARE = 0.01  # of the items: a tail this many end with is the feed's, not the story's
MIN_ITEMS = 10  # and at least this many: three items' "(COVID-19)" in a small feed is content
CREDIT_WORDS = 4
FEW_ITEMS = 3  # a tail rarer than the share above is a credit only by what its items say
_SEPARATOR = r"\s+(?:-{1,2}|[‐–—―|])\s+"  # a spaced dash or bar; "Al-Jazeera" keeps its hyphen
_TAIL = re.compile(rf"(?:\s*\(([^()]{{1,40}})\)|{_SEPARATOR}((?:(?!{_SEPARATOR})[^()]){{1,40}}))$")
_WINDOW = 64  # characters at a text's end that can hold a credit
_TOKEN = re.compile(r"[^\W_]+")
_CONTENT_WORD = re.compile(r"[^\W\d_]{3,}")


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


def without_credits(texts: list[str], rare: bool = False) -> list[str]:
    """`texts` with the credits their corpus ends them with taken off; unchanged when none.
    `rare`: the rarer credits too (see `credit_tails`)."""
    tails = [_tail(text) for text in texts]
    credits = _credits(texts, tails, rare)
    if not credits:
        return texts
    return [
        text[: found[1]] if found is not None and found[0] in credits else text for text, found in zip(texts, tails)
    ]


def credit_tails(texts: list[str]) -> set[str]:
    """The credits (folded tails) of `texts`, the rarer ones too: no name is made of one.
    The ties between items and the phrases stories are held by leave out only the common
    ones, whose lean to a section is small against their number."""
    return _credits(texts, [_tail(text) for text in texts], rare=True)


def _credits(texts: list[str], tails: list[tuple[str, int] | None], rare: bool) -> set[str]:
    counts = Counter(tail for tail, _ in filter(None, tails))
    least = max(MIN_ITEMS, CREDIT_SHARE * len(texts))
    credits = {tail for tail, count in counts.items() if count >= least}
    fewer = {tail for tail, count in counts.items() if FEW_ITEMS <= count < least} if rare else set()
    if fewer:
        credits |= _bylines(texts, tails, fewer)
    return credits


def _bylines(texts: list[str], tails: list[tuple[str, int] | None], rare: set[str]) -> set[str]:
    """The tails in `rare` that credit a source: the items they end share no word used by
    more than half of them, and the items' bodies write the tail less often than it ends them."""
    ends: dict[str, list[str]] = {tail: [] for tail in rare}
    for text, found in zip(texts, tails):
        if found is not None and found[0] in ends:
            ends[found[0]].append(text[: found[1]])
    spread = {tail for tail, bodies in ends.items() if not _one_subject(bodies)}
    if not spread:
        return spread
    words = {tail: tuple(_TOKEN.findall(tail)) for tail in spread}
    starts: dict[str, list[tuple[str, ...]]] = {}
    for seq in words.values():
        starts.setdefault(seq[0], []).append(seq)
    written = Counter[tuple[str, ...]]()
    for text, found in zip(texts, tails):
        body = _TOKEN.findall((text if found is None else text[: found[1]]).casefold())
        seen = {
            seq for i, word in enumerate(body) for seq in starts.get(word, ()) if tuple(body[i : i + len(seq)]) == seq
        }
        written.update(seen)
    return {tail for tail in spread if written[words[tail]] < len(ends[tail])}


def _one_subject(bodies: list[str]) -> bool:
    """Whether a word (of three letters or more, not a function word) is in more than half of
    `bodies`."""
    counts = Counter(
        word for body in bodies for word in set(_CONTENT_WORD.findall(body.casefold())) - ENGLISH_STOP_WORDS
    )
    return bool(counts) and 2 * max(counts.values()) > len(bodies)
