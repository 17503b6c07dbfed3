"""Shared steps of the bench-set build scripts: read a file from a git snapshot of a public
repository, clean the texts the same way for every set, keep a fixed random sample, write CSV."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd

CAP = 5_000  # rows kept per set: enough to measure (250 a group at 20 groups), quick to embed on a laptop CPU
HERE = Path(__file__).resolve().parent


def git_file(git_dir: str, commit: str, path: str, encoding: str = "utf-8") -> list[str]:
    """Lines of `path` at `commit` in the repository at `git_dir` (a clone or a bare git dir)."""
    raw = subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout
    return raw.decode(encoding).lstrip("\ufeff").splitlines()


def git_blob(git_dir: str, commit: str, path: str) -> bytes:
    """Raw bytes of `path` at `commit` (for XML or other files read whole, not as lines)."""
    return subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout


def git_paths(git_dir: str, commit: str, folder: str) -> list[str]:
    """Paths of the files under `folder` at `commit`, sorted."""
    out = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", commit, folder],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(out.splitlines())


def write_sample(frame: pd.DataFrame, name: str, seed: int = 0, cap: int = CAP) -> Path:
    """Collapse whitespace, drop empty and exactly repeated texts (first kept), keep a fixed
    random sample of at most `cap` rows in source order, and write `name` beside this file."""
    frame = frame.assign(text=frame["text"].str.split().str.join(" "))
    frame = frame[frame["text"].str.len() > 0].drop_duplicates("text").reset_index(drop=True)
    if len(frame) > cap:
        frame = frame.sample(cap, random_state=seed).sort_index()
    out = HERE / name
    frame.to_csv(out, index=False)
    print(f"{out.name}: {len(frame)} rows, {frame.iloc[:, 1].nunique()} groups")
    return out
