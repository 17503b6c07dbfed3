"""The default encoder: the packaged MiniLM under ONNX Runtime (float32; int8 as an option),
and --backend torch."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analysis import TopicMap, embed, onnx_model
from analysis.cache import EmbeddingCache
from analysis.errors import InputError
from analysis.params import BACKENDS
from analysis.persist import MANIFEST
from conftest import BENCH, ROOT, SEED, cli


@pytest.fixture(scope="module")
def headlines() -> list[str]:
    uci = pd.read_csv(BENCH / "uci_news_aggregator_6k.csv", keep_default_na=False)["text"].tolist()
    return SEED.read_text(encoding="utf-8").splitlines() + uci[::20]


@pytest.mark.parametrize(
    ("model", "mean", "least"), [(embed.ONNX_MODEL, 0.99999, 0.9999), (embed.ONNX_INT8_MODEL, 0.99, 0.96)]
)
def test_onnx_vectors_point_where_pytorchs_do(headlines, model, mean, least):
    """Cosine to the PyTorch model's vectors on real headlines: float32 gives PyTorch's
    vectors; int8 0.99 on average, none far off."""
    ours = embed.embed_texts(headlines, model)
    torch = embed.embed_texts(headlines, None)
    assert ours.shape == torch.shape == (len(headlines), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosine = (ours * torch).sum(axis=1)
    assert cosine.mean() >= mean and cosine.min() >= least, (cosine.mean(), cosine.min())
    # a headline is nearest to itself across the two models: the space is the same
    assert ((ours @ torch.T).argmax(axis=1) == np.arange(len(headlines))).mean() > 0.98


@pytest.mark.parametrize("model", [embed.ONNX_MODEL, embed.ONNX_INT8_MODEL])
def test_a_texts_vector_does_not_depend_on_the_texts_beside_it(model):
    """No text is padded; int8 activations are scaled per run, so int8 runs a text alone (the
    same vector bit for bit in any company, order or cache state); float32 batches texts of
    one token count (within float rounding). A text past max_seq_length is cut as PyTorch's is."""
    texts = [
        "Fed",
        "Fed raises rates " * 200,
        "  Fed raises rates  ",
        "Oil falls as Iran talks resume",
        "Gold rises as Iran talks stall",
    ]
    encoder = embed.load_model(model)
    together = encoder.encode(texts, batch_size=4)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    reversed_ = encoder.encode(texts[::-1])[::-1]
    if model == embed.ONNX_INT8_MODEL:
        np.testing.assert_array_equal(together, alone)
        np.testing.assert_array_equal(reversed_, together)
    else:
        np.testing.assert_allclose(together, alone, atol=1e-6)
        np.testing.assert_allclose(reversed_, together, atol=1e-6)
    torch = embed.embed_texts(texts, None)
    assert ((together * torch).sum(axis=1) > 0.97).all()


