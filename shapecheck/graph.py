"""A picture of a summary: the model as a graph, layers as nodes and tensors as edges labelled
with their shapes (``shapecheck summary --output-format dot`` / ``mermaid``), as Keras's
``plot_model`` and torchview draw a model after running it -- here from the traced pass the
summary already made in the analysis, never by running the code.

What is drawn:

- one node per summary row at the chosen depth: a torch module that is a leaf or sits at the
  depth, a Keras layer (InputLayer rows included); a torch module with children above the depth
  is a ``cluster`` holding its rows. A module called more than once is one node (``x2``), as
  ``plot_model`` draws a shared layer (the edges into and out of it carry the call's number,
  ``#1``, ``#2``); a row the forward pass never called is an isolated dashed
  node (``--`` in the table), one whose calls are unknown a dashed ``?`` node. A torch layer that
  runs its children inside its own forward (``nn.TransformerEncoderLayer``) is one node: its
  children are not drawn;
- the function applications that join tensors between module calls (``x + identity``,
  ``torch.cat``, ``torch.matmul``: two tensors or more in) as small nodes of their own;
  one-tensor functions (``F.relu``, ``x.flatten(1)``) are not drawn: the edge runs through them
  and carries the shape the next node receives;
- the model's inputs and outputs.

An edge is drawn only where the trace says that tensor is the one a call got: each recorded
call's output is matched by identity to the arguments of later calls (Keras: the layer calls the
functional model's history holds; a Sequential's chain). Where that is unknown, no edge is made
up. A node where the shapes break is red, the finding as its tooltip: a finding of the file
(as ``check`` reports it) on the node's call or construction, or the call where the traced pass
failed (the input it was fed breaks it). Nodes the pass reached only with a failed input are grey.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

from .shapes import Shape
from .summary import CallRecord, ModelSummary, OpRecord, Row, _match_calls, _torch_shape, fmt_shape
from .values import Dict, Failed, Layer, Seq, Tensor

# torch layers that apply their children inside their own forward (the analysis sees one call)
_RUNS_CHILDREN_INSIDE = ("torch.nn.MultiheadAttention", "torch.nn.TransformerEncoderLayer",
                         "torch.nn.TransformerDecoderLayer", "torch.nn.TransformerEncoder",
                         "torch.nn.TransformerDecoder", "torch.nn.Transformer")


@dataclass(eq=False)
class Node:
    """A node of the picture: ``kind`` is ``row`` (a summary row: ``row`` set), ``op`` (a function
    joining tensors), ``input`` or ``output``."""

    id: str
    label: str
    kind: str
    row: Optional[Row] = None
    cluster: Optional[str] = None  # the id of the cluster it is drawn in
    calls: int = 0  # the recorded calls (rows, ops: 1)
    reached_failed: int = 0  # of those, calls whose input had failed upstream
    sites: list = field(default_factory=list, repr=False)  # syntax nodes: call sites, its construction
    inner: list = field(default_factory=list, repr=False)  # syntax nodes of what ran inside (folded)
    findings: list = field(default_factory=list)  # messages: red, as the tooltip
    broke: bool = False  # the traced pass failed here
    note: str = ""  # the tooltip otherwise

    @property
    def faded(self) -> bool:
        return self.kind == "row" and not self.findings and self.calls > 0 and self.reached_failed == self.calls


@dataclass(eq=False)
class Edge:
    """A tensor from ``src`` to ``dst``, ``label`` its shape; ``src_call`` / ``dst_call``: which
    call of a node called more than once made it / took it (1, 2, ...; 0 where the node has one)."""

    src: str
    dst: str
    label: str
    src_call: int = 0
    dst_call: int = 0

    def text(self, nodes: dict) -> str:
        """The label drawn: the shape, and the calls' numbers (``#2``) where a node is called more than once."""
        src, dst = nodes.get(self.src), nodes.get(self.dst)
        before = f"#{self.src_call} " if src is not None and src.calls > 1 and self.src_call else ""
        after = f" #{self.dst_call}" if dst is not None and dst.calls > 1 and self.dst_call else ""
        return before + self.label + after


