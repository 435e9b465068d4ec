"""Work done once for what is built alike (``CallEvaluator.reuse``).

A network's blocks are built by the same code with the same sizes, checked in their stage's chain
and again in the network's: the analysis answers the repeats from the first run.

- A torch module built at the same node with the same arguments as one before is a copy of that
  one as its constructor left it (``made_key``, ``make_again``): of the first module itself while
  nothing it holds was written into since, else of a copy kept when it was built again (``Made``,
  ``keep_made``).
- A method of a module whose structure (``objects.Structures``) matches one that already ran on
  the same arguments is answered from that run (``method_key``).
- The ``nn.Sequential`` a constructor builds is checked on an input of unknown shape once the
  outermost constructor returns, the network's chain first; a container some chain already ran
  through to its end, or one built like it, is not checked again (``defer_check``, ``check_built``).

Each only where a second run would add nothing: the first run wrote into nothing older than itself
(``effects``/``kept``), and findings go where the first run's went (reported as they come, not
weighed apart, captured, suppressed, traced for a summary, or entered from another call)."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

from ..findings import ShapeError
from ..values import FAILED, UNKNOWN, Const, Int, Layer, Obj, Seq, Tensor, Value, epoch
from .objects import ClassInfo, FuncInfo, NotClonable, Remake, Structures, signature, unchanging

if TYPE_CHECKING:
    from ..ops.registry import Call
    from .calls import CallEvaluator


_NEVER: tuple = ("not copied",)  # what the memo holds for a construction nothing can copy


@dataclass
class Made:
    """What the memo holds for a construction (``Reuse.remember``): the module a later one built
    alike is a copy of, with the objects and layers its constructor made and its arguments. The
    first module built itself while nothing it holds was written into since its constructor
    returned (``until``; ``Remake``), or a copy of one kept aside (``until`` None: nothing writes
    into it)."""

    obj: Obj
    start: int
    until: Optional[int]
    instances: list
    created: list
    args: list
    kwargs: dict


@dataclass
class _Built:
    """A container built in a constructor, its construction check to come (``check_built``), with
    where its findings go: the constructor's call in the checked file, the statement, the list."""

    layer: Layer
    rule: Any
    call: Call
    node: Any
    entry: Any
    statement: Any
    findings: list


