"""Bytes to text and tables: the decoding the loader does before it reads items.

Text files are UTF-8 (a BOM is fine), UTF-16 with or without a BOM, else Windows-1252, each
guess said in a warning; CSV and TSV are read by their header's separator, JSONL a line an
object, Parquet with pyarrow. Anything unreadable is one InputError line naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import warnings
from pathlib import Path

import pandas as pd

from analysis.errors import InputError

#: A lone surrogate (a JSON escape such as \ud800, or a byte a file name holds that is not UTF-8).
SURROGATE = re.compile("[\ud800-\udfff]")


def read_text(path: Path) -> str:
    """UTF-8 (a BOM is fine), UTF-16 with a BOM, else Windows-1252 with a warning.

    A file whose non-ASCII bytes mostly form valid UTF-8 is UTF-8: a few stray bad bytes are
    replaced (U+FFFD) and their lines named, rather than the whole file read as Windows-1252.
    A few NUL bytes are removed with a warning; NULs in a file that is not UTF-8 or is over 5%
    control bytes mean it is not text (an image, an archive, a spreadsheet): it is refused.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}); check its permissions") from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path} starts like UTF-16 but is not: save it as UTF-8") from exc
    wide = _utf16_without_bom(data)
    if wide:
        warnings.warn(f"{path} is UTF-16 without a byte-order mark; read it as {wide}", stacklevel=3)
        return data.decode(wide)
    text = data.decode("utf-8-sig", errors="surrogateescape")
    bad = [m.start() for m in _SURROGATE_BYTE.finditer(text)]
    if b"\x00" in data:
        if bad or _looks_binary(data):
            raise InputError(f"{path} is not a text file (it holds NUL and control bytes): give a UTF-8 text file")
        warnings.warn(f"{path}: removed {data.count(0)} NUL characters", stacklevel=3)
        text = text.replace("\x00", "")
    if not bad:
        return text
    if len(_NON_ASCII.findall(text)) > 2 * len(bad):  # more valid UTF-8 characters than bad bytes
        lines = sorted({text.count("\n", 0, i) + 1 for i in bad[:50]})
        shown = ", ".join(map(str, lines[:5])) + (" and more" if len(lines) > 5 else "")
        warnings.warn(
            f"{path}: replaced {len(bad)} bytes that are not UTF-8 with U+FFFD "
            f"(line{'s' if len(lines) > 1 else ''} {shown})",
            stacklevel=3,
        )
        return _SURROGATE_BYTE.sub("\ufffd", text)
    warnings.warn(f"{path} is not UTF-8; read it as Windows-1252 (cp1252)", stacklevel=3)
    return data.decode("cp1252", errors="replace")


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for text saved so without a BOM (by some Windows tools):
    every other byte of its first 8 kB NUL, as in ASCII text so saved, and it decodes."""
    head = data[: 8192 & ~1]
    if len(head) < 4 or len(data) % 2:
        return None
    for encoding, zeros, others in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        if zeros.count(0) > 0.9 * len(zeros) and others.count(0) < 0.1 * len(others):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding if not _looks_binary(text.encode("utf-8")) else None
    return None


def _looks_binary(data: bytes) -> bool:
    """More than 5% of the first 8 kB are control bytes other than whitespace: an image, an
    archive, a spreadsheet. A stray NUL in a scraped text is not."""
    head = data[:8192]
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\x0b\x0c\x1b")
    return controls > 0.05 * len(head)


_SURROGATE_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def read_table(path: Path, suffix: str) -> pd.DataFrame:
    if suffix == ".parquet":
        try:
            return pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
            raise InputError(f"{path} is not a readable Parquet file ({exc}); check the file") from exc
    text = read_text(path)
    if suffix in (".jsonl", ".ndjson"):
        return _parse_jsonl(text, path)
    kind = suffix[1:].upper()
    # A blank line is a row with no text (dropped and counted), not nothing at all.
    lead = re.match(r"(?:[ \t]*(?:\r\n|\r|\n))*", text)
    skipped, text = (
        (lead.group().count("\n") or lead.group().count("\r")) if lead else 0,
        text[lead.end() if lead else 0 :],
    )
    sep = separator(text, suffix)
    try:
        with warnings.catch_warnings():
            # A first row longer than the header: an error like any other ragged row, not a
            # silent row index (index_col=False) or lost fields.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            table = pd.read_csv(
                io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, index_col=False, skip_blank_lines=False
            )
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
    except pd.errors.ParserWarning as exc:
        raise InputError(
            f"{path} is not valid {kind}: a row has more fields than the header; check its quotes and separators"
        ) from exc
    except pd.errors.ParserError as exc:
        reason = " ".join(str(exc).split()).removeprefix("Error tokenizing data. C error: ")
        ragged = re.match(r"Expected (\d+) fields in line (\d+), saw (\d+)", reason)
        if ragged:  # pandas counts rows; a quoted cell may hold line breaks, so say the file's line
            line = skipped + _line_of_row(text, sep, int(ragged.group(2)))
            reason = f"line {line} has {ragged.group(3)} fields where the header has {ragged.group(1)}"
        raise InputError(f"{path} is not valid {kind}: {reason}; check its quotes and separators") from exc
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
    except csv.Error:  # a header pandas read but the csv module will not: no repeats to name
        header = []
    table.attrs["repeated"] = sorted({name for name in header if name.strip() and header.count(name) > 1})
    return table


def separator(text: str, suffix: str) -> str:
    """A .tsv's tab; a .csv's comma, or the semicolon or tab its header holds where it holds
    no comma (a spreadsheet saved in a locale whose decimal mark is a comma)."""
    if suffix == ".tsv":
        return "\t"
    header = text.split("\n", 1)[0]
    if "," not in header:
        for sep in (";", "\t"):
            if sep in header:
                return sep
    return ","


def _line_of_row(text: str, sep: str, row: int) -> int:
    """The line of `text` on which its `row`-th row (1 = the header) ends."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        for number, _ in enumerate(reader, 1):
            if number == row:
                return reader.line_num
    except csv.Error:
        pass
    return row


def _parse_jsonl(text: str, path: Path) -> pd.DataFrame:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not valid JSON ({exc.msg}); fix or remove that line") from exc
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, nesting too deep
            reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
            raise InputError(f"{path}:{number}: JSON that cannot be read ({reason}); fix or remove that line") from exc
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: expected a JSON object a line, got {type(row).__name__}")
        rows.append(without_surrogates(row) if "\\u" in line else row)
    return _whole_numbers_kept(pd.DataFrame(rows), rows)


def _whole_numbers_kept(table: pd.DataFrame, rows: list[dict]) -> pd.DataFrame:
    """`table` with each column of whole numbers and nulls held as whole numbers: pandas reads
    it as floats, so 5 came back as 5.0 and a 17-digit id lost its last digits."""
    for column in table.columns[table.dtypes.map(pd.api.types.is_float_dtype)]:
        values = [row.get(column) for row in rows]
        if all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
            wide = any(v is not None and not -(2**63) <= v < 2**63 for v in values)
            table[column] = pd.Series(values, index=table.index, dtype=object if wide else "Int64")
    return table


def without_surrogates(value):
    """A parsed JSON value with lone surrogates (escapes such as \\ud800) in its strings
    replaced by U+FFFD, so that UTF-8 (and Arrow) can hold it."""
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value
