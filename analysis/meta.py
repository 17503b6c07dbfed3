"""Facts every module may need: the package's version and the user's cache root.

A leaf module (it imports nothing of the package), so that no module has to import the
package's `__init__`, which would tie every stage to the package's start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

VERSION = "0.2.0.dev0"


def user_cache_dir() -> Path:
    """$TOPICMAP_CACHE, else $XDG_CACHE_HOME/topicmap, else ~/.cache/topicmap."""
    if os.environ.get("TOPICMAP_CACHE"):
        return Path(os.environ["TOPICMAP_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "topicmap"
