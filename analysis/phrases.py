"""Phrases the items wrote: contiguous n-grams of one to four words, matched case- and
punctuation-folded, shown in the form the items wrote them.

Folding lowers case and reads every run of letters and digits as a word, so "Men's
Wearhouse", "men’s wearhouse" and "MEN'S WEARHOUSE" are all the phrase "men s wearhouse".
A candidate neither starts nor ends with a function word or a lone letter ("the Fed",
"Iran and" and "'s" are no names) and holds at least one letter.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.credits import without_credits

MAX_WORDS = 4
LONGEST_NAME = 6  # words: a clipped candidate grows into the expression it was cut from, up to this
SEPARATOR = " · "  # between the parts of a name made of several phrases
_LETTERS = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more
# a number with its separators ("10,000", "7.1"), a word, or words joined by "&": "S&P", "AT&T"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:&[^\W_]+)*")
# The country written "US", "U.S." or "U.S.A." is read as the word "usa", as "USA" is: folded
# it would be "us", a function word, and "US Airways" named "Airways". The pronoun is written
# "us" or "Us"; in capitals it is rare in headlines ("US STOCKS FALL" is not). It starts a phrase but neither ends one ("Mt. Gox files for US",
# of "... for US bankruptcy") nor is one alone: a third of a bag of unrelated items wrote
# "US", and the bag passed for one story (AG News: "US · US Airways").
COUNTRY = "usa"
_US = r"(?<![\w.&])(?:U\.S\.(?:A\.)?(?!\w)|U\.S\.A(?![\w.])|U\.S(?![\w.])|US(?![\w&]))"
_COUNTRY = re.compile(_US)
_WORD = re.compile(rf"(?P<us>{_US})|{_TOKEN.pattern}")  # _TOKEN, with the country one word
# where a headline's clauses meet ("Swimming: Phelps wins", "Oil - prices up"): no phrase spans it
_BOUNDARY = re.compile(r"[:;!?|]|\s[-–—]+\s|[–—]")
# What is left of an HTML entity whose "&" a feed dropped ("J amp;J", "doesn #39;t"), with the
# space left in its place when an "&" or an apostrophe joins two words; only the entities of
# "&", quotes and apostrophes, which no text writes by themselves.
_QUOTES = r"amp|quot|apos|#39|#34|#38|#821[6-7]|#822[0-1]"
_REMNANT = re.compile(rf"\s?(?<![&\w;])(amp|apos|#39|#8217);(?=\w)|(?<![&\w;])({_QUOTES});")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")  # with its ";"
_TAG = re.compile(r"</?(?:b|i|u|a|em|strong|span|font|p|br|div|sup|sub)\b[^<>]{0,80}>", re.IGNORECASE)
_MARKS = set("'\"‘’“”()[]{}«»")
# English function words and headline filler verbs: no phrase starts or ends with one.
FUNCTION_WORDS = frozenset(
    """
    a about above after again against all also am among amid an and another any are around as at
    be been before being below between both but by can could did do does doing down during each
    either else ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just least less many may me might more
    most much must my myself neither no nor not now of off on once one only onto or other others
    our ours ourselves out over own per rather same shall she should since so some such than
    that the their theirs them themselves then there these they this those though through thus
    to too toward towards under until up upon us very via was we were what when where whether
    which while who whom whose why will with within without would yet you your yours yourself
    yourselves says said say saying tells told according including despite here's it's across
    afterwards almost along already although always amongst anyone anything anyway anywhere away
    ahead ago back because behind beside besides beyond cannot elsewhere enough even everyone
    everything everywhere except hence indeed meanwhile moreover mostly never nevertheless
    nobody none nothing nowhere often otherwise perhaps please someone something sometimes
    somewhere soon still therefore together whatever whenever whereas wherever whoever
    """.split()  # noqa: SIM905 (one word a line would be 230 lines)
)


def readable(text: str, tags: bool = False) -> str:
    """`text` with its HTML entities decoded ("AT&amp;T", "doesn&#39;t"), those a feed dropped
    the "&" of ("J amp;J", "doesn #39;t") and its formatting tags dropped (`tags` keeps them):
    names are made of what a person reads. The page shows items with their tags kept, as a
    title about "<div>" is about the tag."""
    if "&" not in text and ";" not in text and "<" not in text:
        return text
    if ";" in text:
        text = _REMNANT.sub(lambda m: "&" + (m.group(1) or m.group(2)) + ";", text)
        text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    return _TAG.sub(" ", text) if "<" in text and not tags else text


def tokens(text: str) -> list[str]:
    """The folded words of `text`: lower case, split on anything that is not a letter, a digit
    or an "&" inside a word; the country "US" or "U.S." is "usa"."""
    return _TOKEN.findall(_country(readable(text)).casefold())


def _country(text: str) -> str:
    """`text` with the country written "US", "U.S." or "U.S.A." written "USA"."""
    return _COUNTRY.sub("USA", text) if "US" in text or "U.S" in text else text


def fold(text: str) -> str:
    """`text` case- and punctuation-folded: its words joined by single spaces."""
    return " ".join(tokens(text))


def occurs(phrase: str, text: str) -> bool:
    """Whether `phrase` occurs in `text` as a contiguous run of whole words, both folded."""
    folded = fold(phrase)
    return bool(folded) and f" {folded} " in f" {fold(text)} "


def grounded(name: str, texts: list[str]) -> bool:
    """Whether every part of `name` (parts split on " · ") occurs in at least two of `texts`
    (in the one text when there is only one)."""
    need = min(2, len(texts))
    folded = [f" {fold(t)} " for t in texts]
    parts = [fold(p) for p in name.split(SEPARATOR)]
    return bool(texts) and all(p and sum(f" {p} " in t for t in folded) >= need for p in parts)


WORD_ENDINGS = ("s", "es", "ed", "ing", "er", "ers", "ation", "ations")  # "recalls", "rising", "taxation"
ADJECTIVE_ENDINGS = ("ical", "ics", "ic", "al")  # "politics"/"political", "nation"/"national"
#: Parts of a web address, which search snippets and scraped text carry as words ("columbia edu",
#: "espn com"): a phrase holding one names nothing ("Education · Edu" on SearchSnippets).
#: Not "net" or "gov": "net profit", "Gov. Cuomo".
WEB_WORDS = frozenset({"com", "edu", "org", "www", "http", "https", "html", "htm", "php"})
SHOUTING = 0.8  # a corpus whose cased letters are this much upper case writes in capitals
VOWELS = frozenset("aeiouy")


# English words whose forms no ending rule joins, common in news: one family a line.
IRREGULAR = (
    "die dies died dying dead death deaths deadly",
    "win wins winning winner winners",  # not "won", a currency
    "lose loses lost losing loss losses",
    "buy buys bought buying buyer buyers",
    "sell sells sold selling sale sales seller sellers",
    "shoot shoots shooting shootings shooter",  # not "shot", a vaccine
    "fight fights fought fighting fighter fighters",
    "flee flees fled fleeing",
    "steal steals stole stolen stealing theft",
    "strike strikes struck striking",
    "rise rises rose risen rising",
    "fall falls fell fallen falling",
    "grow grows grew grown growing growth",
    "say says said saying",
    "tell tells told telling",
    "take takes took taken taking",
    "give gives gave given giving",
    "speak speaks spoke spoken speaking speech speeches",
    "child children",
    "man men",
    "woman women",
    "person people",
)
_FAMILY = {word: k for k, line in enumerate(IRREGULAR) for word in line.split()}


def same_word(a: str, b: str) -> bool:
    """Whether two folded words are forms of one word: equal, or the longer is the shorter
    plus an ending ("recall"/"recalls", "olympic"/"olympics", "rise"/"rising",
    "company"/"companies", "tax"/"taxation", "finance"/"financial"; not -ment:
    "state"/"statement", "depart"/"department"), or both are one stem of five letters or more
    with an adjective or field ending ("politics"/"political", "nation"/"national"), or an
    "-acy" noun and its "-at" word ("democracy"/"democratic"), or one IRREGULAR family
    ("dead"/"death", "women"/"woman")."""
    short, long = sorted((a, b), key=len)
    if short == long or _FAMILY.get(short, -1) == _FAMILY.get(long, -2):
        return True
    if len(short) < 3:
        return False
    if long.startswith(short) and long[len(short) :] in WORD_ENDINGS:
        return True
    if short[-1] == "e" and long.startswith(short[:-1]) and long[len(short) - 1 :] in ("ed", "ing", "er", "ers", "ial"):
        return True
    if short[-1] == "y" and long.startswith(short[:-1]) and long[len(short) - 1 :] in ("ies", "ied"):
        return True
    if _cracy_pair(a, b) or _cracy_pair(b, a):
        return True
    stem_a, stem_b = _adjective_stem(a), _adjective_stem(b)
    return len(stem_a) >= 5 and stem_a == stem_b


def _cracy_pair(a: str, b: str) -> bool:
    """Whether `a` is a "-acy" noun and `b` its "-at" word: "democracy"/"democratic",
    "democrats", "diplomacy"/"diplomat", "privacy"/"private" (the stem ends in "a" and has five
    letters or more, so "currency"/"current" are two words)."""
    if not a.endswith("acy") or len(a) < 7:
        return False
    stem = a[:-2]
    return b.startswith(stem) and b[len(stem) :] in ("t", "ts", "te", "tes", "tic", "tics")


def _adjective_stem(word: str) -> str:
    """The word less one adjective or field ending ("political", "politics" -> "polit")."""
    for ending in ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)]
    return word


def share_a_word(a: str, b: str) -> bool:
    """Whether two phrases hold a word in common, in any of its forms (`same_word`)."""
    return any(same_word(x, y) for x in tokens(a) for y in tokens(b))


def shouts(texts: list[str], sample: int = 2000) -> bool:
    """Whether the corpus writes in capitals: of the cased letters of its first `sample`
    items, at least SHOUTING upper case."""
    upper = lower = 0
    for text in texts[:sample]:
        upper += sum(c.isupper() for c in text)
        lower += sum(c.islower() for c in text)
    return upper + lower > 0 and upper >= SHOUTING * (upper + lower)


# Consonant runs an English word may start or end with; a short word in capitals that starts or
# ends otherwise cannot be said as a word and is spelt out, an acronym ("IMF", "USB", "ECB").
ONSETS = frozenset(
    """
    bl br ch chr cl cr cz dr dw fl fr gl gn gr kh kn ph pl pr ps qu rh sc sch scr sh shr sk sl sm sn sp
    spl spr sq st str sw th thr thw tr tw wh wr zh
    """.split()  # noqa: SIM905
)
CODAS = frozenset(
    """
    bs bt ch ck cks cs ct cts ds dth ffs fs ft fth fts gh ghs ght ghts gn gs hn ks lb lch ld lds lf lfs
    lk lks ll lls lm lms lp lph lps ls lt lth lts ltz mb mn mns mp mph mps mpt mpts ms nc nch nd nds ng
    ngh ngs ngth nk nks ns nt nth nts nx ph phs ps pt pth pts rb rc rch rd rds rf rg rgs rk rks rl rld
    rlds rls rm rms rn rns rnt rp rs rsh rst rt rth rts rx sc sh sk sks sm sp st sts tch th ths ts tz
    wd wk wl wn wns ws xt xth
    """.split()  # noqa: SIM905
)
SPOKEN_LENGTH = 5  # longer words in capitals are read as words ("BUNDESBANK")


def spelt_out(word: str) -> bool:
    """Whether a word in capitals is an acronym, read letter by letter: it is short and has no
    vowel ("QTR"), or no consonant ("UAE"), or starts or ends with a run of consonants no
    English word starts or ends with ("IMF", "USDA"); "OPEC" and "NATO" read as words."""
    w = word.casefold()
    if len(w) > SPOKEN_LENGTH:
        return False
    if not VOWELS & set(w) or not set(w) - set("aeiou"):
        return True
    start = re.match(r"x?([^aeiouy]*)", w)  # "XBOX" as "Xbox", "XMAS" as "Xmas"
    end = re.search(r"[^aeiouy]*$", w)
    first = start.group(1) if start else ""
    last = end.group(0) if end else ""
    return (len(first) > 1 and first not in ONSETS) or not _coda(last)


def _coda(last: str) -> bool:
    """Whether a run of consonants can end an English word: one, a listed one, a double
    letter ("staff"), or one of these and a plural "s" ("bombs", "apps")."""
    if len(last) < 2 or last in CODAS or (len(last) == 2 and last[0] == last[1]):
        return True
    return last.endswith("s") and _coda(last[:-1]) and len(last) > 2


def calm(phrase: str) -> str:
    """A phrase of a corpus in capitals in title case, as a headline writer would set it
    ("TRADE DEFICIT WITH JAPAN" -> "Trade Deficit with Japan"): a proper noun cannot be told
    from a common one in capitals, and a capital on each is never wrong where a lower-case one
    would be ("japan"). Function words in lower case, short words and acronyms (`spelt_out`:
    "US", "QTR", "IMF") kept; `as_label` then capitalises the first word."""

    def word(match: re.Match) -> str:
        w = match.group(0)
        if not w.isupper() or w.casefold() == COUNTRY or w == "US":
            return w
        if w.casefold() in FUNCTION_WORDS:
            return w.lower()
        head, mark, tail = w.partition("'")
        if len(head) == 1 and tail:  # "O'NEILL" -> "O'Neill"
            return head + mark + tail.capitalize()
        kept = len(head) < 3 or spelt_out(head)  # "GM'S" -> "GM's", "MCDONALD'S" -> "Mcdonald's"
        return (head if kept else head.capitalize()) + mark + tail.lower()

    return re.sub(r"[^\W\d_]+(?:'[^\W\d_]+)*", word, phrase)


def quieten(forms: list[list[str]], texts: list[str]) -> list[list[str]]:
    """`forms` with each word in capitals of three letters or more that the corpus mostly
    writes otherwise in lower case ("GAME DAY" from a few items in capitals); acronyms, which
    the corpus writes in capitals ("ECB"), are kept."""
    loud = {w.casefold() for fs in forms for f in fs for w in _LETTERS.findall(f) if w.isupper()}
    if not loud:
        return forms
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(loud))) + r")\b", re.IGNORECASE)
    written: Counter = Counter()
    upper: Counter = Counter()
    for text in texts:
        for found in pattern.findall(text):
            written[found.casefold()] += 1
            upper[found.casefold()] += found.isupper()
    quiet = {w for w in loud if upper[w] * 2 < written[w]}

    def word(match: re.Match) -> str:
        w = match.group(0)
        return w.lower() if w.isupper() and w.casefold() in quiet else w

    return [[_LETTERS.sub(word, f) for f in fs] for fs in forms]


def _edge(word: str, last: bool = False) -> bool:
    """Whether a phrase may start (or, `last`, end) with `word`."""
    return word not in FUNCTION_WORDS and (len(word) > 1 or word.isdigit()) and not (last and word == COUNTRY)


def _has_letter(word: str) -> bool:
    return any(c.isalpha() for c in word)


def ngrams(text: str) -> list[str]:
    """Every candidate phrase of `text` (folded), each once; none spans two clauses."""
    out: set[str] = set()
    for clause in _BOUNDARY.split(readable(text)):
        words = tokens(clause)
        edge = [_edge(w) for w in words]
        for start in range(len(words)):
            if not edge[start]:
                continue
            for end in range(start, min(start + MAX_WORDS, len(words))):
                if edge[end] and words[end] != COUNTRY and any(_has_letter(w) for w in words[start : end + 1]):
                    out.add(" ".join(words[start : end + 1]))
    return sorted(out)


def phrase_matrix(texts: list[str], min_items: int = 2) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Binary item × phrase matrix over the phrases at least `min_items` items use, and the
    phrases (folded), sorted: the candidates of `ngrams`, counted per item.

    Phrases are found on word ids with numpy, not as strings: an n-gram's id is its (n-1)-gram
    prefix's id and its last word, so only the phrases kept are ever joined into text.
    """
    texts = without_credits(texts)  # "(AP)" names no story
    empty = sparse.csr_matrix((len(texts), 0), dtype=np.float32), np.array([], dtype=object)
    # One regex pass over all items, folded and joined by " A ": folding leaves no capital A,
    # so that word marks where each item ends; " B " marks where two clauses meet.
    found = _TOKEN.findall(
        " A ".join(_BOUNDARY.sub(" B ", _country(readable(text)).casefold()) for text in texts) + " A"
    )
    codes, uniques = pd.factorize(np.array(found, dtype=object))
    ends = codes == codes[-1]
    item = np.cumsum(ends)[~ends]
    ids = codes[~ends].astype(np.int64)
    if not len(ids):
        return empty
    words = uniques.tolist()
    edge = np.array([_edge(w) and w != "B" for w in words])
    letter = np.array([_has_letter(w) and w != "B" for w in words])
    mark = np.array([w == "B" for w in words])
    country = np.array([w == COUNTRY for w in words])  # ends no phrase
    left = np.cumsum(np.bincount(item, minlength=len(texts)))[item] - np.arange(len(ids))  # words to the text's end
    gram, has_letter, spans_two = ids, letter[ids], mark[ids]  # the n-gram starting at each position
    found_items, found_grams, starts, sizes = [], [], [], []
    offset = 0
    for width in range(1, MAX_WORDS + 1):
        if width > 1:
            fits = left[: len(gram) - 1] >= width  # the n-gram starting here lies inside one text
            key = np.where(fits, gram[:-1] * len(words) + ids[width - 1 :], -1)
            gram = np.where(fits, pd.factorize(key)[0], -1)
            has_letter = has_letter[:-1] | letter[ids[width - 1 :]]
            spans_two = spans_two[:-1] | mark[ids[width - 1 :]]
        valid = (gram >= 0) & edge[ids[: len(gram)]] & edge[ids[width - 1 :]] & has_letter & ~spans_two
        valid = np.flatnonzero(valid & ~country[ids[width - 1 :]])
        found_items.append(item[valid])
        found_grams.append(gram[valid] + offset)
        starts.append(valid)
        sizes.append(np.full(len(valid), width))
        offset += int(gram.max(initial=-1)) + 1
    rows, cols = np.concatenate(found_items), np.concatenate(found_grams)
    start, size = np.concatenate(starts), np.concatenate(sizes)
    first, length = np.empty(offset, dtype=np.int64), np.empty(offset, dtype=np.int64)
    first[cols], length[cols] = start, size  # where each phrase occurs (any one place)
    pairs = np.sort(rows * offset + cols)  # each phrase once per item, by item
    pairs = pairs[np.diff(pairs, prepend=-1) != 0]
    rows, cols = pairs // offset, pairs % offset
    users = np.bincount(cols, minlength=offset)
    phrase_ids = np.flatnonzero(users >= min_items)
    if not len(phrase_ids):
        return empty
    kept = users[cols] >= min_items
    rows, cols = rows[kept], cols[kept]
    start, size = first[phrase_ids], length[phrase_ids]
    spelled = np.array(words, dtype=object)
    text = spelled[ids[start]]
    for j in range(1, MAX_WORDS):  # append each phrase's (j+1)-th word, where it has one
        longer = np.flatnonzero(size > j)
        text[longer] = text[longer] + " " + spelled[ids[start[longer] + j]]
    order = sorted(range(len(text)), key=text.__getitem__)
    column = np.empty(offset, dtype=np.int64)
    column[phrase_ids[order]] = np.arange(len(order))
    column = column[cols]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=len(texts)))])
    matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), column, indptr), shape=(len(texts), len(order)))
    matrix.sort_indices()
    return matrix, text[order]


