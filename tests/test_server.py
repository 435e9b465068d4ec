"""`shapecheck server` end to end, as an editor meets it: a real LSP client (pytest-lsp) talks to
the server in a subprocess over stdio."""
from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = Path(__file__).resolve().parents[1]
SERVER = [sys.executable, "-m", "shapecheck", "server"]
# A server whose analysis raises on a marker (a crash inside the analysis, as a bug would make).
CRASHING = [sys.executable, "-c", textwrap.dedent("""
    import shapecheck.engine as engine, shapecheck.server as server
    real = engine.analyse_source
    def analyse_source(source, *a, **k):
        if "CRASH-HERE" in source:
            raise ZeroDivisionError("injected")
        return real(source, *a, **k)
    engine.analyse_source = analyse_source
    server.serve()
""")]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

BUGGY = """\
import torch

a = torch.randn(3, 4)
b = torch.randn(5, 4)
c = a @ b
"""
FIXED = BUGGY.replace("a @ b", "a @ b.T")




async def _start(client: LanguageClient, root: Path, options: dict | None = None) -> None:
    await client.initialize_session(T.InitializeParams(
        capabilities=T.ClientCapabilities(
            text_document=T.TextDocumentClientCapabilities(
                publish_diagnostics=T.PublishDiagnosticsClientCapabilities(),
                hover=T.HoverClientCapabilities(content_format=[T.MarkupKind.Markdown]),
                code_action=T.CodeActionClientCapabilities(),
                inlay_hint=T.InlayHintClientCapabilities()),
            notebook_document=T.NotebookDocumentClientCapabilities(
                synchronization=T.NotebookDocumentSyncClientCapabilities())),
        root_uri=root.as_uri(), workspace_folders=[T.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options={"debounce": 50, **(options or {})}))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, server_env=ENV))
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=CRASHING, server_env=ENV))
async def crashing(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str, pred, timeout: float = 30.0) -> list:
    """The diagnostics of ``uri`` once ``pred`` holds for them (the server publishes on its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        got = list(client.diagnostics.get(uri, []))
        if uri in client.diagnostics and pred(got):
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"no diagnostics matching for {uri}: {got}")
        await asyncio.sleep(0.02)


def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(T.DidOpenTextDocumentParams(
        T.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


def _replace_all(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(T.DidChangeTextDocumentParams(
        T.VersionedTextDocumentIdentifier(uri=uri, version=version),
        [T.TextDocumentContentChangeWholeDocument(text=text)]))


def _apply(text: str, edits: list) -> str:
    """Apply LSP text edits (ASCII text: characters are UTF-16 units) to ``text``."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))

    def off(p: T.Position) -> int:
        return offsets[min(p.line, len(lines))] + p.character

    for e in sorted(edits, key=lambda e: off(e.range.start), reverse=True):
        text = text[:off(e.range.start)] + e.new_text + text[off(e.range.end):]
    return text


@pytest.mark.asyncio(loop_scope="function")
async def test_buggy_buffer_gets_its_diagnostic(client: LanguageClient, tmp_path: Path):
    await _start(client, tmp_path)
    uri = _open(client, tmp_path / "m.py", BUGGY)
    (d,) = await _diagnostics(client, uri, lambda ds: len(ds) == 1)
    assert d.code == "SHP102" and d.source == "shapecheck"
    assert d.severity == T.DiagnosticSeverity.Error
    assert "did you mean b.T" in d.message
    assert d.range == T.Range(T.Position(4, 4), T.Position(4, 9))  # `a @ b`, 0-based
    assert d.code_description is not None and d.code_description.href.endswith("SHP102.md")
    if d.code_description.href.startswith("file://"):  # the rule's page exists where it points
        from pygls.uris import to_fs_path
        assert "missing-transpose" in Path(to_fs_path(d.code_description.href)).read_text()


@pytest.mark.asyncio(loop_scope="function")
async def test_an_edit_that_fixes_the_bug_clears_it_within_a_second(client: LanguageClient, tmp_path: Path):
    await _start(client, tmp_path, {"debounce": 300})  # the default debounce
    uri = _open(client, tmp_path / "m.py", BUGGY)
    await _diagnostics(client, uri, lambda ds: len(ds) == 1)
    start = time.monotonic()
    _replace_all(client, uri, FIXED, 2)
    await _diagnostics(client, uri, lambda ds: not ds, timeout=5)
    assert time.monotonic() - start < 1.0


@pytest.mark.asyncio(loop_scope="function")
async def test_hover_shows_the_shape_of_a_tensor(client: LanguageClient, tmp_path: Path):
    await _start(client, tmp_path)
    uri = _open(client, tmp_path / "m.py", FIXED)
    await _diagnostics(client, uri, lambda ds: not ds)
    hover = await client.text_document_hover_async(T.HoverParams(
        T.TextDocumentIdentifier(uri), T.Position(4, 0)))  # on `c`
    assert hover is not None
    assert "(3, 5)" in hover.contents.value
    nothing = await client.text_document_hover_async(T.HoverParams(
        T.TextDocumentIdentifier(uri), T.Position(0, 0)))  # on `import`: nothing is known, nothing is shown
    assert nothing is None