@dataclass(eq=False)
class Cluster:
    id: str
    label: str
    parent: Optional[str]
    row: Optional[Row] = None


@dataclass(eq=False)
class Graph:
    """One model's picture. ``traced``: the edges come from a recorded pass (False: the rows only,
    their connections unknown; ``note`` says why)."""

    name: str
    framework: str
    nodes: list
    edges: list
    clusters: list
    traced: bool
    note: str = ""

    def row_nodes(self) -> list:
        return [n for n in self.nodes if n.kind == "row"]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)


# ------------------------------------------------------------------------------------------ building
def build(m: ModelSummary, depth: int = 3) -> Graph:
    """The picture of one summarized model; torch rows down to ``depth`` (as the table's)."""
    b = _Builder(m, depth)
    b.rows()
    if m.trace is not None:
        b.walk(m.trace, None)
        b.outputs(m.trace)
    b.findings()
    note = ""
    if m.trace is None:
        note = ("no forward pass was traced (give --input-shape): the layers only, their connections unknown"
                if m.framework == "torch" else "the layers only: their connections are not known to the summary")
    return Graph(m.name, m.framework, b.nodes, b.edges, b.clusters, m.trace is not None, note)


def _tensors(v: Any, depth: int = 0) -> list:
    """The tensors of a value (a tensor, the items of a tuple or list, a dict's values)."""
    if isinstance(v, Tensor):
        return [v]
    if depth > 8:
        return []
    if isinstance(v, list):  # (a call's arguments)
        return [t for x in v for t in _tensors(x, depth + 1)]
    if isinstance(v, Seq):
        return [t for x in v.items for t in _tensors(x, depth + 1)]
    if isinstance(v, Dict):
        return [t for x in v.items.values() for t in _tensors(x, depth + 1)]
    return []


def _failed(v: Any) -> bool:
    return isinstance(v, Failed) or (isinstance(v, Seq) and any(isinstance(x, Failed) for x in v.items))


def _broke(r: Any) -> bool:
    """A call or op that failed on arguments that had not: where the shapes break."""
    return _failed(r.output) and not any(_failed(a) for a in r.args)