def written_form(phrase: str, texts: list[str]) -> tuple[str, bool]:
    """How `texts` most often write the folded `phrase` (the first such text breaks ties; an
    abbreviation's closing full stop is kept: "U.S."), and whether the phrase is whole: not
    always preceded (a count is no word: "20 Funniest Tweets"), or always followed, by the same
    word ("Keibler" always after "Stacy", "Thrones Season 4" always after "Game of"), which
    would make it a clipped longer phrase, and holds no part of a web address (WEB_WORDS). A
    clipped phrase cut from an expression no candidate holds is that expression (`_grown`)."""
    target = tuple(phrase.split())
    forms: Counter = Counter()
    before, after = set(), set()
    for text in map(readable, texts):
        spans, words = _spans(text)
        for start in range(len(words) - len(target) + 1):
            if words[start : start + len(target)] == target:
                first, last = spans[start], spans[start + len(target) - 1]
                end = last[1] + (
                    last[1] - last[0] == 1 and text[last[0]].isalpha() and text[last[1] : last[1] + 1] == "."
                )
                forms[_tidy(text[first[0] : end])] += 1
                before.add(None if _count(words, start) else _context(words[:start][::-1]))
                after.add(_context(words[start + len(target) :]))
                break
    clipped = sum(forms.values()) >= 2 and [_one_context(side) for side in (before, after)]
    if clipped and any(clipped):
        sides = [min(c for c in side if c is not None) if cut else () for side, cut in zip((before, after), clipped)]
        longer = _grown(target, *sides)
        if longer is not None:
            return written_form(" ".join(longer), texts)
        return (forms.most_common(1)[0][0] if forms else phrase), False
    return (forms.most_common(1)[0][0] if forms else phrase), WEB_WORDS.isdisjoint(target)


