"""The topic map as a plotly Figure, for notebooks (the HTML report builds its own in JS)."""

from __future__ import annotations

import pandas as pd

from analysis.report import NOISE_COLOR, topic_color


def topic_figure(frame: pd.DataFrame, topics: pd.DataFrame, level: str = "topic"):
    """One WebGL trace per group of `level` (the export's column of that name; legend entries
    isolate them), unclustered items in grey, names at the groups' medians."""
    import plotly.graph_objects as go

    names = dict(zip(topics["id"], topics["name"]))
    figure = go.Figure()
    for topic, group in frame.groupby(level, sort=True):
        noise = topic < 0
        figure.add_trace(
            go.Scattergl(
                x=group["x"],
                y=group["y"],
                mode="markers",
                name="Unclustered" if noise else f"{names.get(topic, topic)} ({len(group)})",
                text=group["text"],
                hovertemplate="%{text}<extra>%{fullData.name}</extra>",
                marker={
                    "size": 5 if noise else 7,
                    "color": NOISE_COLOR if noise else topic_color(int(topic)),
                    "opacity": 0.5 if noise else 0.85,
                },
            )
        )
        if not noise:
            figure.add_annotation(
                x=group["x"].median(),
                y=group["y"].median(),
                text=names.get(topic, str(topic)),
                showarrow=False,
                bgcolor="rgba(255,255,255,0.75)",
                font={"size": 12},
            )
    figure.update_layout(
        template="plotly_white",
        height=650,
        legend={"itemsizing": "constant"},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return figure
