"""The HTML report: self-contained, holds every item, escapes hostile text, works in a browser."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from analysis.report import report_data, render_html, script_json
from browser import open_report
from conftest import topicmap


def embedded_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="topicmap-data">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_script_json_escapes_everything_that_could_end_a_script():
    text = script_json({"t": "</script><b>&\u2028\u2029"})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"t": "</script><b>&\u2028\u2029"}


def test_seed_report_holds_every_item_and_loads_nothing_from_the_network(seed_run):
    html = seed_run["html"].read_text(encoding="utf-8")
    assert embedded_data(html)["points"]["text"] == list(seed_run["export"]["text"])
    assert re.search(r"<script[^>]+src=", html) is None
    assert "<link" not in html
    assert "cdn.plot.ly" not in html.split("/*! For license information")[0][:2000]


def tiny_data(texts: list[str]) -> dict:
    n = len(texts)
    frame = pd.DataFrame(
        {"doc_id": [str(i) for i in range(n)], "kind": "headline", "text": texts,
         "topic": [0] * n, "topic_label": "t", "x": np.arange(n, dtype=float), "y": np.zeros(n),
         "story": [0] * n, "story_label": "t"}
    )
    topics = pd.DataFrame([{"id": 0, "name": texts[0], "size": n, "keywords": texts[:2], "representatives": texts[:2]}])
    meta = {"input": texts[0], "items": n, "model": "m", "parameters": {"level": texts[1]}, "version": "0", "generated": "now"}
    return report_data(frame, topics, topics, meta)


def test_hostile_text_never_lands_in_html_unescaped():
    hostile = ["<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "a\u2028b"]
    html = render_html(tiny_data(hostile), title=hostile[0], plotlyjs="cdn")
    assert "<img src=x" not in html and "<script>alert(2)" not in html


def test_cdn_option_makes_a_small_file():
    assert len(render_html(tiny_data(["a", "b"]), "t", plotlyjs="cdn")) < 100_000


@pytest.mark.browser
def test_seed_report_in_chromium(seed_run):
    with open_report(seed_run["html"]) as (page, log):
        assert page.evaluate("document.querySelector('#map').data[0].x.length") == 23
        page.fill("#search", "IRAN")
        highlighted = page.evaluate(
            "window.topicmap.data.points.text.map((_, i) => window.topicmap.isHighlighted(i))"
        )
        texts = seed_run["export"]["text"]
        assert highlighted == ["iran" in t.lower() for t in texts]
        assert page.inner_text("#search-count") == f"{sum(highlighted)} matches"
        page.fill("#search", "")
        page.click("#topics tbody tr >> nth=0")
        selected = page.evaluate("window.topicmap.state.selected")
        isolated = page.evaluate("window.topicmap.data.points.topic.map((_, i) => window.topicmap.isHighlighted(i))")
        assert isolated == [t == selected for t in seed_run["export"]["topic"]]
        assert page.locator("#detail-items li").count() == sum(isolated)
        page.screenshot(path=str(seed_run["html"].with_suffix(".png")))
    assert log["console_errors"] == [] and log["page_errors"] == []
    assert log["requests"] == [] and log["dialogs"] == []


@pytest.mark.browser
def test_hostile_corpus_runs_nothing_in_chromium(tmp_path):
    corpus = tmp_path / "hostile.csv"
    texts = [
        "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>", "<a href='javascript:alert(3)'>x</a>",
        "line\u2028separator\u2029here", "Normal headline about markets", "Another about markets today",
        "<svg onload=alert(4)>", "&lt;escaped&gt; already",
    ]
    pd.DataFrame({"text": texts, "source": ["<b>bold</b>"] * len(texts)}).to_csv(corpus, index=False)
    out = tmp_path / "hostile.html"
    topicmap("report", str(corpus), "-o", str(out), "-q", check=True)
    with open_report(out) as (page, log):
        # The loader collapses whitespace runs (U+2028/U+2029 included) to one space.
        assert page.evaluate("window.topicmap.data.points.text") == [" ".join(t.split()) for t in texts]
        page.hover("#map")
        page.fill("#search", "script")
        page.click("#topics tbody tr >> nth=0") if page.locator("#topics tbody tr").count() else None
        assert page.locator("img[src=x], svg[onload]").count() == 0
    assert log["dialogs"] == [] and log["page_errors"] == [] and log["requests"] == []
