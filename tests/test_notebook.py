"""The example notebook runs top to bottom, so it cannot rot."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

pytestmark = pytest.mark.slow  # executes the notebook in a kernel


def test_explore_notebook_runs_and_is_stored_without_outputs():
    path = ROOT / "notebooks" / "explore.ipynb"
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    outputs = [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]  # execute() raised on an error
    # The last cell prints the new headlines with the topic each joined: the Iran and Epstein
    # ones join the seed's Iran and Epstein topics, the bakery one stays unclustered.
    lines = outputs[-1][0]["text"].splitlines()[1:]
    iran, epstein, bakery = lines
    assert iran.count("Iran") == 2 and epstein.count("Epstein") == 2
    assert bakery.split()[1] == "Local"
