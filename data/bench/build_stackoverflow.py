"""StackOverflow titles with their tag (20 tags), the short-text clustering set of Xu et al. 2015.

git clone https://github.com/jacoxu/StackOverflow /tmp/so && python data/bench/build_stackoverflow.py /tmp/so/.git
"""

from __future__ import annotations

import sys

import pandas as pd
from bench_source import git_file, write_sample

COMMIT = "7c207f51e649fff9e4736610b9d44431bb7ccf00"
TAGS = [
    "wordpress",
    "oracle",
    "svn",
    "apache",
    "excel",
    "matlab",
    "visual-studio",
    "cocoa",
    "osx",
    "bash",
    "spring",
    "hibernate",
    "scala",
    "sharepoint",
    "ajax",
    "qt",
    "drupal",
    "linq",
    "haskell",
    "magento",
]

if __name__ == "__main__":
    titles = git_file(sys.argv[1], COMMIT, "rawText/title_StackOverflow.txt")
    labels = git_file(sys.argv[1], COMMIT, "rawText/label_StackOverflow.txt")
    write_sample(
        pd.DataFrame({"text": titles, "label": [TAGS[int(x) - 1] for x in labels]}), "stackoverflow_titles_5k.csv"
    )