def test_the_folder_records_its_graph_and_a_damaged_one_is_found(tmp_path):
    folder = embed.resolve_model(embed.ONNX_MODEL)
    copy = shutil.copytree(folder, tmp_path / "onnx")
    config = json.loads((copy / onnx_model.CONFIG_FILE).read_text())
    assert config["dimension"] == 384 and config["max_seq_length"] == 256
    assert onnx_model.model_problem(copy) is None
    graph = copy / onnx_model.ONNX_FILE
    graph.write_bytes(graph.read_bytes()[: graph.stat().st_size // 2])
    assert "not the graph the build wrote" in onnx_model.model_problem(copy)
    (copy / onnx_model.TOKENIZER_FILE).unlink()
    assert onnx_model.model_problem(copy) is not None
    assert onnx_model.model_problem(tmp_path / "missing") == "missing"


def test_the_folder_name_changes_with_what_made_it():
    name = onnx_model.onnx_model_name(embed.DEFAULT_MODEL)
    assert name.startswith("onnx-") and name == onnx_model.onnx_model_name(embed.DEFAULT_MODEL, "float32")
    assert name != onnx_model.onnx_model_name("another-model")
    assert name != onnx_model.onnx_model_name(embed.DEFAULT_MODEL, "int8")


def test_encoding_needs_no_pytorch():
    """The default path never imports torch to embed (importing it alone costs seconds)."""
    code = (
        "import sys; from analysis import embed; "
        "v = embed.embed_texts(['Oil falls as Iran talks resume'], embed.ONNX_MODEL); "
        "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["(1,", "384)", "False", "False"], out.stdout + out.stderr


def test_the_backends_keep_their_own_cache_entries(tmp_path):
    texts = ["Oil falls as Iran talks resume", "Tariffs hit car makers"]
    vectors = {b: embed.embed_texts(texts, embed.encoder_name(None, b), cache_dir=tmp_path) for b in BACKENDS}
    assert not np.array_equal(vectors["onnx-int8"], vectors["torch"])
    folders = {EmbeddingCache(tmp_path, embed.cache_key(embed.encoder_name(None, b))).folder for b in BACKENDS}
    assert len(folders) == 3 and all(f.is_dir() for f in folders)
    np.testing.assert_array_equal(
        embed.embed_texts(texts, embed.ONNX_INT8_MODEL, cache_dir=tmp_path), vectors["onnx-int8"]
    )


def test_only_the_packaged_model_runs_under_onnx():
    assert embed.encoder_name(None) == embed.encoder_name(embed.DEFAULT_MODEL) == embed.ONNX_MODEL
    assert embed.encoder_name(None, "onnx-int8") == embed.ONNX_INT8_MODEL
    assert embed.encoder_name(None, "torch") is None
    assert embed.encoder_name("static") == "static" and embed.encoder_name("org/other", "onnx-int8") == "org/other"
    assert embed.model_identity(embed.ONNX_MODEL) == "all-MiniLM-L6-v2 (float32, ONNX Runtime)"
    assert embed.model_identity(embed.ONNX_INT8_MODEL) == "all-MiniLM-L6-v2 (int8, ONNX Runtime)"


def test_a_bad_backend_is_one_line_naming_it(tmp_path):
    with pytest.raises(InputError, match=r"backend='tf' is not allowed: use one of onnx, onnx-int8, torch"):
        TopicMap(backend="tf").fit(["a b", "c d"])
    result = cli("report", str(SEED), "-o", str(tmp_path / "r.html"), "--backend", "tf")
    assert result.returncode == 2 and "--backend" in result.stderr and not (tmp_path / "r.html").exists()


def test_a_map_saved_before_the_backend_existed_keeps_pytorch(tmp_path):
    """Its vectors are PyTorch's, so its updates must embed with PyTorch too."""
    texts = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    TopicMap(random_state=0).fit(texts).save(tmp_path / "map")
    manifest = tmp_path / "map" / MANIFEST
    saved = json.loads(manifest.read_text())
    assert saved["params"]["backend"] == "onnx"
    del saved["params"]["backend"]
    manifest.write_text(json.dumps(saved))
    assert TopicMap.load(tmp_path / "map").backend == "torch"


def test_encoding_records_no_onnx_runtime_telemetry(tmp_path):
    """ONNX Runtime 1.29+ writes a device id and telemetry events under
    ~/.cache/Microsoft/DeveloperTools for upload unless ORT_DISABLE_TELEMETRY is set before
    it starts (a notebook user's pass found the store growing with every fit)."""
    code = (
        "import os; from analysis import embed; "
        "embed.embed_texts(['Oil falls as Iran talks resume'], embed.ONNX_MODEL, cache_dir=None); "
        "print(os.environ.get('ORT_DISABLE_TELEMETRY'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ORT_DISABLE_TELEMETRY", "XDG_CACHE_HOME")}
    env["HOME"] = str(tmp_path)  # the session's model cache stays $TOPICMAP_CACHE
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert out.stdout.split()[-1] == "1"
    assert not list(tmp_path.rglob("onnxruntime.db")) and not list(tmp_path.rglob("deviceid")), list(
        tmp_path.rglob("*")
    )