class _Builder:
    def __init__(self, m: ModelSummary, depth: int) -> None:
        self.m, self.depth = m, depth
        self.keras = m.framework == "keras"
        self.nodes: list = []
        self.edges: list = []
        self.clusters: list = []
        self.edge_keys: set = set()
        self.row_node: dict = {}  # id(row) -> Node, for a row drawn as a node
        self.row_cluster: dict = {}  # id(row) -> Cluster, for a row drawn as a cluster
        self.call_row: dict = {}  # id(CallRecord) -> its row
        # id(tensor) -> (Node, the tensor: kept, so the id stays its own, which call of the node made it)
        self.producer: dict = {}
        self.input_nodes: dict = {}  # index of the model's input -> Node
        self.n_ops = 0

    # -- the rows
    def rows(self) -> None:
        m = self.m
        if self.keras:
            for r in m.rows:
                self._row_node(r, None)
            if m.trace is not None:
                first: dict = {}
                for r in m.rows:
                    if r.module is not None:
                        first.setdefault(id(r.module), r)
                for c in m.trace.children:
                    r = first.get(id(c.module))
                    if r is not None:
                        self.call_row[id(c)] = r
            return
        root = m.root
        assert root is not None
        self._torch_rows(root, None)
        if m.trace is not None:
            by_id = {id(r): r for r in [root] + m.rows}
            for rid, calls in _match_calls(root, m.trace).items():
                for c in calls:
                    self.call_row[id(c)] = by_id.get(rid)

    def _torch_rows(self, row: Row, cluster: Optional[str]) -> None:
        for c in row.children:
            if c.kind != "module" or c.depth > self.depth:
                continue
            inside = isinstance(c.module, Layer) and c.module.kind in _RUNS_CHILDREN_INSIDE
            if c.leaf or c.depth == self.depth or inside:
                self._row_node(c, cluster)
                continue
            cl = Cluster(f"cluster_{len(self.clusters)}", f"{c.name} ({c.type})", cluster, c)
            self.clusters.append(cl)
            self.row_cluster[id(c)] = cl
            self._torch_rows(c, cl.id)

    def _row_node(self, r: Row, cluster: Optional[str]) -> Node:
        n = Node(f"n{len(self.nodes)}", f"{r.name}\n{r.type}", "row", r, cluster)
        if r.module is not None and getattr(r.module, "node", None) is not None:
            n.sites.append(r.module.node)  # its construction
        self.nodes.append(n)
        self.row_node[id(r)] = n
        return n

    # -- the trace
    def walk(self, rec: CallRecord, cluster: Optional[str]) -> None:
        for ev in sorted(list(rec.children) + list(rec.ops), key=lambda e: e.seq):
            if isinstance(ev, OpRecord):
                self._op(ev, cluster)
                continue
            row = self.call_row.get(id(ev))
            if row is None or self.row_node.get(id(row)) is None and self.row_cluster.get(id(row)) is None:
                # a module that is no row here (built in forward; a row below the depth cannot be:
                # its ancestor at the depth is a node): what it ran, in its place
                self.walk(ev, cluster)
                continue
            cl = self.row_cluster.get(id(row))
            if cl is not None:
                self.walk(ev, cl.id)
                continue
            node = self.row_node[id(row)]
            node.calls += 1
            if ev.node is not None:
                node.sites.append(ev.node)
            args = _tensors(ev.args)
            if any(_failed(a) for a in ev.args):
                node.reached_failed += 1
            for t in args:
                self._link(t, node, node.calls)
            self._inside(ev, node)
            self._produce(ev.output, node, node.calls)

    def _inside(self, rec: CallRecord, node: Node) -> None:
        """What ran inside a call drawn as one node: its sites (a finding there is on the node),
        and whether the pass failed in it (a call or op that failed on inputs that had not)."""
        todo: list = [rec]
        while todo:
            r = todo.pop()
            if _broke(r):
                node.broke = True
            if r is not rec and r.node is not None:
                node.inner.append(r.node)
            if isinstance(r, CallRecord):
                todo.extend(r.children)
                todo.extend(r.ops)

    def _op(self, op: OpRecord, cluster: Optional[str]) -> None:
        ins = _tensors(op.args)
        known = [t for t in ins if self._source(t) is not None]
        if len(ins) >= 2 and known:  # a join: a node of its own
            self.n_ops += 1
            node = Node(f"op{self.n_ops}", op.name.rsplit(".", 1)[-1].strip("_"), "op", cluster=cluster, calls=1)
            if op.node is not None:
                node.sites.append(op.node)
            node.broke = _broke(op)
            self.nodes.append(node)
            for t in ins:
                self._link(t, node, 0)
            self._produce(op.output, node, 0)
        elif len(ins) == 1 and known:  # one tensor through a function: its output comes from the same place
            got = self.producer.get(id(ins[0]))
            src, k = (got[0], got[2]) if got is not None and got[1] is ins[0] else (self._source(ins[0]), 0)
            assert src is not None
            for t in _tensors(op.output):
                if t is not ins[0]:
                    self.producer[id(t)] = (src, t, k)

    def _source(self, t: Tensor) -> Optional[Node]:
        return self._made(t)[0]

    def _made(self, t: Tensor) -> tuple:
        """(the node that made ``t``, which of its calls) -- (None, 0) where that is not known."""
        got = self.producer.get(id(t))
        if got is not None and got[1] is t:
            return got[0], got[2]
        trace = self.m.trace
        if trace is not None:
            for i, a in enumerate(trace.args):
                if a is t:
                    return self._input(i), 0
        return None, 0

    def _input(self, i: int) -> Node:
        got = self.input_nodes.get(i)
        if got is None:
            n = len(self.m.trace.args) if self.m.trace is not None else 1
            got = Node(f"in{i}", "input" if n == 1 else f"input {i}", "input")
            self.nodes.append(got)
            self.input_nodes[i] = got
        return got

    def _link(self, t: Tensor, dst: Node, call: int) -> None:
        src, k = self._made(t)
        if src is None:
            return
        self._edge(src, dst, self._label(t), k, call)

    def _edge(self, src: Node, dst: Node, label: str, src_call: int = 0, dst_call: int = 0) -> None:
        key = (src.id, dst.id, label, src_call, dst_call)
        if key not in self.edge_keys:
            self.edge_keys.add(key)
            self.edges.append(Edge(src.id, dst.id, label, src_call, dst_call))

    def _produce(self, v: Any, node: Node, call: int) -> None:
        for t in _tensors(v):
            self.producer[id(t)] = (node, t, call)

    def _label(self, t: Tensor) -> str:
        s: Shape = t.shape
        if s.variadic and not s.dims:
            return "?"
        return fmt_shape(s, True) if self.keras else _torch_shape(s)

    def outputs(self, rec: CallRecord) -> None:
        outs = _tensors(rec.output)
        for i, t in enumerate(outs):
            src, k = self._made(t)
            if src is None:
                continue
            node = Node(f"out{i}", "output" if len(outs) == 1 else f"output {i}", "output")
            self.nodes.append(node)
            self._edge(src, node, self._label(t), k)
        for i, a in enumerate(rec.args):  # an input nothing consumed, or no call recorded: still drawn
            if isinstance(a, Tensor) and i not in self.input_nodes and not any(
                    got[1] is a for got in self.producer.values()):
                self._input(i)

    # -- findings
    def findings(self) -> None:
        m = self.m
        spans = m.spans if m.spans is not None else (lambda node: None)
        where: list = []  # (span, Node, inner): every place a node stands for
        for n in self.nodes:
            for s in n.sites:
                sp = spans(s)
                if sp is not None:
                    where.append((sp, n, False))
            for s in n.inner:
                sp = spans(s)
                if sp is not None:
                    where.append((sp, n, True))
        for d in m.findings:
            if d.severity not in ("error", "warning") or d.code == "SHP100":  # (SHP100: an unused noqa comment)
                continue
            for n in self._at(where, (d.line, d.column)):
                _add(n, f"{d.code} {d.message}")
        for node, _kind, message in m.trace_findings:  # (what the file's findings said already is not repeated)
            sp = spans(node)
            hits = [n for n in self.nodes if n.broke and (any(s is node for s in n.sites + n.inner))]
            if not hits and sp is not None:
                hits = [n for n in self._at(where, sp[0]) if n.broke] or self._at(where, sp[0])
            for n in hits:
                if not any(f.endswith(" " + message) for f in n.findings):
                    _add(n, f"{message} (with the traced input)")
        for n in self.nodes:
            if n.broke and not n.findings:
                _add(n, "the traced forward pass fails here")
            if n.kind == "row" and n.row is not None and not n.findings:
                n.note = self._row_note(n)

    def _at(self, where: list, pos: tuple) -> list:
        """The nodes whose innermost place holds ``pos``; where several do (a call site in a loop,
        one block's code run by four), those the traced pass failed in, if any."""
        inside = [(sp, n) for sp, n, _ in where if sp[0] <= pos <= sp[1]]
        if not inside:
            return []
        best = max((sp for sp, _ in inside), key=lambda sp: (sp[0], (-sp[1][0], -sp[1][1])))
        hits: list = []
        for sp, n in inside:
            if sp == best and n not in hits:
                hits.append(n)
        broke = [n for n in hits if n.broke]
        return broke or hits

    def _row_note(self, n: Node) -> str:
        r = n.row
        assert r is not None
        parts = [r.path or r.name]
        if self.m.trace is not None and n.calls == 0:
            parts.append("never called in the traced forward pass" if r.calls == 0 or self.keras
                         else "its calls are not known")
        elif n.calls > 1:
            parts.append(f"called {n.calls} times")
        if n.faded:
            parts.append("reached only with an input that failed upstream")
        if isinstance(r.module, Layer) and r.module.kind in _RUNS_CHILDREN_INSIDE and r.children:
            parts.append("runs its submodules inside its own forward (not drawn)")
        return "; ".join(parts)