@pytest.mark.asyncio(loop_scope="function")
async def test_a_code_action_fixes_the_buffer(client: LanguageClient, tmp_path: Path):
    await _start(client, tmp_path)
    uri = _open(client, tmp_path / "m.py", BUGGY)
    (d,) = await _diagnostics(client, uri, lambda ds: len(ds) == 1)
    actions = await client.text_document_code_action_async(T.CodeActionParams(
        T.TextDocumentIdentifier(uri), d.range, T.CodeActionContext(diagnostics=[d])))
    titles = [a.title for a in actions]
    assert any("noqa: SHP102" in t for t in titles), titles
    fix = next(a for a in actions if a.title.startswith("Fix SHP102"))
    assert fix.kind == T.CodeActionKind.QuickFix
    fixed = _apply(BUGGY, fix.edit.changes[uri])
    assert "c = a @ b.T" in fixed
    _replace_all(client, uri, fixed, 2)
    await _diagnostics(client, uri, lambda ds: not ds)
    noqa = next(a for a in actions if "noqa" in a.title)
    assert "# noqa: SHP102" in _apply(BUGGY, noqa.edit.changes[uri]).splitlines()[4]


@pytest.mark.asyncio(loop_scope="function")
async def test_a_notebook_gets_diagnostics_per_cell(client: LanguageClient, tmp_path: Path):
    await _start(client, tmp_path)
    nb_uri = (tmp_path / "nb.ipynb").as_uri()
    cells = ["import torch\na = torch.randn(3, 4)", "# notes", "%matplotlib inline\nb = torch.randn(5, 4)\nc = a @ b"]
    kinds = [T.NotebookCellKind.Code, T.NotebookCellKind.Markup, T.NotebookCellKind.Code]
    uris = [f"vscode-notebook-cell:{tmp_path / 'nb.ipynb'}#cell{i}" for i in range(3)]
    client.notebook_document_did_open(T.DidOpenNotebookDocumentParams(
        notebook_document=T.NotebookDocument(
            uri=nb_uri, notebook_type="jupyter-notebook", version=1,
            cells=[T.NotebookCell(kind=k, document=u) for k, u in zip(kinds, uris)]),
        cell_text_documents=[T.TextDocumentItem(uri=u, language_id="python" if k == T.NotebookCellKind.Code
                                                else "markdown", version=1, text=t)
                             for u, k, t in zip(uris, kinds, cells)]))
    (d,) = await _diagnostics(client, uris[2], lambda ds: len(ds) == 1)
    assert d.code == "SHP102"
    assert d.range.start == T.Position(2, 4)  # line 3 of the third cell
    assert list(client.diagnostics.get(uris[0], [])) == []
    hover = await client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uris[0]), T.Position(1, 0)))
    assert hover is not None and "(3, 4)" in hover.contents.value
    # the fix arrives in another cell: the diagnostic goes
    client.notebook_document_did_change(T.DidChangeNotebookDocumentParams(
        notebook_document=T.VersionedNotebookDocumentIdentifier(version=2, uri=nb_uri),
        change=T.NotebookDocumentChangeEvent(cells=T.NotebookDocumentCellChanges(text_content=[
            T.NotebookDocumentCellContentChanges(
                document=T.VersionedTextDocumentIdentifier(uri=uris[0], version=2),
                changes=[T.TextDocumentContentChangeWholeDocument(text="import torch\na = torch.randn(3, 5)")])]))))
    await _diagnostics(client, uris[2], lambda ds: not ds)


@pytest.mark.asyncio(loop_scope="function")
async def test_the_server_keeps_answering_after_an_analysis_crashes(crashing: LanguageClient, tmp_path: Path):
    client = crashing
    await _start(client, tmp_path)
    bad = _open(client, tmp_path / "bad.py", "x = 1  # CRASH-HERE\n")
    (d,) = await _diagnostics(client, bad, lambda ds: len(ds) == 1)
    assert d.code == "SHP901" and "internal error ZeroDivisionError" in d.message
    good = _open(client, tmp_path / "good.py", BUGGY)
    (d,) = await _diagnostics(client, good, lambda ds: len(ds) == 1)
    assert d.code == "SHP102"
    assert any("failed" in m.message for m in client.log_messages)


