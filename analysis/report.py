"""Write the self-contained HTML topic map: one Jinja2 template, plotly.js and assets inlined."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.files import atomic_path

# Colour-blind-friendly categorical colours; topic t gets PALETTE[t % len(PALETTE)].
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
)
NOISE_COLOR = "#b8b8b8"
HOVER_COLUMNS = ("source", "date", "published")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def topic_color(topic: int) -> str:
    """The stable colour of a topic id (grey for unclustered)."""
    return NOISE_COLOR if topic < 0 else PALETTE[topic % len(PALETTE)]


def script_json(value) -> str:
    """JSON that is safe inside a <script> element: no </script>, no HTML, no JS line breaks."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def report_data(frame: pd.DataFrame, topics: pd.DataFrame, stories: pd.DataFrame, meta: dict) -> dict:
    """The page's data as compact column arrays (not one dict per point)."""
    extra = {
        col: [("" if _missing(v) else str(v)) for v in frame[col]]
        for col in HOVER_COLUMNS
        if col in frame.columns
    }
    return {
        "points": {
            "x": frame["x"].astype(float).round(4).tolist(),
            "y": frame["y"].astype(float).round(4).tolist(),
            "topic": frame["topic"].astype(int).tolist(),
            "story": frame["story"].astype(int).tolist(),
            "text": frame["text"].astype(str).tolist(),
            "kind": frame["kind"].astype(str).tolist(),
            "doc_id": frame["doc_id"].astype(str).tolist(),
            "extra": extra,
        },
        "topics": _topic_records(topics, frame, "topic"),
        "stories": _topic_records(stories, frame, "story"),
        "noise_color": NOISE_COLOR,
        "meta": meta,
    }


def _topic_records(topics: pd.DataFrame, frame: pd.DataFrame, column: str) -> list[dict]:
    coords = frame[["x", "y"]].to_numpy(dtype=float)
    labels = frame[column].to_numpy()
    records = []
    for row in topics.itertuples(index=False):
        members = coords[labels == row.id]
        centre = np.median(members, axis=0) if len(members) else np.zeros(2)
        records.append(
            {
                "id": int(row.id),
                "name": str(row.name),
                "size": int(row.size),
                "keywords": [str(k) for k in row.keywords],
                "representatives": [str(r) for r in row.representatives],
                "color": topic_color(int(row.id)),
                "cx": round(float(centre[0]), 4),
                "cy": round(float(centre[1]), 4),
            }
        )
    return records


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def render_html(data: dict, title: str, plotlyjs: str = "inline") -> str:
    """Render the report page around `data` (see report_data)."""
    import jinja2

    assets = resources.files("analysis") / "assets"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(assets)), autoescape=True, keep_trailing_newline=True
    )
    template = env.get_template("report.html.j2")
    if plotlyjs == "inline":
        from plotly.offline import get_plotlyjs

        plotly_tag = {"inline": get_plotlyjs(), "src": None}
    else:
        from plotly.offline import get_plotlyjs_version

        plotly_tag = {"inline": None, "src": f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"}
    return template.render(
        title=title,
        meta=data["meta"],
        css=(assets / "report.css").read_text(encoding="utf-8"),
        js=(assets / "report.js").read_text(encoding="utf-8"),
        plotly=plotly_tag,
        data_json=script_json(data),
    )


def write_report(path: str | Path, data: dict, title: str, plotlyjs: str = "inline") -> None:
    """Render and write the page atomically (no partial file on failure)."""
    html = render_html(data, title, plotlyjs)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


def generated_at() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
