"""The language server: ``shapecheck server``, LSP over stdio (pygls 2 and lsprotocol).

What an editor gets:
- diagnostics on open, on change (debounced) and on save, for Python files and for notebooks
  (LSP 3.17 notebook sync: the code cells in order as one program, diagnostics per cell);
  a project file saved re-checks the open documents that import it;
- hover: what the analysis knows of the expression under the cursor (``hover.HoverIndex``);
- inlay hints (off unless the ``inlayHints`` setting is on): the shape after each assignment;
- code actions: the fixes that carry an edit, "add ``# noqa: SHPxxx``", and fix-all.

One analysis runs at a time, on a worker thread; an edit that arrives while a document is being
analysed cancels that run (``engine.analyse_source``'s ``cancel``), so a slow file never makes
an editor wait for a stale answer. A crash in an analysis is a logged message and an SHP901
diagnostic on the document, never a dead server.

Settings come from the workspace's configuration (``[tool.shapecheck]`` above each file, as
``check`` reads it), then the server's command line (``--select``/``--ignore``/``--keras-version``),
then the client's ``initializationOptions`` or ``workspace/didChangeConfiguration``
(``{"shapecheck": {...}}`` or the bare table): ``select``, ``ignore``, ``keras-version``,
``inlayHints`` (bool), ``debounce`` (milliseconds, default 300), ``ruleDocsUrl`` (where the
rule pages live: each diagnostic's ``codeDescription`` is ``<ruleDocsUrl>SHP102.md``; by default
the pages are written once to a folder of the user's cache and linked as files).
"""
from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Optional

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from . import __version__
from . import config as cfgmod
from .engine import Checked, Options
from .findings import Diagnostic
from .reparse import Reparser

log = logging.getLogger("shapecheck.server")

DEBOUNCE = 0.3  # seconds between the last keystroke and the analysis
_SEVERITY = {"error": T.DiagnosticSeverity.Error, "warning": T.DiagnosticSeverity.Warning,
             "info": T.DiagnosticSeverity.Information}
_SOURCE = "shapecheck"


@dataclass
class Settings:
    """What the command line and the client asked for, over what the workspace's files say."""

    select: Optional[list] = None  # selectors; None: the configuration's
    ignore: list = field(default_factory=list)  # added to the configuration's
    keras_version: Optional[int] = None
    config_path: Optional[str] = None  # one configuration file for every document
    isolated: bool = False  # no configuration file at all
    inlay_hints: bool = False
    debounce: float = DEBOUNCE
    rule_docs_url: Optional[str] = None

    def update(self, raw: Any) -> None:
        """Take a client's settings (``initializationOptions`` or ``didChangeConfiguration``);
        a wrong value is logged and ignored, never fatal."""
        if not isinstance(raw, dict):
            return
        if isinstance(raw.get("shapecheck"), dict):
            raw = raw["shapecheck"]
        codes = cfgmod.known_codes()
        for key, value in raw.items():
            try:
                if key == "select":
                    self.select = list(cfgmod.parse_selectors(cfgmod.string_list(value, "select"), codes,
                                                              "select"))
                elif key == "ignore":
                    self.ignore = list(cfgmod.parse_selectors(cfgmod.string_list(value, "ignore"), codes,
                                                              "ignore"))
                elif key in ("keras-version", "kerasVersion"):
                    self.keras_version = None if value is None else cfgmod.parse_keras_version(value, key)
                elif key == "inlayHints":
                    self.inlay_hints = bool(value)
                elif key == "debounce":
                    self.debounce = max(0.0, float(value) / 1000.0)
                elif key == "ruleDocsUrl":
                    self.rule_docs_url = str(value) if value else None
                else:
                    log.warning("unknown setting %r ignored", key)
            except (cfgmod.ConfigError, TypeError, ValueError) as e:
                log.warning("setting %r ignored: %s", key, e)