def _add(n: Node, message: str) -> None:
    if message not in n.findings:
        n.findings.append(message)


# ------------------------------------------------------------------------------------------ DOT
def _dot_id(text: str) -> str:
    """A DOT quoted string: backslashes and quotes escaped, a newline as DOT's ``\\n``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n") + '"'


_STYLE = {
    "row": {"shape": "box", "style": "rounded,filled", "fillcolor": "#e8eef9", "color": "#4a6fa5"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#fff4d6", "color": "#b08900", "fontsize": "10"},
    "input": {"shape": "oval", "style": "filled", "fillcolor": "#e3f2e1", "color": "#3f7f3a"},
    "output": {"shape": "oval", "style": "filled", "fillcolor": "#e3f2e1", "color": "#3f7f3a"},
}
_BROKEN = {"fillcolor": "#ffd6d6", "color": "#c62828", "penwidth": "2", "fontcolor": "#8b0000"}
_ABSENT = {"style": "rounded,dashed", "fillcolor": "#ffffff", "color": "#9e9e9e", "fontcolor": "#757575"}
_FADED = {"fillcolor": "#eeeeee", "color": "#9e9e9e", "fontcolor": "#757575"}


def _node_label(n: Node) -> str:
    label = n.label
    if n.kind == "row" and n.calls > 1:
        label += f" x{n.calls}"
    codes = [f.split(" ", 1)[0] for f in n.findings if re.match(r"SHP\d+ ", f)]
    if codes:  # (the message is the tooltip; a picture without tooltips still says which finding)
        label += "\n" + ", ".join(dict.fromkeys(codes))
    return label


def _node_attrs(n: Node, traced: bool) -> str:
    attrs = dict(_STYLE[n.kind])
    attrs["label"] = _node_label(n)
    if n.findings:
        attrs.update(_BROKEN)
        attrs["tooltip"] = "\n".join(n.findings)
    else:
        if n.kind == "row" and traced and n.calls == 0:
            attrs.update(_ABSENT)
        elif n.faded:
            attrs.update(_FADED)
        if n.note:
            attrs["tooltip"] = n.note
    return ", ".join(f"{k}={_dot_id(v)}" for k, v in attrs.items())


def to_dot(graphs: list) -> str:
    """One DOT digraph: a model's picture; several models each in a cluster of their own."""
    lines = ["digraph shapecheck {",
             '  graph [rankdir=TB, fontname="Helvetica", fontsize=12, labelloc=t, nodesep=0.3, ranksep=0.35];',
             '  node [fontname="Helvetica", fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=9, color="#555555"];']
    many = len(graphs) > 1
    if not graphs:
        lines.append('  label="No models found.";')
    for gi, g in enumerate(graphs):
        prefix = f"m{gi}_" if many else ""
        indent = "    " if many else "  "
        title = f"{g.name} ({g.framework})" + (f"\n{g.note}" if g.note else "")
        if many:
            lines.append(f"  subgraph {_dot_id(f'cluster_model_{gi}')} {{")
        lines.append(f"{indent}label={_dot_id(title)};")
        if many:
            lines.append(f'{indent}style="rounded"; color="#888888";')
        lines += _dot_body(g, prefix, indent)
        if many:
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _nesting(g: Graph) -> tuple:
    """(parent cluster id -> its clusters, cluster id -> its nodes); None: the top level."""
    children: dict = {}
    for c in g.clusters:
        children.setdefault(c.parent, []).append(c)
    members: dict = {}
    for n in g.nodes:
        members.setdefault(n.cluster, []).append(n)
    return children, members


