"""ECB+ (Cybulska and Vossen 2014, LREC): 982 news articles about 86 real events (43 topics, each
with two similar but distinct events, e.g. two different celebrities checking into rehab, two
different earthquakes), as copied in cltl/ECB-parser (`ECB+/<topic>/<topic>_<n>ecb[plus].xml`).
Annotations CC BY 3.0 (ECB+ LICENSEDATA.TXT). A story-level set whose hard part is telling apart
two events of the same kind.

One row per article. `text`: for the 502 ECB+ articles (found with Google Search, 2009-2013)
the headline, the first sentence after the page URL; for the 480 older ECB articles (which
carry no headline) the first sentence, usually a lead or a headline. Tokens are joined back
into plain text (spaces before punctuation and around quotes removed). `story` = event
("<topic>_ecb" or "<topic>_ecbplus"), `fine` = topic ("t<topic>", the two events together),
`source` = web host of the page for ECB+ articles (empty for ECB ones).

    git clone https://github.com/cltl/ECB-parser /tmp/ecbp && python data/bench/build_ecbplus.py /tmp/ecbp/.git
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET

import pandas as pd
from bench_source import git_blob, git_paths, write_sample

COMMIT = "eba7c4d1caa758816bcee3139bdd4e6688dee00d"
NAME = re.compile(r"ECB\+/(\d+)/\1_(\d+)(ecb|ecbplus)\.xml$")
NOT_WORDS = re.compile(
    r"(updated|posted|published|last|at|on|by|am|pm|gmt|edt|est|pdt|pst|bst|cet|utc"
    r"|jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?"
    r"|nov(ember)?|dec(ember)?|(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?)",
    re.I,
)


def is_dateline(tokens: list[str]) -> bool:
    """A date or 'Last updated at ...' line rather than a headline: fewer than two real words."""
    words = [t for t in tokens if t.isalpha() and len(t) > 2 and not NOT_WORDS.fullmatch(t)]
    return len(words) < 2


def detok(tokens: list[str]) -> str:
    """Join tokens into readable text: no space before closing punctuation, quotes normalised."""
    text = " ".join(tokens).replace("``", '"').replace("''", '"')
    text = re.sub(r" ([.,:;!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$]) ", r"\1", text)
    text = re.sub(r" ('s|'re|'ve|'ll|'d|'m|n't)\b", r"\1", text, flags=re.I)
    text = re.sub(r'" (.*?) "', r'"\1"', text)
    text = re.sub(r"\b([A-Z])\. (?=[A-Z]\.)", r"\1.", text)  # U. S. -> U.S.
    text = re.sub(r"(\d): (\d)", r"\1:\2", text)  # 13: 42 -> 13:42
    return text


def sentences(xml: bytes) -> list[list[str]]:
    """Token texts grouped by the `sentence` attribute, in document order."""
    out: dict[str, list[str]] = {}
    for tok in ET.fromstring(xml).iter("token"):
        out.setdefault(tok.get("sentence"), []).append(tok.text or "")
    return list(out.values())


def row(path: str, xml: bytes) -> dict[str, str]:
    topic, _, kind = NAME.search(path).groups()
    sents = sentences(xml)
    source = ""
    if sents and (sents[0][0].startswith("http") or "www" in sents[0]):
        url = "".join(sents.pop(0))
        source = re.sub(r"^https?://(www\.)?", "", url).split("/")[0]
    title = next((s for s in sents if not is_dateline(s)), [])
    return {"text": detok(title), "story": f"{topic}_{kind}", "fine": f"t{topic}", "source": source}


if __name__ == "__main__":
    git_dir = sys.argv[1]
    paths = [p for p in git_paths(git_dir, COMMIT, "ECB+") if NAME.search(p)]
    frame = pd.DataFrame([row(p, git_blob(git_dir, COMMIT, p)) for p in paths])
    # a few ECB+ pages are from bbc.co.uk: left out so that nothing here overlaps BBC news
    # material kept aside for checking
    frame = frame[~frame["source"].str.contains(r"(?:^|\.)bbc\.", regex=True)]
    write_sample(frame, "ecbplus_events.csv")