def _grown(target: tuple[str, ...], before: tuple[str, ...], after: tuple[str, ...]) -> tuple[str, ...] | None:
    """The expression a clipped phrase was cut from, when no candidate holds it (longer than
    MAX_WORDS, up to LONGEST_NAME words): "funniest tweets from women" is always followed by
    "this week" in HuffPost's weekly column, so every candidate of its titles was clipped and
    the story was named "June". None when a candidate holds it (it is named by that one), it
    would be too long, end in a function word or hold a word twice in any of its forms (run-on
    snippet text: "wikipedia wiki australian open australian wikipedia")."""
    longer = (*before[::-1], *target, *after)
    if len(longer) <= MAX_WORDS or len(longer) > LONGEST_NAME or not (_edge(longer[0]) and _edge(longer[-1], True)):
        return None
    content = [w for w in longer if w not in FUNCTION_WORDS]
    if any(same_word(a, b) for i, a in enumerate(content) for b in content[i + 1 :]):
        return None
    return longer


def _count(words: tuple[str, ...], start: int) -> bool:
    """Whether the word before `start` is a count leading a title ("The 20 Funniest Tweets",
    "12 Striking Photos"): digits at the text's start or after a function word; "737 Max"
    and "iPhone 6 Plus" are one name."""
    return start > 0 and not _has_letter(words[start - 1]) and (start == 1 or words[start - 2] in FUNCTION_WORDS)