def _dot_body(g: Graph, prefix: str, indent: str) -> list:
    children, members = _nesting(g)
    out: list = []

    def emit(cluster: Optional[str], pad: str) -> None:
        for n in members.get(cluster, []):
            out.append(f"{pad}{_dot_id(prefix + n.id)} [{_node_attrs(n, g.traced)}];")
        for c in children.get(cluster, []):
            out.append(f"{pad}subgraph {_dot_id(prefix + c.id)} {{")
            tip = c.row.path if c.row is not None and c.row.path else c.label
            out.append(f'{pad}  label={_dot_id(c.label)}; tooltip={_dot_id(tip)}; style="rounded,dashed"; '
                       f'color="#7a8ba6"; fontsize=10;')
            emit(c.id, pad + "  ")
            out.append(f"{pad}}}")

    emit(None, indent)
    by_id = {n.id: n for n in g.nodes}
    for e in g.edges:
        out.append(f"{indent}{_dot_id(prefix + e.src)} -> {_dot_id(prefix + e.dst)} "
                   f"[label={_dot_id(e.text(by_id))}];")
    return out


# ------------------------------------------------------------------------------------------ Mermaid
def _mermaid_text(text: str) -> str:
    """A Mermaid quoted label: its quotes and the characters Mermaid reads as markup as entity
    codes, a newline as ``<br/>``."""
    text = text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return text.replace("\r", "").replace("\n", "<br/>")