@dataclass
class Snapshot:
    """What one analysis reads: the program's text and where its lines go back to."""

    key: str  # the document's URI, or the notebook's
    source: str
    path: Optional[str]  # the file on disk (imports are followed from its folder)
    cells: Optional[list] = None  # a notebook: the URI of each cell (None: not a notebook)
    nb: Any = None  # notebooks.Notebook of a notebook's program
    texts: tuple = ()  # each document's text as it was read (a cell's own text, for positions)
    version: Optional[int] = None  # the text document's version (published with its diagnostics)


@dataclass
class State:
    """The last finished analysis of a document."""

    snapshot: Snapshot
    checked: Checked
    diagnostics: list  # shapecheck Diagnostics, notebook ones placed in cells
    deps: frozenset = frozenset()  # project files its analysis read
    opts: Optional[Options] = None
    _hover: Any = None

    def hover_index(self) -> Any:
        """What hover and inlay hints read: the same text analysed once more, keeping what each
        expression evaluated to (``engine.analyse_source(hover=True)``, about a fifth slower than
        the diagnostics' run, so it runs only when an editor asks). On the worker thread."""
        if self._hover is None and self.checked.module is not None and self.opts is not None:
            from . import engine
            from .hover import HoverIndex

            snap, module = self.snapshot, self.checked.module
            gc.disable()  # (collected once the request is answered: ``ShapecheckServer.tidy``)
            try:
                checked = engine.analyse_source(snap.source, snap.path or snap.key, self.opts, real_path=snap.path,
                                                hover=True, parse=lambda _text: module)  # (the tree of this text)
                self._hover = HoverIndex.of(checked)
            except Exception:  # noqa: BLE001 - no hover rather than a dead request
                log.error("hover analysis of %s failed:\n%s", snap.key, traceback.format_exc())
                self._hover = False
        return self._hover or None


