"""A content-addressed embedding cache: a re-run never pays for embedding the same text twice.

Layout: ``<cache dir>/<model key>/<shard>.npz``, each shard holding ``keys`` (16-byte hashes of
exact texts) and ``vectors``. A run adds one new shard with what it embedded, written to a
temporary file and renamed, so concurrent runs never see a half-written shard and a killed
run leaves none. Every lookup reads every shard's keys, so past MAX_SHARDS the smallest are
merged into one (written first, the merged ones deleted after: a concurrent run at worst
embeds a text again); a year of daily runs stays a few shards (550 shards took 1.3 s of a
2,000-item fit), and a large shard is rarely rewritten. Keys are stored in order and the
vectors are mapped from the file, not read, so a lookup of 300 texts in a 200,000-row shard
reads their rows: 7 ms against 183 ms reading it whole (benchmarks/cache_lookup.py). A shard that cannot be read, or holds vectors of another width than the
model's, or values that are not finite floats, is deleted with a warning and its texts are
simply embedded again; an entry that is not a file is skipped. A cache that cannot be written
warns and the run goes on.
"""

from __future__ import annotations

import hashlib
import warnings
import zipfile
from pathlib import Path

import numpy as np

from analysis.files import atomic_path
from analysis.meta import user_cache_dir

KEY_BYTES = 16
MAX_SHARDS = 16  # past this many, the smallest shards are merged, leaving MAX_SHARDS // 2


def default_cache_dir() -> Path:
    """$TOPICMAP_CACHE, else $XDG_CACHE_HOME/topicmap, else ~/.cache/topicmap."""
    return user_cache_dir()


def text_keys(texts: list[str]) -> np.ndarray:
    """One fixed-width hash per exact text (an ``S16`` array)."""
    return np.array(
        [hashlib.blake2b(t.encode("utf-8"), digest_size=KEY_BYTES).digest() for t in texts], dtype=f"S{KEY_BYTES}"
    )