class Reuse:
    def __init__(self, calls: CallEvaluator) -> None:
        self.calls = calls
        self.ctx = calls.ctx
        self.building: set[int] = set()  # id() of the objects whose constructor runs now
        self.structures: Optional[Structures] = None  # (made when first needed: the parts are wired then)
        # the containers built in the constructors running now, whose check waits for the outermost
        # to return, and those a chain ran through meanwhile (by id, and by ``Structures`` number),
        # with the findings list then
        self.built: list[_Built] = []
        self.ran_through: dict[int, tuple[Layer, list]] = {}
        self.ran_alike: dict[int, list] = {}
        self.checking = False  # (while ``check_built`` runs them)

    def _reporting(self) -> bool:
        """Whether findings are reported as they come (what a second run would add is nothing)."""
        ctx = self.ctx
        return self.calls.alike and ctx.trace is None and not ctx.captures and not ctx.suppress

    def _structures(self) -> Structures:
        if self.structures is None:
            self.structures = Structures(self.calls.flow)
        return self.structures

    def _shape(self, v: Value) -> Optional[int]:
        return self._structures().of_module(v)

    # -- runs that change nothing older than themselves ---------------------------------------------
    def effects(self) -> tuple:
        """What a run leaves behind besides its result and findings: the layers, objects and
        construction checks it made, what it revealed, and (``BranchLog.oldest``, started afresh
        here) the oldest value it wrote into."""
        ctx, flow = self.ctx, self.calls.flow
        oldest, flow.oldest = flow.oldest, sys.maxsize
        return len(ctx.created), len(ctx.instances), len(ctx.pending), len(ctx.revealed), oldest

    def kept(self, start: int, before: Optional[tuple], made: bool = False) -> bool:
        """Whether the run since ``start`` changed nothing it did not make itself (``effects``);
        ``made``: a constructor's run, which adds the objects and layers it makes to the file's."""
        if before is None:
            return False
        ctx = self.ctx
        now = len(ctx.created), len(ctx.instances), len(ctx.pending), len(ctx.revealed)
        return not self.wrote_older(start, before) and (now[2:] == before[2:4] if made else now == before[:4])

    def wrote_older(self, start: int, before: tuple) -> bool:
        """Whether the run since ``start`` wrote into a value made before it (``effects``)."""
        flow = self.calls.flow
        wrote = flow.oldest
        flow.oldest = min(wrote, before[4])
        return wrote <= start

    def _entry_key(self) -> tuple:
        """Where a finding of the run would go: in code of an imported file, on the call of the
        checked file that entered it (``Context.report``), which a memo key must then name."""
        ctx = self.ctx
        if ctx.current is ctx.main or ctx.entry is None:
            return ()
        return (id(ctx.entry[0]), id(ctx.entry[1]))

    # -- methods of modules built alike ------------------------------------------------------------
    def method_key(self, fn: FuncInfo, bound: Optional[Value], key: tuple, node: Any) -> Optional[tuple]:
        """The memo key of a method of a torch module by the module's structure: a block built like
        one whose method already ran on these arguments computes what it computed. ``key``: the
        call's own memo key (``call_func``)."""
        if not isinstance(bound, Obj) or not self._reporting() or id(bound) in self.building \
                or not _torch_module(bound.cls):  # (a module its constructor is still building changes yet)
            return None
        shape = self._shape(bound)
        ctx = self.ctx
        # (a method of an imported file called from here: its findings go on this call)
        here = (id(node),) if ctx.current is ctx.main and fn.home is not None and fn.home is not ctx.main else ()
        return None if shape is None else ("alike", key[0], shape) + key[2:] + self._entry_key() + here

    # -- modules built alike -----------------------------------------------------------------------
    def made_key(self, cls: ClassInfo, init: Any, args: list, kwargs: dict, node: Any,
                 generic: bool) -> Optional[tuple]:
        """The memo key of a torch module's construction: built at the same node with the same
        arguments (by ``signature``: sizes and constants by value, modules by identity), a module
        is built alike (``make_again``)."""
        if not isinstance(init, FuncInfo) or not self._reporting() or not _torch_module(cls):
            return None
        return ("made", id(cls), id(node), generic, tuple(signature(a) for a in args),
                tuple(sorted((k, signature(v)) for k, v in kwargs.items()))) + self._entry_key()

    def remember(self, key: tuple, obj: Obj, start: int, first: tuple[int, int], args: list, kwargs: dict) -> None:
        """After a constructor's run that kept to itself: the first time a key is built, the module
        itself (a copy of a network costs much, and most are built once); when a module built alike
        could not be copied from it (written into since), a copy kept aside (``keep_made``), or
        that nothing can be copied."""
        ctx = self.ctx
        got = ctx.memo.get(key)
        if got is None:
            ctx.memo_alive.append((args, kwargs))  # (the ids in the key stay theirs)
            ctx.memo[key] = Made(obj, start, epoch(), ctx.instances[first[0]:], ctx.created[first[1]:], list(args),
                                 dict(kwargs))
        elif isinstance(got, Made) and got.until is not None:
            ctx.memo[key] = self.keep_made(obj, start, first, args, kwargs)

    def keep_made(self, obj: Obj, start: int, first: tuple[int, int], args: list, kwargs: dict) -> Any:
        """A copy of the module as its constructor (run since ``start``) left it (the module itself
        may change later), with the objects and layers the constructor made (``first``: where they
        begin in the file's lists), in order, and its arguments."""
        ctx = self.ctx
        copy = Remake(start)
        start = epoch()  # (what the copy holds is younger)
        try:
            return Made(copy.copy(obj), start, None, [copy.copy(x) for x in ctx.instances[first[0]:]],
                        [copy.copy(x) for x in ctx.created[first[1]:]], list(args), dict(kwargs))
        except NotClonable:
            return _NEVER

    def make_again(self, made: Any, args: list, kwargs: dict) -> Optional[Value]:
        """A module built like the one ``made`` keeps: a copy of it whose arguments are these (by
        ``signature`` the same values; a list or dict given is this call's own, not the first's);
        its objects and layers join the file's as a run of the constructor would add them."""
        if not isinstance(made, Made):  # (nothing to copy)
            return None
        copy = Remake(made.start, made.until)
        own = False  # (whether a list or dict of this call's takes the first's place)
        for a, b in list(zip(made.args, args)) + [(made.kwargs[k], kwargs[k]) for k in made.kwargs if k in kwargs]:
            if a is not b:
                copy.made[id(a)] = b
                own = own or not unchanging(a)
        try:
            again = copy.copy(made.obj)
            more = [copy.copy(x) for x in made.instances], [copy.copy(x) for x in made.created]
        except NotClonable:
            return None
        self.ctx.instances.extend(more[0])
        self.ctx.created.extend(more[1])
        if made.until is not None and not own and self._shape(made.obj) is not None:
            # (the copies of the first's modules have their numbers: a stage's blocks are not walked each)
            self._structures().share(copy.made)
        return again

    def constructed(self, obj: Obj, done: bool) -> None:
        """``obj``'s constructor returned (``done``) or was cut short: once no constructor runs,
        the construction checks waiting run, or are dropped with what was cut."""
        self.building.discard(id(obj))
        if self.building:
            return
        if done and self.built:
            self.check_built()
        elif not done:
            self.built, self.ran_through, self.ran_alike = [], {}, {}

    # -- construction checks -----------------------------------------------------------------------
    def defer_check(self, layer: Layer, rule: Any, call: Call, node: Any) -> None:
        """A container's construction check (``LayerRule.defer_build_check``): in a constructor, it
        waits for the outermost to return (``check_built``); elsewhere it runs now."""
        ctx = self.ctx
        if self.building and self.calls.alike and not ctx.suppress and not ctx.captures:
            self.built.append(_Built(layer, rule, call, node, ctx.entry, ctx.statement, ctx.findings))
        else:
            self._check(layer, rule, call, node)

    def _check(self, layer: Layer, rule: Any, call: Call, node: Any) -> None:
        """What the check finds waits in ``ctx.pending`` for the end of the analysis (dropped if the
        container is iterated by hand)."""
        try:
            rule.after_build(layer, call)
        except ShapeError as err:
            self.ctx.pending.append((layer.node, err, node))

    def check_built(self) -> None:
        """The construction checks of the containers an outermost constructor built, once it
        returned: the outermost container first (built last), whose check runs the chain through the
        ones inside it; a container some chain already ran through, or one built like it (the
        blocks of a stage), has nothing more to show and is not checked."""
        ctx = self.ctx
        built, self.built = self.built, []
        saved = ctx.current, ctx.entry, ctx.statement
        self.checking = True
        try:
            for b in reversed(built):
                ran = self.ran_through.get(id(b.layer))
                if ran is not None and ran[1] is b.findings:
                    continue
                shape = self._shape(b.layer)
                if shape is not None and self.ran_alike.get(shape) is b.findings:
                    continue
                ctx.current, ctx.entry, ctx.statement = ctx.main, b.entry, b.statement
                findings = ctx.findings
                ctx.findings = b.findings  # (where the findings went when it was built)
                try:
                    self._check(b.layer, b.rule, b.call, b.node)
                finally:
                    ctx.findings = findings
        finally:
            ctx.current, ctx.entry, ctx.statement = saved
            self.ran_through, self.ran_alike = {}, {}
            self.checking = False

    def ran_through_chain(self, layer: Any) -> None:
        """``Call.ran_through``: a chain ran to its end on a tensor, where findings are reported
        as they come."""
        ctx = self.ctx
        if not (self.built or self.checking) or ctx.suppress or ctx.captures or not self.calls.alike:
            return
        self.ran_through[id(layer)] = (layer, ctx.findings)
        shape = self._shape(layer)
        if shape is not None:
            self.ran_alike.setdefault(shape, ctx.findings)


def _torch_module(cls: ClassInfo) -> bool:
    """A torch module's class: built whole by its constructor (a Keras layer builds on its first call)."""
    return (cls.framework_base() or "").startswith("torch.")


def plain_result(v: Value, depth: int = 0) -> bool:
    """A result one module's method may hand out for another's: tensors, sizes and constants (a
    tuple of them), never a module or a container the caller may change."""
    if isinstance(v, (Tensor, Int, Const)) or v is UNKNOWN or v is FAILED:
        return True
    return isinstance(v, Seq) and v.kind == "tuple" and depth < 3 and all(plain_result(x, depth + 1) for x in v.items)