class ShapecheckServer(LanguageServer):
    def __init__(self, settings: Optional[Settings] = None) -> None:
        super().__init__(
            "shapecheck", __version__,
            text_document_sync_kind=T.TextDocumentSyncKind.Incremental,
            notebook_document_sync=T.NotebookDocumentSyncOptions(
                notebook_selector=[T.NotebookDocumentFilterWithCells(
                    notebook="*", cells=[T.NotebookCellLanguage(language="python")])],
                save=True),
        )
        self.settings = settings or Settings()
        self.states: dict[str, State] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.running: dict[str, threading.Event] = {}
        self.published: dict[str, set] = {}  # key -> URIs it published diagnostics to
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="shapecheck-analysis")
        self._untidy = 0  # analyses since the garbage was last collected (``tidy``)
        self._young = 0  # young-generation collections since the last full one
        self._tidy_timer: Optional[asyncio.TimerHandle] = None
        self._docs_base: Optional[str] = None
        self.reparser = Reparser()  # (an edit re-parses only the statements it changed)

    # ----------------------------------------------------------------- documents
    def key_of(self, uri: str) -> str:
        """The analysis a URI belongs to: its notebook's for a cell, its own otherwise."""
        nb = self.workspace.get_notebook_document(cell_uri=uri)
        return nb.uri if nb is not None else uri

    def snapshot(self, key: str) -> Optional[Snapshot]:
        nb = self.workspace.get_notebook_document(notebook_uri=key)
        if nb is not None:
            from . import notebooks

            cells: list[str] = []
            texts: list[Optional[str]] = []
            for cell in nb.cells:
                cells.append(cell.document)
                if cell.kind == T.NotebookCellKind.Code:
                    texts.append(self.workspace.get_text_document(cell.document).source)
                else:
                    texts.append(None)
            program = notebooks.from_cells(texts)
            return Snapshot(key, program.source, _path_of(key), cells, program, tuple(texts))
        if key not in self.workspace.text_documents:
            return None
        doc = self.workspace.get_text_document(key)
        return Snapshot(key, doc.source, _path_of(key), texts=(doc.source,), version=doc.version)

    def options_for(self, path: Optional[str]) -> Optional[Options]:
        """The options for a document: None when the configuration excludes it."""
        s = self.settings
        try:
            cfg = cfgmod.resolve(s.config_path, s.isolated, [path] if path else [])
        except cfgmod.ConfigError as e:
            self.window_log_message(T.LogMessageParams(T.MessageType.Warning, f"shapecheck: {e}"))
            cfg = cfgmod.Config()
        if path is not None and cfg.exclude:
            from .discover import Excluder

            if Excluder([(p, cfg.root) for p in cfg.exclude]).excluded(path, parents=True):
                return None
        enabled = cfgmod.enabled_for(cfg, path, s.select, s.ignore)
        keras = s.keras_version if s.keras_version is not None else cfg.keras_version
        return Options(select=set(enabled), keras_version=keras)

    # ----------------------------------------------------------------- scheduling
    def schedule(self, key: str, delay: float) -> None:
        """Analyse ``key`` after ``delay``: a newer request replaces a waiting one and cancels a
        running one."""
        old = self.pending.pop(key, None)
        if old is not None and not old.done():
            old.cancel()
        flag = self.running.get(key)
        if flag is not None:
            flag.set()
        self.pending[key] = asyncio.get_running_loop().create_task(self._run(key, delay))

    async def _run(self, key: str, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        snap = self.snapshot(key)
        if snap is None:
            return
        opts = self.options_for(snap.path)
        flag = threading.Event()
        self.running[key] = flag
        try:
            try:
                loop = asyncio.get_running_loop()
                state = await loop.run_in_executor(self.executor, self.analyse, snap, opts, flag)
            finally:
                if self.running.get(key) is flag:
                    del self.running[key]
            if state is None or flag.is_set():
                return  # cancelled: a newer edit has its own run
            self.states[key] = state
            self.publish(state)
        finally:
            self.tidy()

    def tidy(self) -> None:
        """Collect the garbage of the analyses run so far, on the worker thread, once the server is
        idle.

        An analysis allocates by the hundred thousand, and the automatic collections that would
        trigger in its midst walk every object the process holds (parsed imports, sympy's caches,
        the analyses kept for hover): a full one takes 100-250 ms after a large model file, as long
        as a re-check. So an analysis runs with the cyclic collector off, and the collector runs
        once the server has had no request for ``TIDY_IDLE`` seconds (an editor's pause: a burst of
        edits does not wait for it). In a burst, every ``TIDY_EVERY`` analyses collect the young
        generations (~30 ms: the cycles left since), and every ``TIDY_FULL_EVERY``-th of those is
        full, so what a long burst leaves stays bounded (~1.6 MB an analysis of a timm model file
        otherwise). The first full collection freezes what the process holds then (the engine,
        sympy's caches, the imports parsed) out of later walks (``gc.freeze``). Reference counting
        frees objects as always; only the first analysis's cycles are kept. A request that ran
        nothing with the collector off (a hover on an index already built) leaves nothing to do."""
        if gc.isenabled():
            return
        self._untidy += 1
        if self._tidy_timer is not None:
            self._tidy_timer.cancel()
            self._tidy_timer = None
        if self._untidy >= TIDY_EVERY:
            self._young += 1
            self._collect_now(full=self._young % TIDY_FULL_EVERY == 0)
            return
        try:
            self._tidy_timer = asyncio.get_running_loop().call_later(TIDY_IDLE, self._collect_if_idle)
        except RuntimeError:  # (no event loop: not serving)
            self._collect_now()

    def _collect_if_idle(self) -> None:
        self._tidy_timer = None
        if any(not t.done() for t in self.pending.values()) or self.running:
            return  # a newer request is on its way: its own run tidies after it
        self._collect_now()

    def _collect_now(self, full: bool = True) -> None:
        self._untidy = 0
        if full:
            self._young = 0
        try:
            self.executor.submit(_collect, full)
        except RuntimeError:  # shutting down: the process ends anyway
            gc.enable()

    async def on_worker(self, fn: Callable[[], Any]) -> Any:
        """``fn()`` on the analysis thread (one analysis at a time; the event loop keeps answering)."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn)

    async def settled(self, key: str) -> Optional[State]:
        """The document's state once the analysis waiting or running for it is done."""
        for _ in range(50):
            task = self.pending.get(key)
            if task is None or task.done():
                break
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=10)
            except (TimeoutError, asyncio.CancelledError):
                if self.pending.get(key) is task:
                    break
        return self.states.get(key)

    def analyse(self, snap: Snapshot, opts: Optional[Options], flag: threading.Event) -> Optional[State]:
        """One analysis, on the worker thread; None when cancelled. Never raises."""
        from . import engine
        from .analysis.context import Cancelled

        shown = snap.path or snap.key
        if opts is None:  # excluded by the configuration: nothing to say
            return State(snap, Checked([]), [])
        gc.disable()  # (``tidy`` collects once the result is published)
        try:
            checked = engine.analyse_source(snap.source, shown, opts, real_path=snap.path, cancel=flag.is_set,
                                            parse=self.reparser.parse)
        except Cancelled:
            return None
        except Exception as e:  # noqa: BLE001 - a crash is a message and a finding, never a dead server
            log.error("analysis of %s failed:\n%s", shown, traceback.format_exc())
            self.window_log_message(T.LogMessageParams(
                T.MessageType.Error, f"shapecheck: analysis of {shown} failed: {type(e).__name__}: {e}"))
            checked = Checked(engine.internal_error(e, shown))
        diags = checked.diagnostics
        if snap.nb is not None:
            diags = engine.in_cells(snap.nb, diags)
        deps: frozenset = frozenset()
        if checked.result is not None and checked.result.analysis is not None:
            deps = frozenset(os.path.abspath(p) for p, info in checked.result.analysis.ctx.modules.items()
                             if info is not None and isinstance(p, str))
        engine.release(checked)  # (hover analyses the text again, keeping values: ``State.hover_index``)
        return State(snap, checked, diags, deps, opts)

    # ----------------------------------------------------------------- publishing
    def publish(self, state: State) -> None:
        snap = state.snapshot
        by_uri: dict[str, list] = {}
        if snap.cells is not None:
            for cell_uri in snap.cells:
                by_uri[cell_uri] = []
        else:
            by_uri[snap.key] = []
        for d in state.diagnostics:
            uri, lines = self.document_of(snap, d.cell)
            if uri is None:
                continue
            by_uri.setdefault(uri, []).append(self.lsp_diagnostic(d, lines))
        for uri in self.published.get(snap.key, set()) - set(by_uri):  # cells gone since
            by_uri[uri] = []
        self.published[snap.key] = {u for u, ds in by_uri.items() if ds}
        for uri, ds in by_uri.items():
            version = snap.version if uri == snap.key else None
            self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=ds,
                                                                              version=version))

    def document_of(self, snap: Snapshot, cell: Optional[int]) -> tuple:
        """(URI, lines) of the document a diagnostic or position of ``snap`` is in."""
        if snap.cells is None:
            return snap.key, snap.texts[0].splitlines() if snap.texts else []
        if cell is None or not 1 <= cell <= len(snap.cells):
            return None, []
        text = snap.texts[cell - 1] or ""
        return snap.cells[cell - 1], text.splitlines()

    def lsp_range(self, lines: list, line: int, col: int, end_line: int, end_col: int) -> T.Range:
        """An LSP range (0-based, the client's code units) of a 1-based character span."""
        codec = self.workspace.position_codec
        start = codec.position_to_client_units(lines, T.Position(max(line - 1, 0), max(col - 1, 0)))
        end = codec.position_to_client_units(lines, T.Position(max(end_line - 1, 0), max(end_col - 1, 0)))
        return T.Range(start, end)

    def lsp_diagnostic(self, d: Diagnostic, lines: list) -> T.Diagnostic:
        return T.Diagnostic(
            range=self.lsp_range(lines, d.line, d.column, d.end_line, d.end_column),
            message=d.message, severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Information),
            code=d.code, source=_SOURCE,
            code_description=T.CodeDescription(href=self.rule_href(d.code)),
            data={"name": d.name, "fix": None if d.fix is None else d.fix.description},
        )

    def rule_href(self, code: str) -> str:
        if self.settings.rule_docs_url:
            return f"{self.settings.rule_docs_url}{code}.md"
        if self._docs_base is None:
            self._docs_base = _write_rule_pages()
        return f"{self._docs_base}{code}.md"

    # ----------------------------------------------------------------- positions
    def locate(self, uri: str, position: T.Position) -> Optional[tuple]:
        """(state, program line, program column) of a client position (1-based, characters),
        or None where the document has no up-to-date analysis."""
        key = self.key_of(uri)
        state = self.states.get(key)
        if state is None:
            return None
        snap = state.snapshot
        doc = self.workspace.get_text_document(uri)
        cell_index = None
        if snap.cells is not None:
            if uri not in snap.cells:
                return None
            cell_index = snap.cells.index(uri) + 1
            analysed = snap.texts[cell_index - 1]
        else:
            analysed = snap.texts[0] if snap.texts else None
        if analysed != doc.source:
            return None  # edited since: positions would be wrong
        lines = doc.lines
        pos = self.workspace.position_codec.position_from_client_units(lines, position)
        line, col = pos.line + 1, pos.character + 1
        if cell_index is not None:
            at = _program_line(snap.nb, cell_index, line)
            if at is None:
                return None
            line = at
        return state, line, col

    def to_document(self, state: State, line: int) -> Optional[tuple]:
        """(URI, line in it, lines) of a program line of ``state``'s snapshot."""
        snap = state.snapshot
        if snap.nb is None:
            return snap.key, line, snap.texts[0].splitlines() if snap.texts else []
        cell, cline = snap.nb.place(line)
        uri, lines = self.document_of(snap, cell)
        return (uri, cline, lines) if uri is not None else None