@pytest.mark.asyncio(loop_scope="function")
async def test_workspace_configuration_is_honoured(client: LanguageClient, tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck]\nignore = ["SHP102"]\n')
    await _start(client, tmp_path)
    uri = _open(client, tmp_path / "m.py", BUGGY + "d = torch.cat([a, torch.randn(3, 2)])\n")
    (d,) = await _diagnostics(client, uri, lambda ds: len(ds) == 1)
    assert d.code == "SHP202"  # SHP102 ignored by the configuration
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"shapecheck": {
        "ignore": ["SHP2"]}}))
    await _diagnostics(client, uri, lambda ds: not ds)
    # the configuration file changes on disk: every open document is checked again with it
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck]\nignore = []\n')
    client.workspace_did_change_watched_files(T.DidChangeWatchedFilesParams([T.FileEvent(
        (tmp_path / "pyproject.toml").as_uri(), T.FileChangeType.Changed)]))
    (d,) = await _diagnostics(client, uri, lambda ds: len(ds) == 1)
    assert d.code == "SHP102"  # SHP2 still ignored by the client's setting


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER + ["--select", "SHP2"], server_env=ENV))
async def selecting(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio(loop_scope="function")
async def test_select_on_the_command_line(selecting: LanguageClient, tmp_path: Path):
    await _start(selecting, tmp_path)
    uri = _open(selecting, tmp_path / "m.py", BUGGY + "d = torch.cat([a, torch.randn(3, 2)])\n")
    (d,) = await _diagnostics(selecting, uri, lambda ds: len(ds) == 1)
    assert d.code == "SHP202"


@pytest.mark.asyncio(loop_scope="function")
async def test_saving_an_imported_file_rechecks_its_importers(client: LanguageClient, tmp_path: Path):
    (tmp_path / "sizes.py").write_text("HIDDEN = 4\n")
    await _start(client, tmp_path)
    main = "import torch\nfrom sizes import HIDDEN\n\nw = torch.randn(HIDDEN, 5)\ny = torch.randn(3, 4) @ w\n"
    uri = _open(client, tmp_path / "main.py", main)
    await _diagnostics(client, uri, lambda ds: not ds)
    (tmp_path / "sizes.py").write_text("HIDDEN = 6\n")
    saved = T.TextDocumentIdentifier((tmp_path / "sizes.py").as_uri())
    client.text_document_did_save(T.DidSaveTextDocumentParams(saved))
    (d,) = await _diagnostics(client, uri, lambda ds: len(ds) == 1)
    assert d.code in ("SHP101", "SHP102")


@pytest.mark.asyncio(loop_scope="function")
async def test_inlay_hints_only_when_asked(client: LanguageClient, tmp_path: Path):
    await _start(client, tmp_path)
    uri = _open(client, tmp_path / "m.py", FIXED)
    await _diagnostics(client, uri, lambda ds: not ds)
    whole = T.Range(T.Position(0, 0), T.Position(5, 0))
    assert not await client.text_document_inlay_hint_async(T.InlayHintParams(T.TextDocumentIdentifier(uri), whole))
    client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings={"inlayHints": True}))
    await asyncio.sleep(0.3)
    hints = await client.text_document_inlay_hint_async(T.InlayHintParams(T.TextDocumentIdentifier(uri), whole))
    labels = {h.position.line: h.label for h in hints}
    assert "(3, 5)" in str(labels.get(4)), labels


def test_an_analysis_is_cancelled_from_outside():
    """A newer edit calls off a running analysis: ``cancel`` is polled and ends it with Cancelled."""
    from shapecheck import engine
    from shapecheck.analysis.context import Cancelled

    src = "import torch\n" + "".join(f"x{i} = torch.randn({i + 1}, 4) @ torch.randn(4, 3)\n" for i in range(400))
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return True

    with pytest.raises(Cancelled):
        engine.analyse_source(src, "m.py", cancel=cancel)
    assert asked
    assert engine.analyse_source(src, "m.py", cancel=lambda: False).diagnostics == []


def test_the_collector_is_back_on_after_any_analysis(monkeypatch):
    """An analysis runs with the cyclic collector off; whatever becomes of it (published, or
    raising past the engine's guard), the collector is on again once the server is idle, and
    after ``TIDY_EVERY`` analyses in a row without a pause."""
    import gc

    from shapecheck import server as srv

    monkeypatch.setattr(srv, "TIDY_IDLE", 0.05)
    ls = srv.make_server()
    snap = srv.Snapshot("file:///m.py", "import torch\nx = torch.randn(3, 5) @ torch.randn(3, 5)\n", None)
    monkeypatch.setattr(ls, "snapshot", lambda key: snap)
    monkeypatch.setattr(ls, "options_for", lambda path: None)  # (an empty result: nothing to publish)
    published = []
    monkeypatch.setattr(ls, "publish", published.append)

    def broken(*a):
        gc.disable()
        raise RuntimeError("boom")

    async def run(idle: bool, times: int = 1) -> list:
        raised = []
        for _ in range(times):
            try:
                await ls._run(snap.key, 0)
            except RuntimeError as e:
                raised.append(e)
        if idle:
            await asyncio.sleep(0.2)
        await asyncio.wrap_future(ls.executor.submit(lambda: None))
        return raised

    try:
        assert not asyncio.run(run(idle=True))
        assert published and gc.isenabled()
        gc.disable()
        assert not asyncio.run(run(idle=False, times=srv.TIDY_EVERY))  # (no pause: the last run collects)
        assert gc.isenabled()
        monkeypatch.setattr(ls, "analyse", broken)
        assert asyncio.run(run(idle=True))
        assert gc.isenabled()
    finally:
        gc.enable()
        ls.executor.shutdown()
