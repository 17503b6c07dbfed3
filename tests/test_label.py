"""Topic names (issue 15): phrases the items wrote, distinct between siblings, deterministic.

Unit tests use the fake embedder of conftest; the quality test names real UCI stories with
the packaged model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import label, phrases
from analysis.phrases import SEPARATOR, grounded
from conftest import BENCH, fake_vectors

TEXTS = [
    "Men's Wearhouse raises bid for Jos. A. Bank",
    "Jos. A. Bank rejects Men’s Wearhouse offer again",
    "MEN'S WEARHOUSE sweetens Jos. A. Bank deal",
    "Stacy Keibler marries Jared Pobre in Mexico",
    "Stacy Keibler weds boyfriend Jared Pobre",
    "Stacy Keibler and Jared Pobre marry in secret ceremony",
    "Oil prices climb as Libya port stays shut",
    "Libya rebels keep oil port shut, prices climb",
]
LABELS = np.array([0, 0, 0, 1, 1, 1, 2, 2])


def describe(texts=TEXTS, labels=LABELS, **kwargs) -> pd.DataFrame:
    return label.describe_topics(texts, labels, fake_vectors(texts), embed=fake_vectors, **kwargs)


def test_names_are_phrases_their_items_wrote_in_written_form():
    topics = describe()
    for topic, name in zip(topics["id"], topics["name"]):
        members = [t for t, lab in zip(TEXTS, LABELS) if lab == topic]
        assert grounded(name, members), name
        for part in name.split(SEPARATOR):
            assert any(part in text or part[1:] in text for text in members), part  # as written, not folded


def test_written_form_keeps_the_case_and_marks_the_items_use():
    assert phrases.written_form("men s wearhouse", TEXTS[:3])[0] == "Men's Wearhouse"
    assert phrases.written_form("usa", ["U.S. stocks rise", "U.S. jobs"])[0] == "U.S."


def test_the_country_us_is_a_word_not_the_pronoun():
    # folded, "US" was the function word "us": AG News' US Airways story was named "Airways"
    titles = ["US Airways near deal with pilots", "Pilots reject US Airways offer", "US Airways cuts pay again"]
    assert phrases.tokens("U.S. Open tonight") == phrases.tokens("US Open tonight") == ["usa", "open", "tonight"]
    assert phrases.tokens("Tell Us Now")[1] == phrases.tokens("tell us now")[1] == "us"  # the pronoun
    assert phrases.tokens("U.S. STOCKS FALL") == phrases.tokens("US stocks fall") == ["usa", "stocks", "fall"]
    assert phrases.tokens("U.S.A. Gymnastics") == ["usa", "gymnastics"]
    assert grounded("US GDP", ["US GDP grows", "Economists cut U.S. GDP forecast"])  # a name in capitals too
    assert phrases.as_label(phrases.calm("USA TODAY SALE")) == "USA Today Sale"  # the country stays in capitals
    assert phrases.written_form("usa airways", titles) == ("US Airways", True)
    found = phrases.phrase_matrix(titles + ["Jobs in US", "More jobs in US"])[1]
    assert "usa airways" in found and "usa" not in found  # it starts a phrase, it is none alone
    assert not [p for p in found if p.endswith(" usa")]  # nor ends one ("Mt. Gox files for US")
    assert grounded("US Airways", titles) and grounded("U.S. Airways", titles)
    assert (
        phrases.written_form("bachelor juan pablo", ["'Bachelor' Juan Pablo picks", "'Bachelor' Juan Pablo says"])[0]
        == "Bachelor Juan Pablo"
    )


def test_a_phrase_always_inside_a_longer_one_is_clipped():
    texts = ["Game of Thrones season 4 trailer out", "New Game of Thrones Season 4 Trailer", "Game of Thrones finale"]
    # a candidate cut from an expression no candidate holds (over MAX_WORDS) grows into it
    assert phrases.written_form("thrones season 4 trailer", texts) == ("Game of Thrones season 4 trailer", True)
    assert phrases.written_form("thrones season", texts)[0] == "Game of Thrones season 4 trailer"
    assert not phrases.written_form("season", texts)[1]  # "thrones season 4", a candidate, holds it
    # run-on snippet text that repeats a word is no expression to grow into
    runs = [
        "wikipedia wiki australian open australian wikipedia free",
        "wikipedia wiki australian open australian wikipedia",
    ]
    assert not phrases.written_form("wiki australian open", runs)[1]
    # a count leads a title ("The 20 Funniest"), a number inside a name does not ("737 Max")
    assert not phrases.written_form("max", ["Boeing 737 Max grounded again", "FAA clears 737 Max jets"])[1]
    assert phrases.written_form("striking photos", ["12 Striking Photos", "12 Striking Photos Of Storms"])[1]
    assert phrases.written_form("game of thrones", texts)[1]
    assert phrases.written_form("fed", ["the Fed holds", "the Fed's Yellen", "Fed minutes"])[1]
    # UCI's recalls theme was "Accidents · Recalls · Jeep Grand": one word after it, in two forms
    jeeps = ["GM recalls Jeep Grand Cherokee", "Jeep Grand Cherokees recalled", "Chrysler Jeep Grand Cherokee fix"]
    assert not phrases.written_form("jeep grand", jeeps)[1]
    assert phrases.written_form("jeep grand cherokee", jeeps)[1]
    assert phrases.written_form("jeep", [*jeeps, "Jeep Wrangler sales"])[1]


def test_a_phrase_with_a_web_address_part_names_nothing():
    # SearchSnippets' education theme was "Education · Edu · University"
    snippets = ["columbia edu consumer motives", "baylor edu finance", "duke edu virtual memory"]
    assert not phrases.written_form("edu", snippets)[1] and not phrases.written_form("baylor edu", snippets)[1]
    assert phrases.written_form("finance", snippets)[1]


def test_candidates_skip_function_words_at_the_edges():
    grams = phrases.ngrams("The Fed says rates stay low in the U.S.")
    assert "fed" in grams and "rates stay low" in grams
    assert not [g for g in grams if g.split()[0] in phrases.FUNCTION_WORDS or g.split()[-1] in phrases.FUNCTION_WORDS]
    assert "u" not in grams and "s" not in grams


@pytest.mark.parametrize("min_items", [1, 2, 3])
def test_phrase_matrix_counts_the_candidates_of_each_item_as_a_vectorizer_would(min_items):
    from sklearn.feature_extraction.text import CountVectorizer

    texts = [
        *TEXTS,
        *TEXTS[:4],
        "",
        "!!",
        "the of",
        "2020 2021",
        "2020 2021 vote",
        "Straße STRASSE ǅ ǆ",
        "U.S. a b c d",
        "S&P 500 falls; AT&amp;T J amp;J doesn #39;t &lt;b&gt;...&lt;/b&gt;",
        "S&P 500 rises",
    ]
    matrix, vocabulary = phrases.phrase_matrix(texts, min_items)
    reference = CountVectorizer(analyzer=phrases.ngrams, binary=True, min_df=min_items, dtype=np.float32)
    expected = reference.fit_transform(texts).tocsr()
    assert list(vocabulary) == list(reference.get_feature_names_out())
    assert matrix.shape == expected.shape and matrix.dtype == expected.dtype and (matrix != expected).nnz == 0
    assert phrases.phrase_matrix(["the", "of"])[0].shape == (2, 0) and phrases.phrase_matrix([])[0].shape == (0, 0)


def test_html_entities_are_decoded_and_words_joined_by_an_ampersand_kept_whole():
    """Feeds escape "&" ("AT&amp;T") or lose it ("J amp;J", "doesn #39;t": AG News); "S&P 500"
    is one name, not "P 500"."""
    assert phrases.readable("AT&amp;T and J amp;J; doesn #39;t") == "AT&T and J&J; doesn't"
    assert phrases.readable("Johnson amp; Johnson, quot;phone sex quot;") == 'Johnson & Johnson, "phone sex "'
    assert phrases.readable("Gaza &lt;b&gt;...&lt;/b&gt;").split() == ["Gaza", "..."]
    assert phrases.readable("Fed; rates") == "Fed; rates"  # nothing to decode
    for text in ("news&regulations", "?id=5&section=2", "Ranked #10; now", "Q&A", "A&E;", "x < y > z"):
        assert phrases.readable(text) == text  # no entity without its ";", no number that is one
    assert phrases.readable("Gaza <b>rockets</b>").split() == ["Gaza", "rockets"]
    assert phrases.readable("caf&eacute; R&amp;amp;D") == "café R&amp;D"
    assert phrases.tokens("S&P 500 and R&D") == ["s&p", "500", "and", "r&d"]
    texts = [
        *["S&P 500 retreats from record", "S&P 500 hits record high", "Stocks: S&P 500 falls", "S&P 500 edges lower"],
        *[
            "AT&T Wireless to buy Cingular",
            "AT&amp;T Wireless deal",
            "Nokia and AT&T Wireless team up",
            "AT amp;T Wireless sales",
        ],
    ]
    names = label.describe_topics(texts, np.repeat([0, 1], 4))["name"].tolist()
    assert names == ["S&P 500", "AT&T Wireless"]


def test_grounded_folds_case_and_punctuation_and_needs_two_items():
    assert grounded("Men's Wearhouse", TEXTS[:3])
    assert grounded("men s WEARHOUSE · Jos. A. Bank", TEXTS[:3])
    assert not grounded("Wearhouse Jos", TEXTS[:3])
    assert not grounded("Pobre in Mexico", TEXTS[3:6])  # one item only
    assert not grounded("Keib", TEXTS[3:6])  # whole words only


def test_siblings_never_share_a_name():
    texts = [
        "Apple unveils new iPhone model",
        "Apple iPhone sales beat forecasts",
        "Apple iPhone recall widens",
        "Apple iPhone battery problems grow",
    ]
    topics = describe(texts, np.array([0, 0, 1, 1]))
    folded = [phrases.fold(n) for n in topics["name"]]
    assert len(set(folded)) == len(folded)
    for topic, name in zip(topics["id"], topics["name"]):
        assert grounded(name, [t for t, lab in zip(texts, [0, 0, 1, 1]) if lab == topic]) or "Apple" not in name


def test_names_are_deterministic_and_do_not_depend_on_other_calls():
    first = describe()
    describe(TEXTS[::-1], LABELS[::-1])
    assert describe().equals(first)


def test_a_topic_without_a_shared_phrase_is_named_by_its_central_item():
    texts = ["Quiet day on every market", "Lunar probe lands safely tonight", "Quiet day on every market again"]
    topics = describe(texts, np.array([0, 1, 0]))
    named = dict(zip(topics["id"], topics["name"]))
    assert named[1] == "Lunar probe lands safely tonight"
    assert grounded(named[0], [texts[0], texts[2]])


def test_descriptions_are_the_central_item_on_one_line():
    long = "word " * 100
    topics = describe([long, long + "more", "short one", "short two"], np.array([0, 0, 1, 1]))
    for description in topics["description"]:
        assert "\n" not in description and len(description) <= label.DESCRIPTION_CHARS + 2
    assert label.describe("  a\nb  ") == "a b"


def test_themes_are_named_by_terms_that_span_their_stories():
    texts = [
        "Stocks fall as Fed meets",
        "Stocks slip before Fed decision",
        "GM recall widens, stocks dip",
        "GM recall probe grows",
        "Film star weds in Rome",
        "Film star's Rome wedding photos",
        "Pop star tour sells out",
        "Pop star adds tour dates",
    ]
    stories = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    themes = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    topics = describe(texts, themes, stories=stories, subject=False)  # a fake model knows no subject
    named = dict(zip(topics["id"], topics["name"]))
    assert "stocks" in named[0].lower() and "star" in named[1].lower()
    for theme, name in named.items():
        assert grounded(name, [t for t, lab in zip(texts, themes) if lab == theme])
        assert 1 <= len(name.split(SEPARATOR)) <= label.BROAD_TERMS


def test_without_embeddings_names_are_still_grounded():
    topics = label.describe_topics(TEXTS, LABELS)
    assert all(
        grounded(n, [t for t, lab in zip(TEXTS, LABELS) if lab == i]) for i, n in zip(topics["id"], topics["name"])
    )


@pytest.fixture(scope="module")
def uci_stories():
    from analysis import TopicMap
    from analysis.cache import default_cache_dir
    from analysis.embed import embed_texts

    frame = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv").sample(1500, random_state=1).reset_index(drop=True)
    vectors = embed_texts(frame["text"].tolist(), cache_dir=default_cache_dir())
    return frame, vectors, TopicMap(level="story", random_state=0).fit(frame, embeddings=vectors)


def test_real_story_names_are_grounded_identify_their_story_and_are_distinct(uci_stories):
    from sklearn.preprocessing import normalize

    from analysis.cache import default_cache_dir
    from analysis.embed import embed_texts

    frame, vectors, fitted = uci_stories
    texts, labels, table = frame["text"].tolist(), fitted.labels_, fitted.topics_
    ids, names = table["id"].tolist(), table["name"].tolist()
    assert np.mean([grounded(n, [texts[i] for i in np.flatnonzero(labels == t)]) for t, n in zip(ids, names)]) >= 0.9
    centroids = normalize(np.vstack([normalize(vectors[labels == t]).mean(axis=0) for t in ids]))
    nearest = (embed_texts(names, cache_dir=default_cache_dir()) @ centroids.T).argmax(axis=1)
    assert np.mean(nearest == np.arange(len(ids))) >= 0.97
    assert len({phrases.fold(n) for n in names}) == len(names)


def test_the_report_shows_each_topics_description_on_its_card_and_when_isolated(seed_run):
    from browser import open_report

    descriptions = set(seed_run["export"].loc[seed_run["export"]["topic"] >= 0, "topic_description"])
    with open_report(seed_run["html"]) as (page, log):
        shown = page.locator(".topic-card .description").all_inner_texts()
        assert set(shown) == descriptions
        page.locator(".topic-card:not(.unclustered)").first.click()
        assert page.locator("#detail-description").inner_text() in descriptions
        assert not log["page_errors"] and not log["console_errors"]


# Name hygiene (issue 25): one word never twice in two forms; a corpus in capitals does not shout.


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("recall", "recalls", True),
        ("olympic", "olympics", True),
        ("rise", "rising", True),
        ("company", "companies", True),
        ("close", "closed", True),
        ("politics", "political", True),
        ("nation", "national", True),
        ("democrat", "democratic", True),
        ("media", "medical", False),
        ("car", "card", False),
        ("death", "dead", True),  # the "Death · Dead · Earthquake"
        ("women", "woman", True),
        ("sold", "sale", True),
        ("dead", "deal", False),
        ("bank", "band", False),
        ("us", "use", False),
        ("tax", "taxation", True),  # MultiFin's "Tax · Taxation · VAT"
        ("finance", "financial", True),  # MultiFin's "Finance · Financial · Insurance"
        ("state", "statement", False),
        ("depart", "department", False),
        ("nation", "nationwide", False),
        ("democracy", "democratic", True),  # SearchSnippets' "Politics · Democratic · Democracy"
        ("democracy", "democrats", True),
        ("privacy", "private", True),
        ("currency", "current", False),
        ("legacy", "legate", False),
    ],
)
def test_forms_of_one_word(a, b, same):
    assert phrases.same_word(a, b) is same and phrases.same_word(b, a) is same


def test_a_name_holds_no_word_twice_in_two_forms():
    assert label._joined(["Recalls", "Recall", "Jeep Grand", "Grand Cherokee", "GM"]) == "Recalls · Jeep Grand · GM"
    assert label._joined(["Olympics", "Olympic", "Athlete"]) == "Olympics · Athlete"
    assert label._overlaps("Recall", "Recalls Jeep") and not label._overlaps("Iran", "Oil prices")


@pytest.fixture(scope="module")
def largest_uci_stories() -> pd.DataFrame:
    frame = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv", keep_default_na=False)
    sizes = frame["story"].value_counts()
    return frame[frame["story"].isin(sizes.index[:6])].reset_index(drop=True)


def test_a_corpus_in_capitals_is_named_in_normal_case(largest_uci_stories):
    """A wire archive in capitals: names and keywords in normal case, acronyms kept, every
    name still written by its items, and the same names as the corpus in normal case gets."""
    texts = largest_uci_stories["text"].str.upper().tolist()
    labels = pd.factorize(largest_uci_stories["story"])[0]
    assert phrases.shouts(texts) and not phrases.shouts(largest_uci_stories["text"].tolist())
    topics = label.describe_topics(texts, labels, fake_vectors(texts))
    for name, keywords, items in zip(topics["name"], topics["keywords"], (labels == t for t in topics["id"])):
        words = [w for part in [name, *keywords] for w in part.replace(SEPARATOR, " ").split()]
        shouting = [w for w in words if w.isupper() and len(w) > 3 and set(w.lower()) & set("aeiou")]
        assert not shouting, (name, keywords)
        assert name[:1].isupper() and grounded(name, [t for t, k in zip(texts, items) if k])
    normal = label.describe_topics(largest_uci_stories["text"].tolist(), labels, fake_vectors(texts))
    assert [n.casefold() for n in topics["name"]] == [n.casefold() for n in normal["name"]]  # the same names


@pytest.mark.parametrize(
    ("shouted", "calm"),
    [
        ("TRADE DEFICIT WITH JAPAN", "Trade Deficit with Japan"),  # a proper noun keeps its capital
        ("CUT IN RATES", "Cut in Rates"),  # a short function word is no acronym
        ("IMF SEES GROWTH", "IMF Sees Growth"),  # acronyms that cannot be said as words
        ("ECB HOLDS, USB SALES UP", "ECB Holds, USB Sales up"),
        ("FIRST QTR LOSS", "First QTR Loss"),
        ("OPEC OUTPUT", "Opec Output"),  # one said as a word reads as one
        ("GM'S UNIT BUYS O'NEILL STAKE", "GM's Unit Buys O'Neill Stake"),
        ("GIRLS NIGHT, WORLD CUP", "Girls Night, World Cup"),
    ],
)
def test_a_phrase_in_capitals_is_set_in_title_case_with_its_acronyms(shouted, calm):
    assert phrases.as_label(phrases.calm(shouted)) == calm


def test_a_word_only_a_few_items_write_in_capitals_is_quietened_and_acronyms_kept():
    texts = ["GAME DAY RECAP: ECB wins", "ECB sets rates", "The game of the day", "A game a day", "Game day"]
    assert phrases.quieten([["GAME DAY", "ECB"], ["Rates"]], texts) == [["game day", "ECB"], ["Rates"]]
    assert phrases.quieten([["Game day"]], texts) == [["Game day"]]  # nothing in capitals: unchanged


def test_a_name_never_cuts_one_expression_in_two():
    """HuffPost's politics theme was "Politics · Trump · Donald": "Donald" is the rest of
    "Donald Trump", an option too."""
    options = ["Politics", "Trump", "Donald", "GOP", "Donald Trump", "Senate"]
    assert label._joined(options) == "Politics · Trump · GOP"
    assert label._joined(["Politics", "Trump", "Donald", "GOP"]) == "Politics · Trump · Donald"  # no whole to cut


def test_a_column_whose_every_phrase_is_cut_from_its_title_is_named_by_the_title():
    """HuffPost's weekly "The 20 Funniest Tweets From Women This Week (June 11-17)" was named
    "June": every candidate of its title was cut from it, and the title is longer than any
    candidate."""
    texts = [
        f"The 20 Funniest Tweets From Women This Week ({m} {d}-{d + 6})" for m in ("June", "Oct.") for d in (1, 8, 15)
    ]
    topics = label.describe_topics(texts, np.zeros(len(texts), dtype=int), fake_vectors(texts), embed=fake_vectors)
    assert topics["name"].iloc[0] == "Funniest Tweets From Women This Week", topics["name"].iloc[0]
    # "The" alone before a phrase at a title's start cuts nothing off, and a keyword is listed once
    texts = [f"The Funniest Tweets From Parents This Week ({m} {d}-{d + 6})" for m in ("May", "Dec.") for d in (1, 8)]
    topics = label.describe_topics(texts, np.zeros(len(texts), dtype=int), fake_vectors(texts), embed=fake_vectors)
    assert topics["name"].iloc[0] == "Funniest Tweets From Parents This Week", topics["name"].iloc[0]
    assert topics["keywords"].iloc[0].count("Funniest Tweets From Parents This Week") == 1


def test_keywords_are_whole_expressions_each_in_one_form():
    """HuffPost's politics theme listed "Beto · Rourke" and a story "Horse Death · Horse Deaths":
    a keyword is never a part always cut from a longer expression, nor another's forms."""
    texts = [
        "Beto O'Rourke rallies voters in El Paso",
        "Beto O'Rourke raises record sums",
        "Horse deaths at Santa Anita prompt review",
        "Another horse death at Santa Anita",
        "Santa Anita closes after horse deaths",
        "Beto O'Rourke on horse racing",
    ]
    topics = label.describe_topics(texts, np.zeros(len(texts), dtype=int), fake_vectors(texts), embed=fake_vectors)
    keywords = topics["keywords"].iloc[0]
    assert "Beto O'Rourke" in keywords and "Santa Anita" in keywords, keywords
    assert not {"Beto", "Rourke", "O'Rourke", "Santa", "Anita"} & set(keywords), keywords
    for i, first in enumerate(keywords):
        for second in keywords[i + 1 :]:
            a, b = (set(phrases.tokens(k)) for k in (first, second))
            assert not all(any(phrases.same_word(x, y) for y in b) for x in a), (first, second)