TIDY_IDLE = 0.5  # seconds without a request before the garbage is collected (``ShapecheckServer.tidy``)
TIDY_EVERY = 4  # analyses between two collections at the most
TIDY_FULL_EVERY = 8  # in a burst of edits, every 8th of those collections is a full one
_FROZEN: list = []


def _collect(full: bool = True) -> None:
    """``ShapecheckServer.tidy``'s work (on the worker thread, between analyses): a full collection
    when idle; in a burst of edits only the young generations (~30 ms against ~250 ms after a
    large model file: the cycles the analyses since left behind, not older ones)."""
    gc.enable()
    gc.collect(2 if full else 1)
    if full and not _FROZEN:
        gc.freeze()
        _FROZEN.append(True)


def _program_line(nb: Any, cell: int, line: int) -> Optional[int]:
    for i, (c, ln) in enumerate(nb.index, start=1):
        if c == cell and ln == line:
            return i
    return None


def _path_of(uri: str) -> Optional[str]:
    """The file a ``file:`` URI names (imports are followed from it), else None."""
    if not uri.startswith("file:"):
        return None
    try:
        path = to_fs_path(uri)
    except Exception:  # noqa: BLE001 - a URI the editor made up
        return None
    return path if path and os.path.isfile(path) else None


def _write_rule_pages() -> str:
    """Every rule's page (what ``shapecheck rule CODE`` prints) as Markdown in the user's cache;
    the folder's ``file:`` URI, ending in a slash."""
    import tempfile

    from .rule import all_rules

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "shapecheck", f"rules-{__version__}")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        folder = tempfile.mkdtemp(prefix="shapecheck-rules-")
    for r in all_rules():
        target = os.path.join(folder, f"{r.CODE}.md")
        text = f"# {r.CODE} {r.NAME} ({r.SEVERITY})\n\n{r.doc()}\n"
        try:
            tmp = f"{target}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, target)
        except OSError:
            pass
    return (from_fs_path(folder) or "file://" + folder).rstrip("/") + "/"