def to_mermaid(graphs: list) -> str:
    """A Mermaid ``flowchart TD`` with the same nodes and edges (several models: a subgraph each);
    a red node's finding as a ``%%`` comment beside it (Mermaid has no tooltip without a click)."""
    lines = ["flowchart TD"]
    if not graphs:
        lines.append('  empty["No models found."]')
    for gi, g in enumerate(graphs):
        prefix = f"m{gi}_"
        lines.append(f'  subgraph {prefix}model["{_mermaid_text(g.name + " (" + g.framework + ")")}"]')
        if g.note:
            lines.append(f"  %% {g.note}")
        children, members = _nesting(g)

        def emit(cluster: Optional[str], pad: str, g: Graph = g, prefix: str = prefix, children: dict = children,
                 members: dict = members) -> None:
            for n in members.get(cluster, []):
                shape = ('["', '"]') if n.kind == "row" else ('(["', '"])') if n.kind in ("input", "output") else \
                    ('(("', '"))')
                lines.append(f"{pad}{prefix}{n.id}{shape[0]}{_mermaid_text(_node_label(n))}{shape[1]}")
                for f in n.findings:
                    lines.append(f"{pad}%% {prefix}{n.id}: {f.replace(chr(10), ' ')}")
            for c in children.get(cluster, []):
                lines.append(f'{pad}subgraph {prefix}{c.id}["{_mermaid_text(c.label)}"]')
                emit(c.id, pad + "  ")
                lines.append(f"{pad}end")

        emit(None, "    ")
        by_id = {n.id: n for n in g.nodes}
        for e in g.edges:
            lines.append(f'    {prefix}{e.src} -->|"{_mermaid_text(e.text(by_id))}"| {prefix}{e.dst}')
        lines.append("  end")
        broken = [prefix + n.id for n in g.nodes if n.findings]
        absent = [prefix + n.id for n in g.nodes if not n.findings and (
            (n.kind == "row" and g.traced and n.calls == 0) or n.faded)]
        if broken:
            lines.append(f"  class {','.join(broken)} broken")
        if absent:
            lines.append(f"  class {','.join(absent)} absent")
    lines.append("  classDef broken fill:#ffd6d6,stroke:#c62828,stroke-width:2px,color:#8b0000")
    lines.append("  classDef absent fill:#ffffff,stroke:#9e9e9e,stroke-dasharray:4 3,color:#757575")
    return "\n".join(lines) + "\n"


IMAGE_FORMATS = ("svg", "png", "pdf")  # what Graphviz's dot renders for ``--output``