def _one_context(side: set[tuple[str, ...] | None]) -> bool:
    """Whether every occurrence has the same word on that side, in any of its forms ("Jeep
    Grand" before "Cherokee" and "Cherokees"); None, a text's edge, is no word."""
    if None in side:
        return False
    first, *others = side
    assert first is not None
    return all(other is not None and len(other) == len(first) and all(map(same_word, first, other)) for other in others)


@lru_cache(maxsize=4096)  # more than a topic reads for all its candidates
def _spans(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """Where each word of `text` starts and ends, and the words folded (remembered: the
    items of a topic are read once for each of its candidate phrases)."""
    if _country(text) is text:
        matches = list(_TOKEN.finditer(text))
        return tuple(m.span() for m in matches), tuple(m.group().casefold() for m in matches)
    matches = list(_WORD.finditer(text))
    return tuple(m.span() for m in matches), tuple(COUNTRY if m.group("us") else m.group().casefold() for m in matches)


def _context(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The next word outward from a phrase, and the one past it when that word is a function
    word (None at the text's edge, and for a lone function word there: "The" before "Funniest
    Tweets From Parents" at a title's start cuts nothing off)."""
    if not words or (words[0] in FUNCTION_WORDS and len(words) == 1):
        return None
    return tuple(words[:2]) if words[0] in FUNCTION_WORDS else (words[0],)


def _tidy(form: str) -> str:
    """A written form without quote marks and brackets that do not sit inside a word
    ("'Bachelor' Juan Pablo" -> "Bachelor Juan Pablo"; "Men's" stays)."""
    kept = [
        c
        for i, c in enumerate(form)
        if c not in _MARKS or (0 < i < len(form) - 1 and form[i - 1].isalnum() and form[i + 1].isalnum())
    ]
    return " ".join("".join(kept).split())


def as_label(phrase: str) -> str:
    """A phrase with a capital first letter when its first word is all lower case ("oil
    prices" -> "Oil prices"; "iPhone" stays)."""
    first = phrase.split(" ", 1)[0]
    return phrase[:1].upper() + phrase[1:] if first.islower() else phrase


def short_form(text: str, max_words: int) -> str:
    """The start of `text`, at most `max_words` words, without trailing function words."""
    words = text.split()
    cut = words[:max_words]
    while len(cut) > 1 and not any(_edge(t) for t in tokens(cut[-1])):
        cut.pop()
    return " ".join(cut).rstrip(",;:-–—")