def make_server(settings: Optional[Settings] = None) -> ShapecheckServer:
    server = ShapecheckServer(settings)

    @server.feature(T.INITIALIZE)
    def initialize(ls: ShapecheckServer, params: T.InitializeParams) -> None:
        ls.settings.update(params.initialization_options)

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: ShapecheckServer, params: T.DidChangeConfigurationParams) -> None:
        ls.settings.update(params.settings)
        for key in list(ls.states):
            ls.schedule(key, 0)

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ShapecheckServer, params: T.DidOpenTextDocumentParams) -> None:
        ls.schedule(ls.key_of(params.text_document.uri), 0)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ShapecheckServer, params: T.DidChangeTextDocumentParams) -> None:
        ls.schedule(ls.key_of(params.text_document.uri), ls.settings.debounce)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ShapecheckServer, params: T.DidSaveTextDocumentParams) -> None:
        key = ls.key_of(params.text_document.uri)
        ls.schedule(key, 0)
        _recheck_importers(ls, [params.text_document.uri], skip=key)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ShapecheckServer, params: T.DidCloseTextDocumentParams) -> None:
        _forget(ls, params.text_document.uri)

    @server.feature(T.NOTEBOOK_DOCUMENT_DID_OPEN)
    def nb_open(ls: ShapecheckServer, params: T.DidOpenNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(T.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def nb_change(ls: ShapecheckServer, params: T.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, ls.settings.debounce)

    @server.feature(T.NOTEBOOK_DOCUMENT_DID_SAVE)
    def nb_save(ls: ShapecheckServer, params: T.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(T.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def nb_close(ls: ShapecheckServer, params: T.DidCloseNotebookDocumentParams) -> None:
        _forget(ls, params.notebook_document.uri)
        for cell in params.cell_text_documents:
            ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=cell.uri, diagnostics=[]))

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: ShapecheckServer, params: T.DidChangeWatchedFilesParams) -> None:
        _recheck_importers(ls, [c.uri for c in params.changes])

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ShapecheckServer, params: T.HoverParams) -> Optional[T.Hover]:
        await ls.settled(ls.key_of(params.text_document.uri))
        where = ls.locate(params.text_document.uri, params.position)
        if where is None:
            return None
        state, line, col = where

        def look() -> Any:
            index = state.hover_index()
            return index.at(line, col - 1) if index is not None else None  # (its columns are 0-based)

        found = await ls.on_worker(look)
        ls.tidy()
        if found is None:
            return None
        (l1, c1), (l2, c2) = found.start, found.end
        doc = ls.to_document(state, l1)
        rng = None
        if doc is not None and doc[0] == params.text_document.uri:
            end = ls.to_document(state, l2)
            if end is not None and end[0] == doc[0]:
                rng = ls.lsp_range(doc[2], doc[1], c1 + 1, end[1], c2 + 1)
        return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=found.text), range=rng)

    @server.feature(T.TEXT_DOCUMENT_INLAY_HINT, T.InlayHintOptions())
    async def inlay_hints(ls: ShapecheckServer, params: T.InlayHintParams) -> Optional[list]:
        if not ls.settings.inlay_hints:
            return None
        uri = params.text_document.uri
        state = await ls.settled(ls.key_of(uri))
        if state is None or ls.locate(uri, params.range.start) is None:
            return None
        index = await ls.on_worker(state.hover_index)
        ls.tidy()
        if index is None:
            return None
        hints = await ls.on_worker(index.inlay_hints)
        out = []
        lo, hi = params.range.start.line + 1, params.range.end.line + 1
        for line, col, label in hints:
            doc = ls.to_document(state, line)
            if doc is None or doc[0] != uri or not lo <= doc[1] <= hi:
                continue
            pos = ls.lsp_range(doc[2], doc[1], col + 1, doc[1], col + 1).start  # (0-based column)
            out.append(T.InlayHint(position=pos, label=label, kind=T.InlayHintKind.Type, padding_left=True))
        return out

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION, T.CodeActionOptions(
        code_action_kinds=[T.CodeActionKind.QuickFix, T.CodeActionKind.SourceFixAll + ".shapecheck"]))
    async def code_action(ls: ShapecheckServer, params: T.CodeActionParams) -> Optional[list]:
        uri = params.text_document.uri
        state = await ls.settled(ls.key_of(uri))
        if state is None or ls.locate(uri, params.range.start) is None:
            return None
        return _code_actions(ls, state, uri, params)

    return server


