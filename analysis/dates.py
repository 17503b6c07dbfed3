"""The items' dates: parsed once per column, read as undated when no date can be (a typo such
as 9999-12-31, a placeholder far from the others), and binned for the report's timeline."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from analysis.load import is_missing

#: Input columns read as the item's date for the timeline, first found wins.
DATE_COLUMNS = ("date", "published")
#: Dates outside these years (a typo such as 9999-12-31 or -2014-03-11) count as undated on
#: the timeline; the export keeps them as written.
DATE_YEARS = (1900, 2100)
_PERIODS = {"hour": "h", "day": "D", "week": "W-SUN", "month": "M", "year": "Y"}
_LABELS = {"hour": "%Y-%m-%d %H:00", "day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}
FAR_OFF = 10  # spans of the middle 98% of the dates beyond which a date is far from the others


def timeline(extra: dict, n: int) -> dict | None:
    """Binning of the items' dates when the input has a date column (see DATE_COLUMNS) that
    parses for at least half of the items, else None: {unit, column, labels, undated, years,
    value_bins, start, value_days, bin_days} where value_bins[k] is the bin of the column's
    k-th distinct value (-1: no date), value_days[k] its step (an hour when unit is "hour",
    else a day) counted from `start` (the first date, YYYY-MM-DD, or YYYY-MM-DDTHH by the
    hour; -1: no date) and bin_days the first step of each bin, then the step after the last
    bin. `undated` counts the items without a date in DATE_YEARS (`years`) or far from the
    others' (`far_off`: "1900-01-01" in a corpus of 2014). A few hundred bins
    at most: hours under three days (when the dates have times), days up to two months, weeks up to two years, months up
    to thirty years, years beyond."""
    column = next((c for c in DATE_COLUMNS if c in extra), None)
    if column is None:
        return None
    values, codes = extra[column]["values"], extra[column]["codes"]
    counts = np.bincount(codes, minlength=len(values)) if codes is not None else np.array([n])
    stamps = parse_dates(pd.Series(values, dtype=object))
    stamps = stamps.where(~far_off(stamps, counts))
    dated = stamps.notna().to_numpy()
    if counts[dated].sum() < max(1, n / 2):
        return None
    naive = stamps.dt.tz_convert(None)
    timed = counts[dated & (naive != naive.dt.normalize()).to_numpy()].sum() >= counts[dated].sum() / 2
    unit = time_unit(stamps.max() - stamps.min(), timed)
    periods = naive.dt.to_period(_PERIODS[unit])
    bins = pd.period_range(periods.min(), periods.max(), freq=_PERIODS[unit])
    if len(bins) < 2:
        return None
    position = {period: i for i, period in enumerate(bins)}
    hourly = unit == "hour"
    step = pd.Timedelta(hours=1) if hourly else pd.Timedelta(days=1)
    steps = naive.dt.floor("h") if hourly else naive.dt.normalize()
    start = steps.min()
    last = bins[-1].end_time.floor("h") if hourly else bins[-1].end_time.normalize()
    bounds = [p.start_time for p in bins] + [last + step]
    return {
        "unit": unit,
        "column": column,
        "labels": [p.start_time.strftime(_LABELS[unit]) for p in bins],
        "undated": int(counts[~dated].sum()),
        "years": list(DATE_YEARS),
        "value_bins": [position[p] if ok else -1 for p, ok in zip(periods, dated)],
        "start": start.strftime("%Y-%m-%dT%H" if hourly else "%Y-%m-%d"),
        "value_days": [int((d - start) // step) if ok else -1 for d, ok in zip(steps, dated)],
        "bin_days": [int((b - start) // step) for b in bounds],
        "utc": any(_ZONED.search(str(v).strip()) for v, ok in zip(values, dated) if ok),
    }


#: A date written with its time zone ("...T01:00+05:00", "...Z"): the timeline counts it in UTC.
_ZONED = re.compile(r"\d[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})$", re.I)


def far_off(stamps: pd.Series, counts: np.ndarray) -> np.ndarray:
    """Which dates lie FAR_OFF times the span of the middle of the items (all but the 1%, and
    at least one item, at each end; `counts` items per date) beyond it: a placeholder
    ("1900-01-01", "2099-12-31") in a corpus of one year, which would stretch the timeline over
    two centuries and make "New since" a date to come."""
    dated = stamps.notna().to_numpy()
    far = np.zeros(len(stamps), dtype=bool)
    total = int(counts[dated].sum())
    trim = max(1, int(np.ceil(0.01 * total)))
    if total - 1 - trim < trim:
        return far
    seconds = stamps[dated].astype("int64").to_numpy() / 1e9
    order = np.argsort(seconds, kind="stable")
    cumulative = np.cumsum(counts[dated][order])
    low = seconds[order][np.searchsorted(cumulative, trim, side="right")]
    high = seconds[order][np.searchsorted(cumulative, total - 1 - trim, side="right")]
    reach = FAR_OFF * max(high - low, 86400.0)
    far[np.flatnonzero(dated)] = (seconds < low - reach) | (seconds > high + reach)
    return far


def time_unit(span: pd.Timedelta, timed: bool = True) -> str:
    """The timeline's bin for dates spanning `span`: at most a few hundred bins. Hours only
    when the dates have times of day (`timed`: most are not at midnight)."""
    days = span / pd.Timedelta(days=1)
    if days < 3 and timed:
        return "hour"
    return "day" if days <= 62 else "week" if days <= 730 else "month" if days <= 30 * 366 else "year"


def parse_dates(values: pd.Series) -> pd.Series:
    """Strings to UTC timestamps, NaT where a value is no date (ISO 8601 first, then any
    format) or lies outside DATE_YEARS: one mistyped year must not stretch the timeline."""
    text = values.map(lambda v: None if is_missing(v) or not str(v).strip() else str(v).strip())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stamps = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        if stamps.notna().sum() < text.notna().sum():
            rest = text[stamps.isna() & text.notna()].astype(str)
            found = pd.to_datetime(rest, utc=True, errors="coerce", format="mixed", dayfirst=_day_first(rest))
            stamps = stamps.fillna(found.reindex(stamps.index))
    years = stamps.dt.year
    return stamps.where((years >= DATE_YEARS[0]) & (years <= DATE_YEARS[1]))


def _day_first(text: pd.Series) -> bool:
    """Whether a column's numeric dates ("11/03/2014", "11.03.2014") put the day first, read
    once for the whole column, so no value is read one way and the next the other: a first
    number over 12 says day first, a second one over 12 month first; with no such value,
    dotted dates are read day first (as in Europe), others month first."""
    parts = text.str.extract(r"^(\d{1,2})([./-])(\d{1,2})[./-]\d{2,4}\b").dropna()
    if parts.empty:
        return False
    first, second = parts[0].astype(int), parts[2].astype(int)
    if (first > 12).any() != (second > 12).any():
        return bool((first > 12).any())
    return bool((parts[1] == ".").mean() > 0.5)