class EmbeddingCache:
    """Embeddings of one model, looked up by exact text."""

    def __init__(self, root: str | Path, model_key: str) -> None:
        digest = hashlib.blake2b(model_key.encode("utf-8"), digest_size=8).hexdigest()
        self.folder = Path(root) / "embeddings" / digest

    def lookup(self, keys: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Return (found mask, vectors for the found keys in order, or None when none are);
        only shards of `dim`-wide vectors count."""
        found = np.zeros(len(keys), dtype=bool)
        vectors: np.ndarray | None = None
        if not self.folder.is_dir():
            return found, None
        for shard in sorted(self.folder.glob("*.npz")):
            if not shard.is_file():
                warnings.warn(f"embedding cache entry {shard} is not a file; ignored it", stacklevel=3)
                continue
            shard_keys, shard_vectors = self._read(shard, dim)
            if shard_keys is None or shard_vectors is None or len(shard_keys) == 0:
                continue
            if (shard_keys[1:] >= shard_keys[:-1]).all():  # as written since 0.2.0
                order, ordered = None, shard_keys
            else:
                order = np.argsort(shard_keys)
                ordered = shard_keys[order]
            position = np.clip(np.searchsorted(ordered, keys), 0, len(ordered) - 1)
            hit = (ordered[position] == keys) & ~found
            if hit.any():
                wanted = position[hit] if order is None else order[position[hit]]
                rows = np.asarray(shard_vectors[wanted], dtype=np.float32)
                if not np.isfinite(rows).all():
                    self._discard(shard, "vectors that are not finite numbers")
                    continue
                if vectors is None:
                    vectors = np.zeros((len(keys), shard_vectors.shape[1]), dtype=np.float32)
                vectors[hit] = rows
                found |= hit
            if found.all():
                break
        return found, (vectors[found] if vectors is not None else None)

    def store(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add a shard; its name is the hash of its keys, so storing twice is harmless."""
        if len(keys) == 0:
            return
        name = hashlib.blake2b(keys.tobytes(), digest_size=12).hexdigest()
        target = self.folder / f"{name}.npz"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if target.exists():
                return
            self._write(target, keys, vectors)
            self._compact()
        except OSError as exc:  # the cache only saves time: a run never fails on it
            warnings.warn(
                f"cannot write the embedding cache in {self.folder} ({exc.strerror or exc}); going on without it",
                stacklevel=3,
            )

    @staticmethod
    def _write(target: Path, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Write a shard with its keys in order, so a lookup needs no sort."""
        order = np.argsort(keys, kind="stable")
        with atomic_path(target) as tmp, open(tmp, "wb") as handle:
            np.savez(handle, keys=keys[order], vectors=vectors[order].astype(np.float32))

    def _compact(self) -> None:
        """Merge the smallest shards into one when there are more than MAX_SHARDS."""
        shards = []
        for shard in self.folder.glob("*.npz"):
            try:
                if shard.is_file():
                    shards.append((shard.stat().st_size, shard.name, shard))
            except FileNotFoundError:  # merged by another run since it was listed
                continue
        if len(shards) <= MAX_SHARDS:
            return
        smallest = [shard for _, _, shard in sorted(shards)[: len(shards) - MAX_SHARDS // 2 + 1]]
        read, parts = [], []
        for shard in smallest:
            keys, vectors = self._read(shard, None)
            if keys is not None and vectors is not None:
                vectors = np.asarray(vectors, dtype=np.float32)
                if not np.isfinite(vectors).all():
                    self._discard(shard, "vectors that are not finite numbers")
                    continue
                read.append(shard)
                parts.append((keys, vectors))
        if len(parts) < 2 or len({vectors.shape[1] for _, vectors in parts}) > 1:
            return
        keys, first = np.unique(np.concatenate([k for k, _ in parts]), return_index=True)
        vectors = np.concatenate([v for _, v in parts])[first]
        target = self.folder / f"{hashlib.blake2b(keys.tobytes(), digest_size=12).hexdigest()}.npz"
        if not target.exists():
            self._write(target, keys, vectors)
        for shard in read:
            if shard != target:
                shard.unlink(missing_ok=True)

    def _read(self, shard: Path, dim: int | None) -> tuple[np.ndarray | None, np.ndarray | None]:
        """A shard's keys, and its vectors mapped from the file (read when indexed), so a
        lookup of a few texts in a large shard reads their rows, not the whole shard."""
        try:
            keys, vectors = _mapped(shard)
        except FileNotFoundError:  # another run deleted it as corrupt since it was listed
            return None, None
        except Exception as exc:
            return self._discard(shard, exc)
        if keys.dtype != np.dtype(f"S{KEY_BYTES}") or keys.ndim != 1 or vectors.ndim != 2 or len(keys) != len(vectors):
            return self._discard(shard, "unexpected contents")
        if dim is not None and vectors.shape[1] != dim:
            return self._discard(shard, f"vectors {vectors.shape[1]} wide, the model's are {dim}")
        if not np.issubdtype(vectors.dtype, np.floating):
            return self._discard(shard, "vectors that are not finite numbers")
        return keys, vectors

    @staticmethod
    def _discard(shard: Path, reason: object) -> tuple[None, None]:
        """Delete an unreadable shard with a warning; its texts are embedded again."""
        try:
            shard.unlink(missing_ok=True)
            done = "deleted it"
        except OSError:
            done = "could not delete it"
        warnings.warn(f"embedding cache shard {shard} is corrupt ({reason}); {done}, will embed again", stacklevel=4)
        return None, None


def _mapped(shard: Path) -> tuple[np.ndarray, np.ndarray]:
    """The keys of an .npz shard, read, and its vectors as a read-only memory map into it
    (np.savez stores members uncompressed); a compressed one is read whole."""
    with zipfile.ZipFile(shard) as archive:
        info = archive.getinfo("vectors.npy")
        with archive.open("keys.npy") as handle:
            keys = np.lib.format.read_array(handle, allow_pickle=False)
        if info.compress_type != zipfile.ZIP_STORED:
            with archive.open(info) as handle:
                return keys, np.lib.format.read_array(handle, allow_pickle=False)
    with open(shard, "rb") as raw:
        raw.seek(info.header_offset)
        header = raw.read(30)  # the member's local header: its name and extra field follow
        if header[:4] != b"PK\x03\x04":
            raise ValueError("no zip member where the directory says")
        start = (
            info.header_offset + 30 + int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little")
        )
        raw.seek(start)
        version = np.lib.format.read_magic(raw)
        shape, fortran, dtype = _header(raw, version)
        offset = raw.tell()
    if dtype.hasobject:
        raise ValueError("object vectors")
    if int(np.prod(shape)) == 0:
        return keys, np.zeros(shape, dtype=dtype)
    return keys, np.memmap(shard, dtype=dtype, mode="r", offset=offset, shape=shape, order="F" if fortran else "C")


def _header(handle, version: tuple[int, int]) -> tuple[tuple[int, ...], bool, np.dtype]:
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(handle)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(handle)
    raise ValueError(f"npy format {version}")