def _forget(ls: ShapecheckServer, uri: str) -> None:
    key = ls.key_of(uri)
    task = ls.pending.pop(key, None)
    if task is not None:
        task.cancel()
    flag = ls.running.get(key)
    if flag is not None:
        flag.set()
    ls.states.pop(key, None)
    for target in ls.published.pop(key, {uri}):
        ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=target, diagnostics=[]))


def _recheck_importers(ls: ShapecheckServer, uris: Iterable[str], skip: Optional[str] = None) -> None:
    """Re-check the open documents whose analysis read one of ``uris``' files (all of them when
    one is a configuration file)."""
    changed = {os.path.abspath(p) for u in uris if (p := to_fs_path(u)) is not None}
    config = any(os.path.basename(p) in cfgmod.CONFIG_NAMES for p in changed)  # settings of every file
    for key, state in list(ls.states.items()):
        if key != skip and (config or state.deps & changed):
            ls.schedule(key, 0)


def _code_actions(ls: ShapecheckServer, state: State, uri: str, params: T.CodeActionParams) -> list:
    from . import fixes

    only = params.context.only
    want_quick = not only or any(k.startswith(T.CodeActionKind.QuickFix) for k in only)
    fix_all = T.CodeActionKind.SourceFixAll
    want_all = not only or any(fix_all.startswith(k) or k.startswith(fix_all) for k in only)
    snap = state.snapshot
    cell = snap.cells.index(uri) + 1 if snap.cells is not None else None
    mine = [d for d in state.diagnostics if d.cell == cell]
    _, lines = ls.document_of(snap, cell)
    text = snap.texts[cell - 1] if cell is not None else snap.texts[0]
    text = text or ""
    lo, hi = params.range.start.line + 1, params.range.end.line + 1
    out: list = []
    if want_quick:
        for d in mine:
            if d.end_line < lo or d.line > hi:
                continue
            diag = ls.lsp_diagnostic(d, lines)
            edits = d.edits()
            if d.fix is not None and edits:
                out.append(T.CodeAction(
                    title=f"Fix {d.code}: {d.fix.description}" + ("" if d.fix.safe else " (unsafe)"),
                    kind=T.CodeActionKind.QuickFix, diagnostics=[diag], is_preferred=d.fix.safe,
                    edit=_workspace_edit(ls, snap, uri, lines, edits)))
            noqa = fixes.noqa_edit(text, d.line, d.code)
            if noqa is not None:
                out.append(T.CodeAction(
                    title=f"Add `# noqa: {d.code}` on this line", kind=T.CodeActionKind.QuickFix,
                    diagnostics=[diag], edit=T.WorkspaceEdit(changes={uri: [_text_edit(ls, lines, noqa)]})))
    if want_all and cell is None:
        fixed, applied = fixes.apply_fixes(text, state.diagnostics)
        if applied and fixed != text:
            whole = T.Range(T.Position(0, 0), T.Position(len(lines) + 1, 0))
            out.append(T.CodeAction(
                title="Fix all shapecheck findings with safe fixes", kind=T.CodeActionKind.SourceFixAll + ".shapecheck",
                edit=T.WorkspaceEdit(changes={uri: [T.TextEdit(range=whole, new_text=fixed)]})))
    return out


def _workspace_edit(ls: ShapecheckServer, snap: Snapshot, uri: str, lines: list,
                    edits: Iterable[Any]) -> T.WorkspaceEdit:
    """Edits as LSP text edits, each in its document: a notebook's edit names its cell (a layer
    built in another cell than the one that feeds it)."""
    changes: dict[str, list] = {}
    for e in edits:
        where, where_lines = uri, lines
        if snap.cells is not None and getattr(e, "cell", None) is not None:
            where, where_lines = ls.document_of(snap, e.cell)
            if where is None:
                continue
        changes.setdefault(where, []).append(_text_edit(ls, where_lines, e))
    return T.WorkspaceEdit(changes=changes)


def _text_edit(ls: ShapecheckServer, lines: list, edit: Any) -> T.TextEdit:
    return T.TextEdit(range=ls.lsp_range(lines, edit.line, edit.column, edit.end_line, edit.end_column),
                      new_text=edit.content)


def serve(settings: Optional[Settings] = None) -> None:
    """Run the server on stdin/stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format="shapecheck server: %(levelname)s %(message)s")
    log.setLevel(logging.INFO)
    make_server(settings).start_io()
