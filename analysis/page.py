"""The report page itself: one Jinja2 template (autoescaped) around the page's data, with the
JS and CSS of assets/ and plotly.js inlined, gzipped where large, so the page loads nothing
from the network; written atomically, or shown inline in Jupyter."""

from __future__ import annotations

import functools
import json
import os
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import InputError
from analysis.files import atomic_path, check_folder, check_name_length

if TYPE_CHECKING:
    import jinja2

#: Asset files inlined into the page, in this order (the JS files share one function scope).
JS_ASSETS = (
    "util.js",
    "model.js",
    "map.js",
    "panel.js",
    "filters.js",
    "overview.js",
    "select.js",
    "color.js",
    "table.js",
    "tree.js",
    "link.js",
    "news.js",
    "search.js",
    "report.js",
)
CSS_ASSETS = ("report.css", "search.css")
#: The page's data is gzipped (like plotly.js) when its JSON is longer than this.
PACK_DATA_CHARS = 1_000_000
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value) -> str:
    """JSON that is safe inside a <script> element: no </script>, no HTML, no JS line breaks."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def render_html(data: dict, title: str, plotlyjs: str = "inline") -> str:
    """Render the report page around `data` (see report_data); plotlyjs is inline (gzipped in
    the page, unpacked by the browser) or cdn. The page's code is gzipped too, and so is data
    over PACK_DATA_CHARS."""
    data_json = script_json(data)
    packed = len(data_json) > PACK_DATA_CHARS
    return (
        _templates()
        .get_template("report.html.j2")
        .render(
            title=title,
            meta=data["meta"],
            css=read_assets(CSS_ASSETS),
            js_packed=_packed_page_code(),
            plotly=_plotly_tag(plotlyjs),
            data_json=gzip_base85(data_json) if packed else data_json,
            data_packed=packed,
        )
    )


def gzip_base85(text: str) -> str:
    """`text` as UTF-8, gzipped, in base 85 (RFC 1924's digits, with `&<>` written `:,.` so no
    markup can form): what the page unpacks with DecompressionStream. Base 85 makes a page
    about 120 kB smaller than base 64 would (5 characters for 4 bytes instead of 4 for 3)."""
    import base64
    import gzip

    packed = base64.b85encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return packed.decode("ascii").translate(_PAGE_DIGITS)


_PAGE_DIGITS = str.maketrans("&<>", ":,.")


class InlineReport:
    """A report page shown inline in Jupyter: a sandboxed iframe (scripts and downloads only, no
    access to the notebook) whose srcdoc is the whole page, escaped."""

    def __init__(self, page: str, height: int = 760) -> None:
        if isinstance(height, bool) or not isinstance(height, int) or not 200 <= height <= 10_000:
            raise InputError(f"height={height!r}: give the frame's height in pixels, an integer from 200 to 10000")
        self.page = page
        self.height = height

    def _repr_html_(self) -> str:
        return _templates().get_template("inline.html.j2").render(page=self.page, height=self.height)


def _templates() -> jinja2.Environment:
    """The Jinja2 templates of assets/, autoescaped."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_assets_dir())), autoescape=True, keep_trailing_newline=True
    )


def read_assets(names: tuple[str, ...]) -> str:
    """The named asset files joined; refuses any that could close its <script> or <style>."""
    parts = []
    for name in names:
        text = (_assets_dir() / name).read_text(encoding="utf-8")
        if "</script" in text.lower() or "</style" in text.lower():
            raise ValueError(f"asset {name} contains a closing </script> or </style> tag")
        parts.append(f"/* {name} */\n{text}")
    return "\n".join(parts)


def _assets_dir():
    return resources.files("analysis") / "assets"


def check_plotlyjs(plotlyjs: object) -> None:
    if plotlyjs not in ("inline", "cdn"):
        raise InputError(f"plotlyjs={plotlyjs!r}: use 'inline' (works offline) or 'cdn'")


def _plotly_tag(plotlyjs: str) -> dict:
    check_plotlyjs(plotlyjs)
    if plotlyjs == "inline":
        return {"packed": _packed_plotly(), "src": None}
    if plotlyjs == "cdn":
        from plotly.offline import get_plotlyjs_version

        return {"packed": None, "src": f"https://cdn.plot.ly/plotly-{get_plotlyjs_version()}.min.js"}
    raise AssertionError(plotlyjs)


@functools.cache
def _packed_page_code() -> str:
    """The page's own code (the JS assets, 130 kB) gzipped in base 85 (about 40 kB), made once
    a process: it kept the seed page under 2 MB as the code grew."""
    return gzip_base85(read_assets(JS_ASSETS) + "\n//# sourceURL=topicmap.js\n")


@functools.cache
def _packed_plotly() -> str:
    """plotly.js gzipped and in base 85 (1.8 MB instead of 4.8), made once a process."""
    from plotly.offline import get_plotlyjs

    return gzip_base85(get_plotlyjs())


def check_report_path(path: object) -> Path:
    """`path` as a Path if it can name the page: an .html or .htm file name, not a folder.
    The suffix is what keeps a slip (the input's name, an export's) from being overwritten."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"path={path!r}: give the report's file name, ending in .html")
    target = Path(path)
    check_name_length(target, str(target))
    if target.is_dir():
        raise InputError(f"{target} is a folder: give the path of a file ending in .html")
    if target.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"{target}: the report is HTML; give a file name ending in .html")
    check_folder(target, str(target))
    return target


def write_report(path: str | Path, data: dict, title: str, plotlyjs: str = "inline") -> None:
    """Render and write the page atomically (no partial file on failure)."""
    path = check_report_path(path)
    html = render_html(data, title, plotlyjs)
    with atomic_path(path) as tmp:
        tmp.write_text(html, encoding="utf-8")


def generated_at() -> str:
    """The time of generation for the provenance footer (UTC, to the minute)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