def test_no_phrase_spans_two_clauses_and_a_number_is_one_word():
    """AG News's Olympic topic was "Olympic · Swimming: Phelps · Wins Gold" (a phrase across a
    colon) and an airline topic "000 Jobs · Delta Pilots ..." ("10,000" read as 10 and 000)."""
    texts = [
        "Olympic Swimming: Phelps wins gold",
        "Swimming: Phelps wins again",
        "Delta to cut 10,000 jobs - pilots object",
        "US Airways cuts 10,000 jobs - pilots object",
        "iOS 7.1 update; Apple fixes bugs",
    ]
    _, vocabulary = phrases.phrase_matrix(texts)
    assert "swimming phelps" not in vocabulary and "phelps wins" in vocabulary
    assert "10,000 jobs" in vocabulary and "000 jobs" not in vocabulary and "jobs pilots" not in vocabulary
    assert "swimming phelps" not in phrases.ngrams(texts[0])
    assert "ios 7.1" in phrases.ngrams(texts[4]) and "update apple" not in phrases.ngrams(texts[4])
    assert (
        phrases.written_form("10,000 jobs", ["Delta to cut 10,000 jobs", "Airline cuts 10,000 jobs"])[0]
        == "10,000 jobs"
    )


def test_a_taken_name_is_kept_and_no_other_topic_gets_it():
    texts = [f"Storm hits the coast as flood warning issued {i}" for i in range(4)] + [
        f"Flood warning issued for the valley town {i}" for i in range(4)
    ]
    labels = np.repeat([0, 1], 4)
    free = label.describe_topics(texts, labels, fake_vectors(texts)).set_index("id")["name"]
    taken = label.describe_topics(texts, labels, fake_vectors(texts), taken={0: free[1]}).set_index("id")["name"]
    assert taken[0] == free[1]  # the saved name stays, though topic 1 would be named so today
    assert phrases.fold(taken[1]) != phrases.fold(free[1]) and taken[1]
    both = label.describe_topics(texts, labels, fake_vectors(texts), taken={0: "Same", 1: "same"})
    assert both["name"].tolist() == ["Same", "same"]  # a reader's two alike are theirs to keep


