"""Which template line wrote each line of a template's output, and which spec values it holds.

Jinja knows the template line of every output node when it compiles a template (it keeps them
for tracebacks, `Template.get_corresponding_lineno`); `TracingCodeGenerator` (Jinja's
documented `code_generator_class` hook) passes that line along with each piece of output:

* at the top level of a template, each `yield` goes through `Tracer.text`/`Tracer.value`, which
  remember the last piece as a `Span` (template, line, literal or expression, text, spec values);
  the renderer reads it after every piece it receives;
* in a buffer (macro bodies, `{% set %}` and `{% call %}` blocks) each piece is appended with its
  span; when Jinja joins the buffer, a multi-line result is remembered by its text, so when a
  macro's output is written by `{{ argo.application(...) }}`, its lines still point into the
  macro's own template.

The cost is one method call per piece of output and a tuple per span; the line map itself
(`SourceMap`) is only built when a finding or an error asks for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup

from gitopsgen.render.provenance import Located, located


class Span(NamedTuple):
    template: str | None
    line: int | None
    literal: bool
    """Template text (its newlines are template lines) rather than an expression's value."""
    text: str
    spec: Located


class TraceBuffer(list[str]):
    """A Jinja output buffer that keeps a span per piece."""

    __slots__ = ("spans",)

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[Span] = []


class TracingCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every output piece passed through the environment's tracer.

    Overrides `buffer` and `visit_Output` of jinja2.compiler.CodeGenerator (Jinja 3.1); the
    constant folding of output nodes is kept, merging adjacent constants is not (one span per
    node keeps the lines exact)."""

    def buffer(self, frame: Frame) -> None:
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.tracer.buffer()")

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.require_output_check:
            if self.has_known_extends:
                return
            self.writeline("if parent_template is None:")
            self.indent()
        finalize = self._make_finalize()
        for child in node.nodes:
            literal = isinstance(child, nodes.TemplateData)
            const: str | None
            try:
                if not (finalize.const or literal):
                    raise nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (nodes.Impossible, Exception):
                const = None
            if frame.buffer is None:
                head = "yield environment.tracer."
                target = ""
            else:
                head = "environment.tracer.write_"
                target = f"{frame.buffer}, "
            if const is not None:
                self.writeline(f"{head}text({target}name, {child.lineno}, {literal!r}, {const!r})", child)
            else:
                self.writeline(f"{head}value({target}name, {child.lineno}, ", child)
                self.visit(child, frame)
                self.write(")")
        if frame.require_output_check:
            self.outdent()


class Tracer:
    """The runtime half: one per Jinja environment, shared by all its templates."""

    def __init__(self, finalize: Any) -> None:
        self._finalize = finalize
        self.last: Span | None = None
        self.joined: dict[str, tuple[Span, ...]] = {}
        """Multi-line buffer results (macro output) by their text, with the spans inside them."""

    def reset(self) -> None:
        self.last = None
        self.joined = {}

    def buffer(self) -> TraceBuffer:
        return TraceBuffer()

    def _out(self, value: Any) -> str:
        try:
            return str(self._finalize(value))
        except Exception as exc:
            spec = located(value)
            if spec and not hasattr(exc, "spec_locs"):
                exc.spec_locs = spec  # type: ignore[attr-defined]
            raise

    def text(self, template: str | None, line: int, literal: bool, text: str) -> str:
        self.last = Span(template, line, literal, text, ())
        return text

    def value(self, template: str | None, line: int, value: Any) -> str:
        text = self._out(value)
        self.last = Span(template, line, False, text, located(value))
        return text

    def write_text(self, buf: list[str], template: str | None, line: int, literal: bool, text: str) -> None:
        buf.append(text)
        if isinstance(buf, TraceBuffer):
            buf.spans.append(Span(template, line, literal, text, ()))

    def write_value(self, buf: list[str], template: str | None, line: int, value: Any) -> None:
        text = self._out(value)
        buf.append(text)
        if isinstance(buf, TraceBuffer):
            buf.spans.append(Span(template, line, False, text, located(value)))

    def indented(self, before: str, after: str, pad: str, first: bool) -> None:
        """`after` is `before` (a macro's output) passed through Jinja's `indent`: keep its spans."""
        spans = self.joined.get(before)
        if spans is None or "\n" not in after:
            return
        self.joined[after] = tuple(
            span._replace(text=(pad if first and i == 0 else "") + span.text.replace("\n", "\n" + pad))
            for i, span in enumerate(spans))

    def concat(self, pieces: Iterable[str]) -> Markup:
        """`Environment.concat`: join a buffer (a macro's, a block's) into Markup, text the template
        wrote, remembering where a multi-line result came from."""
        text = "".join(pieces)
        if isinstance(pieces, TraceBuffer) and "\n" in text and len(pieces.spans) == len(pieces):
            self.joined[text] = tuple(pieces.spans)
        return Markup(text)

    def collect(self, stream: Iterator[str], template: str, limit: int) -> tuple[str, list[Span]]:
        """Consume a template's top-level output stream: its text and a span per piece.
        Raises `OutputTooLarge` past `limit` characters."""
        pieces: list[str] = []
        spans: list[Span] = []
        size = 0
        for piece in stream:
            last = self.last
            span = last if last is not None and last.text is piece else Span(template, None, False, piece, ())
            pieces.append(piece)
            spans.append(span)
            size += len(piece)
            if size > limit:
                raise OutputTooLarge(span)
        return "".join(pieces), spans


class OutputTooLarge(Exception):
    def __init__(self, span: Span) -> None:
        super().__init__("output too large")
        self.span = span


@dataclass(frozen=True)
class Origin:
    """Where one line of a template's output came from."""

    template: str | None
    line: int | None
    spec: Located


class SourceMap:
    """Output line (1-based) -> `Origin`, from the spans of one template's output. Built on the
    first question: renders that raise no finding never pay for it."""

    def __init__(self, spans: list[Span], joined: dict[str, tuple[Span, ...]], prefix: str = "") -> None:
        self._spans = spans
        self._joined = joined
        self._prefix = prefix
        self._lines: dict[int, Origin] | None = None

    def origin(self, line: int) -> Origin | None:
        if self._lines is None:
            self._lines = self._build(self._flatten(self._spans, depth=0))
        return self._lines.get(line)

    def origin_near(self, line: int) -> Origin | None:
        """The origin of `line`, or of the closest line above it that has one (a YAML error is
        often reported on the blank line after its cause)."""
        for number in range(line, 0, -1):
            found = self.origin(number)
            if found is not None and found.template is not None:
                return found
        return None

    def _flatten(self, spans: Iterable[Span], depth: int) -> Iterator[Span]:
        for span in spans:
            inner = self._joined.get(span.text) if not span.literal and depth < 16 else None
            if inner is not None:
                yield from self._flatten(inner, depth + 1)
            else:
                yield span

    def _build(self, spans: Iterable[Span]) -> dict[int, Origin]:
        line = 1
        first: dict[int, tuple[str | None, int | None]] = {}
        spec: dict[int, list[tuple[str, Any]]] = {}
        for span in spans:
            for i, part in enumerate(span.text.split("\n")):
                if i:
                    line += 1
                if not part:
                    continue
                if line not in first and part.strip():
                    where = span.line if span.line is None or not span.literal else span.line + i
                    first[line] = (None if span.template is None else self._prefix + span.template, where)
                if span.spec:
                    spec.setdefault(line, []).extend(span.spec)
        return {number: Origin(*first.get(number, (None, None)), tuple(dict.fromkeys(spec.get(number, ()))))
                for number in first.keys() | spec.keys()}
