"""Biomedical paper titles (PubMed, via BioASQ) with one of 20 MeSH-derived groups, the
short-text clustering set of Xu et al. 2017, as copied in goamegah/Short-Text-Clustering.

    git clone https://github.com/goamegah/Short-Text-Clustering /tmp/stc && python data/bench/build_biomedical.py /tmp/stc/.git
"""

from __future__ import annotations

import sys

import pandas as pd
from bench_source import git_file, write_sample

COMMIT = "3b60e4e6c7f6d5bcd2a58da68c2dec2a2c48b341"

if __name__ == "__main__":
    titles = git_file(sys.argv[1], COMMIT, "datasets/Biomedical/Biomedical.txt")
    labels = git_file(sys.argv[1], COMMIT, "datasets/Biomedical/Biomedical_gnd.txt", encoding="utf-16")
    write_sample(
        pd.DataFrame({"text": titles, "label": [f"group{int(x)}" for x in labels]}), "biomedical_titles_5k.csv"
    )
