"""Jinja environment, template discovery and rendering into a `RenderedTree`.

Conventions:
* every `*.j2` file under `templates/` is a template; its output path under `rendered/<env>/` is
  its path without `.j2`;
* files or folders whose name starts with `_` are partials (macros, includes), never rendered on
  their own;
* a template that renders to nothing but whitespace and comments produces no file (that is how a
  component exists in one environment and not in another);
* output is parsed back as YAML at once and written in canonical form; invalid YAML is reported
  with the template and the offending rendered line.

Templates can call `output("path/in/tree.yaml")` to get the canonical text of another output of
the same render (e.g. a ConfigMap embedding the cloudflared config file, plus its checksum).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from gitopsgen import yamlio
from gitopsgen.errors import TemplateError
from gitopsgen.layout import TEMPLATES
from gitopsgen.manifests import RenderedFile, RenderedTree, make_document
from gitopsgen.problems import Problem
from gitopsgen.render.filters import FILTERS, HelpfulUndefined, finalize

SUFFIX = ".j2"


def discover(templates_dir: Path) -> list[str]:
    """Template names (posix, relative to templates/) in a stable order."""
    names = []
    for path in templates_dir.rglob(f"*{SUFFIX}"):
        rel = path.relative_to(templates_dir)
        if path.is_file() and not any(part.startswith(("_", ".")) for part in rel.parts):
            names.append(rel.as_posix())
    return sorted(names)


def _template_line(tb: TracebackType | None, templates_dir: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template (Jinja maps it to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    prefix = str(templates_dir.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(prefix):
            found = (Path(filename).resolve().relative_to(prefix).as_posix(), tb.tb_lineno)
        tb = tb.tb_next
    return found


class Renderer:
    """Built once per templates folder; renders any number of environments."""

    def __init__(self, root: Path, templates_dir: Path | None = None) -> None:
        self.root = root
        self.templates_dir = templates_dir or root / TEMPLATES
        if not self.templates_dir.is_dir():
            raise TemplateError(Problem(self._shown(self.templates_dir), message="templates folder not found",
                                        rule="template"))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.templates_dir)),
            undefined=HelpfulUndefined,
            autoescape=True,  # only to mark macro/block output as Markup; see render.filters
            finalize=finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=-1,
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        )
        self.env.filters.update(FILTERS)
        self.names = discover(self.templates_dir)
        self._compiled: dict[str, jinja2.Template] = {}

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _template_file(self, name: str) -> str:
        return self._shown(self.templates_dir / name)

    def compile_all(self) -> None:
        """Compile every template, reporting all syntax errors at once."""
        problems = []
        for name in self.names:
            try:
                self._get(name)
            except TemplateError as exc:
                problems.extend(exc.problems)
        if problems:
            raise TemplateError(problems)

    def _get(self, name: str) -> jinja2.Template:
        template = self._compiled.get(name)
        if template is None:
            try:
                template = self.env.get_template(name)
            except jinja2.TemplateSyntaxError as exc:
                shown = self._template_file(exc.name or name)
                raise TemplateError(Problem(shown, exc.lineno, None, message=f"syntax error: {exc.message}",
                                            rule="template")) from exc
            except jinja2.TemplateNotFound as exc:
                raise TemplateError(Problem(self._template_file(name), message=f"template not found: {exc}",
                                            rule="template")) from exc
            self._compiled[name] = template
        return template

    def render(self, env: str, context: Mapping[str, Any]) -> RenderedTree:
        """Render every template for one environment. Raises TemplateError."""
        self.compile_all()
        tree = RenderedTree(env)
        outputs: dict[str, RenderedFile | None] = {}
        in_progress: list[str] = []

        def render_one(name: str) -> RenderedFile | None:
            if name in outputs:
                return outputs[name]
            if name in in_progress:
                cycle = " -> ".join([*in_progress, name])
                raise TemplateError(Problem(self._template_file(name), message=f"output() cycle: {cycle}",
                                            rule="template"))
            in_progress.append(name)
            try:
                text = self._run(name, context, output)
                outputs[name] = self._parse(name, text)
            finally:
                in_progress.pop()
            return outputs[name]

        def output(path: str) -> str:
            name = path + SUFFIX
            if name not in self.names:
                raise KeyError(f"output({path!r}): no template {name} renders that path")
            rendered = render_one(name)
            if rendered is None:
                raise KeyError(f"output({path!r}): that template renders nothing for this environment")
            return rendered.text

        for name in self.names:
            rendered = render_one(name)
            if rendered is not None:
                tree.add(rendered)
        return tree

    def _run(self, name: str, context: Mapping[str, Any], output: Any) -> str:
        template = self._get(name)
        try:
            return template.render({**context, "output": output})
        except TemplateError:
            raise
        except Exception as exc:  # anything a template does wrong: undefined names, bad filters...
            file, line = _template_line(sys.exc_info()[2], self.templates_dir)
            shown = self._template_file(file or name)
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
            if isinstance(exc, KeyError):
                message = str(exc.args[0]) if exc.args else message
            if isinstance(exc, jinja2.UndefinedError):
                message = f"undefined: {message}"
            raise TemplateError(Problem(shown, line, None, message=message, rule="template",
                                        hint=None if file in (None, name) else f"while rendering {name}")) from exc

    def _parse(self, name: str, text: str) -> RenderedFile | None:
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        if not text.strip():
            return None
        try:
            data = yamlio.load_all(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            lines = text.splitlines()
            line = mark.line + 1 if mark is not None else None
            shown_line = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
            problem = " ".join(str(p).strip() for p in (exc.context, exc.problem) if p)
            raise TemplateError(Problem(
                self._template_file(name), None, None,
                message=f"renders invalid YAML: {problem} (rendered line {line})",
                rule="template", hint=f"rendered line {line}: {shown_line.strip()!r}",
            )) from exc
        except YAMLError as exc:
            raise TemplateError(Problem(self._template_file(name), message=f"renders invalid YAML: {exc}",
                                        rule="template")) from exc
        if not data:
            return None
        path = name[: -len(SUFFIX)]
        documents = tuple(make_document(path, i, doc) for i, doc in enumerate(data))
        try:
            canonical = yamlio.dump([d.data for d in documents])
        except TypeError as exc:
            raise TemplateError(Problem(self._template_file(name), message=f"renders unsupported YAML: {exc}",
                                        rule="template")) from exc
        return RenderedFile(path=path, template=self._template_file(name), documents=documents, text=canonical)
