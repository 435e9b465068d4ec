"""``shapecheck summary --output-format dot / mermaid``: the model as a graph (shapecheck/graph.py).

The DOT is read back by Graphviz's own parser (``dot -Tjson0``) where ``dot`` is on PATH (.ci/run
installs Debian's graphviz); the graph's structure is checked on the ``graph.Graph`` either way:
one node (or cluster) per summary row at the depth, one edge per tensor that flows, a residual
block's skip edge into its add, a Keras functional model's two inputs into its concatenate, a
finding's layer in red with the message as its tooltip. resnet18 (torchvision's source, from the
wheel test_corpus.py unpacks) and a two-input Keras model are drawn to SVG and PNG and the images
checked.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from shapecheck import cli  # noqa: E402
from shapecheck import graph as G  # noqa: E402
from shapecheck.engine import Options  # noqa: E402
from shapecheck.shapes import Shape  # noqa: E402
from shapecheck.summary import summarize_source  # noqa: E402
from shapecheck.values import Tensor  # noqa: E402

DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not on PATH (.ci/run installs it)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

BLOCK = '''
import torch
from torch import nn


class BasicBlock(nn.Module):
    def __init__(self, c: int = 64):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        out += identity
        return self.relu(out)


block = BasicBlock()
y = block(torch.randn(1, 64, 56, 56))
'''

TWO_INPUTS = '''
import keras
from keras import layers

image = keras.Input(shape=(32,), name="image")
meta = keras.Input(shape=(8,), name="meta")
a = layers.Dense(16, activation="relu")(image)
b = layers.Dense(16, activation="relu")(meta)
joined = layers.Concatenate()([a, b])
out = layers.Dense(1, name='score "final" \\\\ out')(joined)
model = keras.Model(inputs=[image, meta], outputs=out)
'''

BROKEN = '''
import torch
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 20)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(30, 5)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        h = self.act(self.fc1(x))
        h = self.fc2(h)
        return self.head(h)


net = Net()
out = net(torch.randn(4, 10))
'''


def model(source: str, var: str, **kw: Any) -> Any:
    found = [m for m in summarize_source(source, "m.py", check=Options(), **kw) if m.var == var]
    assert len(found) == 1
    return found[0]


def parsed(dot_text: str) -> dict:
    """The DOT read by Graphviz's own parser: {"nodes": {id: attrs}, "clusters": {...}, "edges": [...]}."""
    assert DOT is not None
    done = subprocess.run([DOT, "-Tjson0"], input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    assert not done.stderr.strip(), done.stderr.decode()  # (no warnings: the DOT is as Graphviz reads it)
    data = json.loads(done.stdout)
    objects = data.get("objects", [])
    nodes = {o["name"]: o for o in objects if "nodes" not in o and "edges" not in o
             and not o["name"].startswith("cluster")}
    clusters = {o["name"]: o for o in objects if o["name"].startswith("cluster")}
    names = {o["_gvid"]: o["name"] for o in objects}
    edges = [(names[e["tail"]], names[e["head"]], e.get("label", "")) for e in data.get("edges", [])]
    return {"nodes": nodes, "clusters": clusters, "edges": edges}


def by_label(g: G.Graph) -> dict:
    return {n.id: n.label.replace("\n", " ") for n in g.nodes}


def pairs(g: G.Graph) -> list:
    names = by_label(g)
    return sorted((names[e.src], names[e.dst], e.label) for e in g.edges)


def rows_at(m: Any, depth: int) -> list:
    return [r for r in m.rows if r.kind == "module" and r.depth <= depth]


def run(capsys: Any, *argv: str) -> tuple:
    code = cli.run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------------- torch
def test_a_residual_block_has_its_skip_edge():
    m = model(BLOCK, "block")
    g = G.build(m)
    assert sorted(n.row.path for n in g.row_nodes()) == sorted(r.path for r in rows_at(m, 3))
    s = "[1, 64, 56, 56]"
    assert pairs(g) == sorted([
        ("input", "conv1 Conv2d", s), ("conv1 Conv2d", "bn1 BatchNorm2d", s), ("bn1 BatchNorm2d", "relu ReLU", s),
        ("relu ReLU", "conv2 Conv2d", s), ("conv2 Conv2d", "bn2 BatchNorm2d", s), ("bn2 BatchNorm2d", "add", s),
        ("input", "add", s),  # the skip connection
        ("add", "relu ReLU", s), ("relu ReLU", "output", s)])
    relu = next(n for n in g.row_nodes() if n.row.name == "relu")
    assert relu.calls == 2  # one node, two calls: the edges say which (#1, #2)
    texts = {e.text({n.id: n for n in g.nodes}) for e in g.edges if relu.id in (e.src, e.dst)}
    assert texts == {f"{s} #1", f"#1 {s}", f"{s} #2", f"#2 {s}"}
    assert not any(n.findings for n in g.nodes)


@needs_dot
def test_the_dot_parses_with_one_node_per_row_and_one_edge_per_tensor():
    m = model(BLOCK, "block")
    g = G.build(m)
    got = parsed(G.to_dot([g]))
    assert set(got["nodes"]) == {n.id for n in g.nodes}
    assert len(got["nodes"]) == len(rows_at(m, 3)) + 3  # the rows, the add, the input and the output
    assert sorted(got["edges"]) == sorted((e.src, e.dst, e.text({n.id: n for n in g.nodes})) for e in g.edges)
    assert len(got["edges"]) == 9


def test_depth_decides_nodes_and_clusters(tmp_path):
    src = BLOCK.replace("block = BasicBlock()\ny = block(torch.randn(1, 64, 56, 56))", '''
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 64, 3, padding=1)
        self.blocks = nn.Sequential(BasicBlock(), BasicBlock())
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.mean((2, 3)))


net = Net()
y = net(torch.randn(2, 3, 8, 8))
''')
    m = model(src, "net")
    for depth in (1, 2, 3):
        g = G.build(m, depth)
        drawn = [n.row.path for n in g.row_nodes()] + [c.row.path for c in g.clusters]
        assert sorted(drawn) == sorted(r.path for r in rows_at(m, depth)), depth
        assert len(drawn) == len(set(drawn))
    g1 = G.build(m, 1)
    assert pairs(g1) == sorted([("input", "stem Conv2d", "[2, 3, 8, 8]"),
                                ("stem Conv2d", "blocks Sequential", "[2, 64, 8, 8]"),
                                ("blocks Sequential", "head Linear", "[2, 64]"),  # (through x.mean: not drawn)
                                ("head Linear", "output", "[2, 10]")])
    g3 = G.build(m, 3)
    adds = [n for n in g3.nodes if n.kind == "op"]
    assert [n.label for n in adds] == ["add", "add"]
    clusters = {c.id: c for c in g3.clusters}
    for add in adds:  # each block's add: one edge from its bn2, one from the block's input (outside it)
        ins = [e for e in g3.edges if e.dst == add.id]
        assert len(ins) == 2
        block = clusters[add.cluster]
        srcs = [g3.node(e.src) for e in ins]
        assert sorted(s.cluster == block.id for s in srcs) == [False, True]
    assert {c.label for c in g3.clusters} == {"blocks (Sequential)", "0 (BasicBlock)", "1 (BasicBlock)"}
    if DOT is not None:
        got = parsed(G.to_dot([g3]))
        assert len(got["clusters"]) == 3 and len(got["nodes"]) == len(g3.nodes)


def test_an_untraced_model_is_its_rows_without_edges():
    m = model(BLOCK.replace("y = block(torch.randn(1, 64, 56, 56))", ""), "block")
    g = G.build(m)
    assert not g.traced and "no forward pass was traced" in g.note
    assert len(g.row_nodes()) == len(rows_at(m, 3)) and not g.edges
    assert {n.kind for n in g.nodes} == {"row"}


# ---------------------------------------------------------------------------------- findings
def test_a_finding_on_a_layer_makes_its_node_red_with_the_message():
    m = model(BROKEN, "net")
    assert [d.code for d in m.findings] == ["SHP301"]
    g = G.build(m)
    red = [n for n in g.nodes if n.findings]
    assert [n.row.name for n in red] == ["fc2"]
    assert red[0].findings == [f"SHP301 {m.findings[0].message}"]
    head = next(n for n in g.row_nodes() if n.row.name == "head")
    assert head.faded and not head.findings  # reached only with the failed output
    assert pairs(g) == sorted([("input", "fc1 Linear", "[4, 10]"), ("fc1 Linear", "act ReLU", "[4, 20]"),
                               ("act ReLU", "fc2 Linear", "[4, 20]")])  # drawn up to the break
    text = G.to_dot([g])
    if DOT is not None:
        node = parsed(text)["nodes"][red[0].id]
        assert node["fillcolor"] == "#ffd6d6" and node["color"] == "#c62828"
        assert node["tooltip"] == red[0].findings[0]
        assert node["label"] == "fc2\\nLinear\\nSHP301"


def test_an_input_that_breaks_the_pass_marks_where():
    m = model(BLOCK, "block", inputs=[Tensor(Shape((1, 32, 56, 56)), "torch", "float")])
    g = G.build(m)
    red = [n for n in g.nodes if n.findings]
    assert [n.row.name for n in red] == ["conv1"]
    assert "expects in_channels=64" in red[0].findings[0] and red[0].findings[0].endswith("(with the traced input)")
    assert all(n.faded for n in g.row_nodes() if n is not red[0])


def test_a_finding_in_a_block_drawn_as_one_node_marks_that_node():
    src = BROKEN.replace("self.fc2 = nn.Linear(30, 5)", "self.fc2 = nn.Sequential(nn.Linear(30, 5))")
    m = model(src, "net")
    g = G.build(m, depth=1)
    assert [n.row.name for n in g.nodes if n.findings] == ["fc2"]
    g2 = G.build(m, depth=2)
    assert [n.row.path for n in g2.nodes if n.findings] == ["fc2.0"]


# ---------------------------------------------------------------------------------- keras
def test_a_keras_model_with_two_inputs_joins_them_in_its_concatenate():
    m = model(TWO_INPUTS, "model")
    g = G.build(m)
    assert [n.row.name for n in g.row_nodes()] == [r.name for r in m.rows]
    assert pairs(g) == sorted([
        ("image InputLayer", "dense Dense", "(None, 32)"), ("meta InputLayer", "dense_1 Dense", "(None, 8)"),
        ("dense Dense", "concatenate Concatenate", "(None, 16)"),
        ("dense_1 Dense", "concatenate Concatenate", "(None, 16)"),
        ('concatenate Concatenate', 'score "final" \\ out Dense', "(None, 32)"),
        ('score "final" \\ out Dense', "output", "(None, 1)")])
    if DOT is not None:  # a quote and a backslash in a name: escaped, read back as written
        got = parsed(G.to_dot([g]))
        labels = {n["label"] for n in got["nodes"].values()}
        assert 'score "final" \\\\ out\\nDense' in labels  # (DOT's escString: the backslash kept doubled)
        assert len(got["edges"]) == 6


def test_a_keras_sequential_is_its_chain():
    src = '''
import keras
from keras import layers

model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(8), layers.Dropout(0.1), layers.Dense(2)])
'''
    m = model(src, "model")
    g = G.build(m)
    assert [n.row.name for n in g.row_nodes()] == [r.name for r in m.rows] == ["dense", "dropout", "dense_1"]
    assert pairs(g) == sorted([("input", "dense Dense", "(None, 20)"),
                               ("dense Dense", "dropout Dropout", "(None, 8)"),
                               ("dropout Dropout", "dense_1 Dense", "(None, 8)"),
                               ("dense_1 Dense", "output", "(None, 2)")])


# ---------------------------------------------------------------------------------- Mermaid
def test_mermaid_has_the_same_nodes_and_edges():
    m = model(BLOCK, "block")
    g = G.build(m)
    text = G.to_mermaid([g])
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    defined = [ln for ln in lines if re.match(r"\s+m0_\w+(\[\"|\(\[\"|\(\(\")", ln)]
    assert len(defined) == len(g.nodes)
    edges = [ln for ln in lines if "-->" in ln]
    assert len(edges) == len(g.edges)
    assert '    m0_in0 -->|"[1, 64, 56, 56]"| m0_op1' in lines  # the skip edge
    assert text.count("subgraph") == 1 and lines.count("  end") == 1


def test_mermaid_escapes_labels_and_marks_findings():
    g = G.build(model(TWO_INPUTS, "model"))
    text = G.to_mermaid([g])
    assert 'score #quot;final#quot; \\ out<br/>Dense' in text
    for line in text.splitlines():  # every quoted label is closed where it opens: no quote inside one
        for label in re.findall(r'\["(.*?)"\]', line):
            assert '"' not in label
    broken = G.to_mermaid([G.build(model(BROKEN, "net"))])
    assert re.search(r"^  class m0_n\d+ broken$", broken, re.M)
    assert "%% m0_n2: SHP301 nn.Linear(30, 5) expects" in broken


def test_dot_ids_and_labels_are_quoted():
    assert G._dot_id('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'
    assert G._mermaid_text('<b> & "x"\ny') == "#lt;b#gt; #amp; #quot;x#quot;<br/>y"


# ---------------------------------------------------------------------------------- pictures
def _valid_svg(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    assert path.read_text(encoding="utf-8").lstrip().startswith("<?xml") and "<svg" in path.read_text()
    return root


def _titles(root: ET.Element) -> set:
    return {t.text for t in root.iter() if t.tag.endswith("title")}


@needs_dot
def test_resnet18_is_drawn_to_svg_and_png(tmp_path, capsys):
    from test_corpus import unpacked

    resnet = unpacked("torchvision==0.29.1", "torchvision") / "torchvision" / "models" / "resnet.py"
    base = [str(resnet), "--model", "resnet18", "--input-shape", "1,3,224,224"]
    code, out, err = run(capsys, "summary", *base, "--output-format", "dot", "--depth", "3")
    assert code == 0, err
    got = parsed(out)
    m = summarize_source(resnet.read_text(encoding="utf-8"), str(resnet), model="resnet18",
                         inputs=[Tensor(Shape((1, 3, 224, 224)), "torch", "float")])[0]
    rows = rows_at(m, 3)
    leaves = [r for r in rows if r.leaf or r.depth == 3]
    assert len(got["clusters"]) == len(rows) - len(leaves) == 12  # layer1..4 and their 8 BasicBlocks
    row_nodes = [n for n in got["nodes"] if n.startswith("n")]
    assert len(row_nodes) == len(leaves) == 49
    adds = [n for n, o in got["nodes"].items() if o["label"] == "add"]
    assert len(adds) == 8  # every block's residual add, each fed twice
    assert all(sum(1 for e in got["edges"] if e[1] == a) == 2 for a in adds)
    assert not any(o.get("fillcolor") == "#ffd6d6" for o in got["nodes"].values())
    svg, png = tmp_path / "resnet18.svg", tmp_path / "resnet18.png"
    code, out, err = run(capsys, "summary", *base, "--output", str(svg))
    assert code == 0 and out == "" and err == "", err
    root = _valid_svg(svg)
    titles = [t.text for t in root.iter() if t.tag.endswith("title")]
    assert {"in0", "out0"} <= set(titles) and len([t for t in titles if "->" in t]) == len(got["edges"])
    code, out, err = run(capsys, "summary", *base, "--output", str(png), "--depth", "1")
    assert code == 0, err
    assert png.read_bytes()[:8] == PNG_SIGNATURE and png.stat().st_size > 1000


@needs_dot
def test_the_two_input_keras_model_is_drawn(tmp_path, capsys):
    path = tmp_path / "two.py"
    path.write_text(TWO_INPUTS, encoding="utf-8")
    for ext in ("svg", "png", "pdf"):
        target = tmp_path / f"two.{ext}"
        code, out, err = run(capsys, "summary", str(path), "--output", str(target))
        assert code == 0, err
        data = target.read_bytes()
        if ext == "svg":
            assert {"n0", "n1", "n4"} <= _titles(_valid_svg(target))
        elif ext == "png":
            assert data[:8] == PNG_SIGNATURE
        else:
            assert data[:5] == b"%PDF-"


# ---------------------------------------------------------------------------------- the command line
def test_the_command_prints_dot_and_mermaid(tmp_path, capsys):
    path = tmp_path / "block.py"
    path.write_text(BLOCK, encoding="utf-8")
    code, out, err = run(capsys, "summary", str(path), "--output-format", "dot")
    assert code == 0 and out.startswith("digraph shapecheck {") and out.rstrip().endswith("}")
    assert '"in0" -> "op1" [label="[1, 64, 56, 56]"];' in out
    code, out, err = run(capsys, "summary", str(path), "--output-format", "mermaid")
    assert code == 0 and out.startswith("flowchart TD\n")
    target = tmp_path / "g.mmd"
    code, out, err = run(capsys, "summary", str(path), "--output", str(target))  # (the extension says mermaid)
    assert code == 0 and out == "" and target.read_text(encoding="utf-8").startswith("flowchart TD\n")
    target = tmp_path / "g.md"
    code, out, err = run(capsys, "summary", str(path), "--output-format", "mermaid", "--output", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("```mermaid\nflowchart TD\n")
    target = tmp_path / "g.gv"
    code, out, err = run(capsys, "summary", str(path), "--output", str(target))
    assert code == 0 and target.read_text(encoding="utf-8").startswith("digraph shapecheck {")
    target = tmp_path / "s.json"
    code, out, err = run(capsys, "summary", str(path), "--output", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8"))["models"][0]["name"] == "block"


@pytest.mark.parametrize("argv,reason", [
    (["--output", "x.jpg"], "--output: 'x.jpg' is a picture; --output-format text writes text"),
    (["--output-format", "dot", "--output", "x.txt"], "--output: 'x.txt' is no file --output-format dot writes"),
    (["--output-format", "mermaid", "--output", "x.svg"], "is no file --output-format mermaid writes"),
    (["--output-format", "json", "--output", "x.png"], "is a picture; --output-format json writes text"),
    (["--output-format", "svg"], "argument --output-format: invalid choice: 'svg'"),
])
def test_bad_outputs_exit_2_with_one_line(tmp_path, capsys, monkeypatch, argv, reason):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "block.py").write_text(BLOCK, encoding="utf-8")
    code, out, err = run(capsys, "summary", "block.py", *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and reason in err, err
    assert not [p.name for p in tmp_path.iterdir() if p.name != "block.py"]


def test_without_graphviz_the_dot_text_is_written_and_a_note_says_so(tmp_path, capsys, monkeypatch):
    (tmp_path / "block.py").write_text(BLOCK, encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, err = run(capsys, "summary", str(tmp_path / "block.py"), "--output", str(tmp_path / "b.svg"))
    assert code == 0 and out == ""
    assert not (tmp_path / "b.svg").exists()
    assert (tmp_path / "b.dot").read_text(encoding="utf-8").startswith("digraph shapecheck {")
    assert "Graphviz's dot was not found on PATH" in err and "b.dot" in err and len(err.strip().splitlines()) == 1


def test_help_names_the_graph_formats(capsys):
    code, out, _ = run(capsys, "summary", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "{text,json,dot,mermaid}" in flat and "--output FILE" in flat and "Graphviz" in flat


@needs_dot
def test_the_readme_picture_is_the_tool_s(capsys):
    """docs/images/summary_graph.svg is what `summary --output` draws for the README's example:
    the same nodes and edges as the tool's DOT now (Graphviz's own layout may differ by version)."""
    svg = ROOT / "docs" / "images" / "summary_graph.svg"
    example = "examples/torch_residual_shortcut.py"
    assert f"shapecheck summary {example} --model net --output docs/images/summary_graph.svg" in (
        ROOT / "README.md").read_text(encoding="utf-8")
    code, out, err = run(capsys, "summary", str(ROOT / example), "--model", "net", "--output-format", "dot")
    assert code == 0, err
    got = parsed(out)
    titles = [t.text for t in _valid_svg(svg).iter() if t.tag.endswith("title")]
    assert set(got["nodes"]) <= set(titles)
    assert sorted(t for t in titles if "->" in t) == sorted(f"{a}->{b}" for a, b, _ in got["edges"])
    assert "SHP501" in svg.read_text(encoding="utf-8")
