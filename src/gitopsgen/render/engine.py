"""Jinja environment, template discovery and rendering into a `RenderedTree`.

Conventions:
* every `*.j2` file under `templates/` is a template; its output path under `rendered/<env>/` is
  its path without `.j2`;
* files or folders whose name starts with `_` are partials (macros, includes), never rendered on
  their own;
* a template that renders to nothing but whitespace and comments produces no file (that is how a
  component exists in one environment and not in another);
* output is parsed back as YAML at once and written in canonical form; invalid YAML is reported
  at the template line that wrote the offending output line.

Templates run in Jinja's sandbox (`jinja2.sandbox.SandboxedEnvironment`): no attribute starting
with `_`, no access to Python internals, `range` bounded; the only files they reach are other
templates under `templates/` (Jinja's loader refuses `..`). Every output line keeps the template
line that wrote it (`render.trace`).

Templates can call `output("path/in/tree.yaml")` to get the canonical text of another output of
the same render (e.g. a ConfigMap embedding the cloudflared config file, plus its checksum).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from gitopsgen.core.errors import TemplateError
from gitopsgen.core.problems import Problem
from gitopsgen.facts import limits
from gitopsgen.facts.layout import FLEET, RENDERED, TEMPLATES, fleet_header, generated_header, output_path_problem
from gitopsgen.render import bytecode
from gitopsgen.render.filters import FILTERS, HelpfulUndefined, UnsafeValueError, finalize
from gitopsgen.render.trace import OutputTooLarge, SourceMap, Tracer, TracingCodeGenerator
from gitopsgen.tree import yamlio
from gitopsgen.tree.manifests import RenderedFile, RenderedTree, make_document

SUFFIX = ".j2"


def discover(*folders: Path) -> list[str]:
    """Template names (posix, relative to their templates folder) of all `folders`, in a stable order."""
    names = set()
    for folder in folders:
        for path in folder.rglob(f"*{SUFFIX}"):
            rel = path.relative_to(folder)
            if path.is_file() and not any(part.startswith(("_", ".")) for part in rel.parts):
                names.add(rel.as_posix())
    return sorted(names)


def _template_line(tb: TracebackType | None, folders: list[Path]) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template (Jinja maps it to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    prefixes = [str(folder.resolve()) + "/" for folder in folders]
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        prefix = next((p for p in prefixes if filename.startswith(p)), None)
        if prefix is not None:
            found = (filename[len(prefix):], tb.tb_lineno)
        tb = tb.tb_next
    return found


@dataclass(frozen=True)
class FleetInfo:
    """The template variable `fleet` (gitopsgen.toml's `[fleet]`): whether Argo CD's ApplicationSet
    controller creates each environment's root Application (`templates/_fleet/`), and what it needs."""

    enabled: bool = False
    generator: str = "git"
    """`git`: a directory generator over `apps_glob`; `list`: one element per environment."""
    environments: tuple[str, ...] = ()
    """Every environment of the repository (environments/*.yaml), sorted."""
    name: str = "gitopsgen-fleet"
    """The ApplicationSet's name, and its AppProject's."""
    apps_glob: str = f"{RENDERED}/*/apps"
    """The folders the git directory generator selects: each environment's child Applications."""
    revisions: tuple[tuple[str, str], ...] = ()
    """(environment, Git revision its Applications follow) for every environment whose spec loads:
    each root follows its own environment's ref, so production still waits for a promotion."""


def fleet_info(root: Path) -> FleetInfo:
    from gitopsgen.core import config
    from gitopsgen.spec.loader import list_environments

    settings = config.load(root)
    if not settings.fleet:
        return FleetInfo()
    names = tuple(list_environments(root))
    return FleetInfo(True, settings.fleet_generator, names, revisions=_revisions(root, names))


def _revisions(root: Path, names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each environment's `argocd.targetRevision` (its tier's default when unset). A spec that
    does not load is left out: its own render reports why."""
    from gitopsgen.core.errors import SpecError
    from gitopsgen.facts import domain
    from gitopsgen.spec import load

    found = []
    for name in names:
        try:
            model = load(root, name).model
        except SpecError:
            continue
        found.append((name, model.argocd.target_revision or domain.DEFAULT_REVISIONS[model.tier]))
    return tuple(found)


class _Loader(jinja2.FileSystemLoader):
    """Jinja's file loader with our limits: a size cap, regular files only, UTF-8 errors located."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses '..'
        path = next((p for p in (Path(folder, *pieces) for folder in self.searchpath) if p.is_file()), None)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        try:
            text = limits.read_text(path, limits.MAX_TEMPLATE_BYTES)
        except limits.InputRefused as exc:
            raise _Refused(template, exc) from exc
        return text, str(path), lambda: True


class _Refused(Exception):
    def __init__(self, name: str, cause: limits.InputRefused) -> None:
        super().__init__(cause.message)
        self.name = name
        self.cause = cause


class _Environment(SandboxedEnvironment):
    code_generator_class = TracingCodeGenerator

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.tracer = Tracer(self.finalize)
        self.concat = self.tracer.concat  # type: ignore[method-assign]
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """The sandbox's decision, memoised: it depends only on the object's type and the name
        (`jinja2.sandbox.is_internal_attribute` tests `isinstance` of the object and the name)."""
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return safe


class Renderer:
    """Built once per repository; renders any number of environments.

    Templates come from the repository's `templates/` when it has one (all of them: a copied set
    is not mixed with a newer gitopsgen's templates, and deleting a template removes its output),
    else from the default templates packaged with gitopsgen."""

    def __init__(self, root: Path, templates_dir: Path | None = None) -> None:
        from gitopsgen.facts import packaged

        self.root = root
        self.templates_dir = templates_dir or root / TEMPLATES
        if (self.templates_dir.exists() or self.templates_dir.is_symlink()) and not self.templates_dir.is_dir():
            raise TemplateError(Problem(self._shown(self.templates_dir), message="is not a folder", rule="template",
                                        hint="make it a folder of templates, or remove it to render with the "
                                             "templates packaged with gitopsgen"))
        self.packaged_dir = packaged.templates_dir() if templates_dir is None and not self.templates_dir.is_dir() \
            else None
        self.additive = False
        """`[templates] add = true`: the repository's templates/ adds new paths beside the packaged templates."""
        if templates_dir is None and self.templates_dir.is_dir() and self.packaged_dir is None:
            self._add_to_packaged(root)
        self.folders = [f for f in (self.templates_dir, self.packaged_dir) if f is not None and f.is_dir()]
        if not self.folders:
            raise TemplateError(Problem(self._shown(self.templates_dir), message="templates folder not found",
                                        rule="template", hint="restore it (`git checkout -- templates/`), or copy the "
                                        "templates of gitopsgen into it with `gitopsgen init . --templates-only`"))
        self.env = _Environment(
            loader=_Loader([str(f) for f in self.folders]),
            undefined=HelpfulUndefined,
            autoescape=False,  # no HTML escaping; block output is Markup through concat (render.filters)
            finalize=finalize,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=-1,
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
        )
        self.env.filters.update(FILTERS)
        self.fleet = fleet_info(root)
        self.env.globals["fleet"] = self.fleet
        bytecode.attach(self.env)  # compiled templates kept across runs, keyed by their content
        self.names = discover(*self.folders)
        self._compiled: dict[str, jinja2.Template] = {}
        self._checked = False

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _add_to_packaged(self, root: Path) -> None:
        """With `[templates] add = true`, the packaged templates come after the repository's, which
        may only add paths: replacing one packaged file would mix two versions of the set
        (`gitopsgen init . --templates-only` takes over all of them, with a record of the version)."""
        from gitopsgen.core import config
        from gitopsgen.facts import packaged

        packaged_dir = packaged.templates_dir()
        if not config.load(root).templates_add or packaged_dir is None or \
                packaged_dir.resolve() == self.templates_dir.resolve():
            return
        ours = {p.relative_to(self.templates_dir).as_posix() for p in self.templates_dir.rglob("*") if p.is_file()}
        theirs = {p.relative_to(packaged_dir).as_posix() for p in packaged_dir.rglob("*") if p.is_file()}
        clashes = sorted(n for n in ours & theirs if not n.startswith("."))
        if clashes:
            raise TemplateError([Problem(f"{self._shown(self.templates_dir)}/{name}", rule="template", message=(
                "is also a packaged template: with [templates] add = true, templates/ may only add new paths"),
                hint="rename it; to change the packaged templates, take all of them over: remove `add` from "
                     "gitopsgen.toml and run `gitopsgen init . --templates-only`") for name in clashes])
        self.packaged_dir, self.additive = packaged_dir, True

    @property
    def _prefix(self) -> str:
        """How templates are named to users: `templates/` of the repository, or the packaged
        ones as `gitopsgen:templates/`."""
        from gitopsgen.facts.packaged import PACKAGED

        if self.packaged_dir is not None and not self.additive:
            return f"{PACKAGED}{TEMPLATES}/"
        return self._shown(self.templates_dir) + "/"

    def _template_file(self, name: str) -> str:
        if self.additive and not (self.templates_dir / name).is_file():
            from gitopsgen.facts.packaged import PACKAGED

            return f"{PACKAGED}{TEMPLATES}/{name}"
        return self._prefix + name

    def compile_all(self) -> None:
        """Check every output path and compile every template, reporting all problems at once
        (once per run: a second call finds them compiled)."""
        if self._checked:
            return
        problems = []
        for name in self.names:
            why = output_path_problem(name[: -len(SUFFIX)])
            if why is not None:
                problems.append(Problem(self._template_file(name), message=f"output path {why}", rule="template",
                                        hint="rename the template"))
                continue
            try:
                self._get(name)
            except TemplateError as exc:
                problems.extend(exc.problems)
        if problems:
            raise TemplateError(problems)
        self._checked = True

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
            except _Refused as exc:
                raise TemplateError(Problem(self._template_file(exc.name), exc.cause.line, exc.cause.column,
                                            message=exc.cause.message, rule="template",
                                            hint=exc.cause.hint)) from exc
            except RecursionError as exc:
                raise TemplateError(Problem(self._template_file(name), message="nests too deeply to compile",
                                            rule="template")) from exc
            self._compiled[name] = template
        return template

    def fleet_templates(self) -> list[str]:
        """The templates of `rendered/_fleet/` (`templates/_fleet/*.j2`), by template name."""
        folders = [folder / FLEET for folder in self.folders if (folder / FLEET).is_dir()]
        return [f"{FLEET}/{name}" for name in discover(*folders)]

    def render_fleet(self, context: Mapping[str, Any]) -> RenderedTree:
        """`rendered/_fleet/` rendered with one environment's context (every environment must
        render it alike: `fleet.check_agreement`). Raises TemplateError."""
        self.env.tracer.reset()
        tree = RenderedTree(FLEET)

        def output(path: str) -> str:
            raise KeyError(f"output({path!r}): the fleet's templates cannot read an environment's outputs")

        for name in self.fleet_templates():
            path = name[len(FLEET) + 1: -len(SUFFIX)]
            why = output_path_problem(path)
            if why is not None:
                raise TemplateError(Problem(self._template_file(name), message=f"output path {why}", rule="template",
                                            hint="rename the template"))
            text, source_map = self._run(name, context, output)
            rendered = self._parse(name, text, source_map, FLEET, path=path,
                                   header=fleet_header(self._template_file(name)))
            if rendered is not None:
                tree.add(rendered)
        return tree

    def render(self, env: str, context: Mapping[str, Any]) -> RenderedTree:
        """Render every template for one environment. Raises TemplateError."""
        self.compile_all()
        self.env.tracer.reset()
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
                text, source_map = self._run(name, context, output)
                outputs[name] = self._parse(name, text, source_map, env)
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

    def _run(self, name: str, context: Mapping[str, Any], output: Any) -> tuple[str, SourceMap]:
        """The text one template renders and its source map. Raises TemplateError."""
        template = self._get(name)
        tracer = self.env.tracer
        try:
            try:
                stream = template.root_render_func(template.new_context({**context, "output": output}))
                text, spans = tracer.collect(stream, name, limits.MAX_OUTPUT_CHARS)
            except (TemplateError, OutputTooLarge):
                raise
            except Exception:
                self.env.handle_exception()  # Jinja's traceback rewrite: frames at template lines
        except TemplateError:
            raise
        except Exception as exc:
            raise TemplateError(self._render_problem(exc, name)) from exc
        return text, SourceMap(spans, tracer.joined, self._prefix)

    def _render_problem(self, exc: Exception, name: str) -> Problem:
        """What a template did wrong while rendering `name`, at the template line."""
        if isinstance(exc, OutputTooLarge):
            file, line = exc.span.template, exc.span.line
            message = f"renders more than {limits.MAX_OUTPUT_CHARS:,} characters"
        elif isinstance(exc, _Refused):
            return Problem(self._template_file(exc.name), exc.cause.line, exc.cause.column, message=exc.cause.message,
                           rule="template", hint=exc.cause.hint)
        else:  # undefined names, bad filters, the output guard, the sandbox...
            file, line = _template_line(exc.__traceback__, self.folders)
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
            if isinstance(exc, KeyError):
                message = str(exc.args[0]) if exc.args else message
            if isinstance(exc, jinja2.UndefinedError):
                message = f"undefined: {message}"
            if isinstance(exc, jinja2.TemplateNotFound):
                message = f"template not found: {exc.name!r} (templates include only templates under templates/)"
            if isinstance(exc, jinja2.exceptions.SecurityError):
                message = f"not allowed in the template sandbox: {message}"
            if isinstance(exc, RecursionError):
                message = "recursion too deep (a macro or include calling itself?)"
        spec = tuple(dict.fromkeys(loc for loc, _ in getattr(exc, "spec_locs", ())))
        hints = [] if file in (None, name) else [f"while rendering {name}"]
        if spec and self.packaged_dir is not None and isinstance(exc, UnsafeValueError):
            # the template is gitopsgen's own: the user can change the value, or take the templates over
            hints.append("the value comes from the spec: change it, or copy the templates into templates/ "
                         "(`gitopsgen init . --templates-only`) and quote it there ({{ ... | q }})")
        return Problem(self._template_file(file or name), line, None, message=message, rule="template",
                       hint="; ".join(hints) or None, spec_locations=spec)

    def _parse(self, name: str, text: str, source_map: SourceMap, env: str, *, path: str | None = None,
               header: str | None = None) -> RenderedFile | None:
        from ruamel.yaml.error import MarkedYAMLError, YAMLError

        if not text.strip():
            return None
        try:
            data = yamlio.load_all(text)
            problem = yamlio.expansion_problem(data) if "&" in text else None
            if problem is not None:
                raise TemplateError(Problem(self._template_file(name), message=f"renders YAML that {problem}",
                                            rule="template", hint="write the values out instead of using aliases"))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            lines = text.splitlines()
            line = mark.line + 1 if mark is not None else None
            shown_line = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
            problem = " ".join(str(p).strip() for p in (exc.context, exc.problem) if p)
            origin = source_map.origin_near(line) if line is not None else None
            template = origin.template if origin is not None and origin.template else self._template_file(name)
            at = origin.line if origin is not None and origin.template else None
            raise TemplateError(Problem(
                template, at, None,
                message=f"renders invalid YAML: {problem} (rendered line {line})",
                rule="template", hint=f"rendered line {line}: {shown_line.strip()!r}"
                + ("" if template == self._template_file(name) else f"\nwhile rendering {name}"),
                spec_locations=tuple(loc for loc, _ in origin.spec) if origin is not None else (),
            )) from exc
        except YAMLError as exc:
            raise TemplateError(Problem(self._template_file(name), message=f"renders invalid YAML: {exc}",
                                        rule="template")) from exc
        except RecursionError as exc:
            raise TemplateError(Problem(self._template_file(name), message="renders YAML nested too deeply",
                                        rule="template")) from exc
        if not data:
            return None
        path = path or name[: -len(SUFFIX)]
        documents = tuple(make_document(path, i, doc) for i, doc in enumerate(data))
        try:
            canonical = yamlio.dump([d.data for d in documents])
        except TypeError as exc:
            raise TemplateError(Problem(self._template_file(name), message=f"renders unsupported YAML: {exc}",
                                        rule="template")) from exc
        header = header or generated_header(env, self._template_file(name))
        return RenderedFile(path=path, template=self._template_file(name), documents=documents,
                            text=header + canonical, raw=text, trace=source_map, header=header)