def test_a_themes_keywords_lead_with_what_most_of_it_holds_not_one_small_story():
    """A reader's pass: HuffPost's politics theme (776 items: a 332-item story, a 16-item
    climate story, 422 in no story) had the climate story's words for all its keywords, as
    names weigh every story alike. Keywords weigh a story by the square root of its size."""
    bills = ["budget bill", "tax plan", "border deal", "spending cuts", "aid package", "health reform", "farm bill"]
    senate = [
        f"Senate {verb} {bill}" for verb in ("passes", "debates", "blocks", "delays", "approves") for bill in bills
    ]
    loose = [
        f"{who} urges Senate to act on {bill}" for who in ("Governor", "Mayor", "Union", "Pastor") for bill in bills
    ]
    climate = [
        "Amazon fires spread as Bolsonaro rejects aid",
        "Bolsonaro blames charities for Amazon fires",
        "Climate summit weighs Amazon fires",
        "Amazon fires: Bolsonaro under pressure",
        "Climate activists protest Amazon fires",
    ]
    texts = senate + loose + climate
    story = np.array([0] * len(senate) + [-1] * len(loose) + [1] * len(climate))
    topics = label.describe_topics(
        texts, np.zeros(len(texts), dtype=int), fake_vectors(texts), embed=fake_vectors, stories=story, subject=False
    )
    keywords = topics["keywords"].iloc[0]
    assert keywords[0] == "Senate", keywords
    assert keywords.index("Senate") < min(
        keywords.index(w) for w in keywords if w in ("Amazon", "Bolsonaro", "Climate")
    )
