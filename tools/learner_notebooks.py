"""Generate the learner notebooks: every chapter, exercise and solution in plain Markdown.

The notebooks in chapters/, exercises/ and solutions/ are the book's sources: their
Markdown uses MyST roles and directives that only the book build understands. Opened as
they are in JupyterLab or Colab, a reader sees the markup (``{glue:text}`name` ``,
``{term}``, ``{cite}``, a code block starting with ``:class: tip``). This script writes a
copy of each notebook for learners, the one that `make lab` opens and the launch buttons
(Colab, Binder) point to, in which

- ``{glue:text}`name:fmt` `` becomes the book's value of ``name`` (read from the book
  build, ``_build/jupyter_execute/<notebook>.glue.json``), formatted exactly as the book
  formats it and followed by a dagger (†) that the first cell explains; without a book
  build, a link to the chapter on the website, marked the same way;
- ``{term}`text <target>` `` becomes a link to the term in the website's glossary;
- ``{cite}`key` `` becomes "(Author et al., Year)" from references.bib, linked to the
  website's references page (``{cite:t}``: "Author et al. (Year)");
- ``{math}`x` `` becomes ``$x$``, a ``{math}`` directive ``$$ ... $$``;
- a figure cell (``mystnb.figure`` in its metadata) is followed by a Markdown cell with
  its caption, "**Figure N.** ...", numbered within the notebook, and
  ``{numref}`fig-name` `` becomes "Figure N" (``{ref}`` to a figure or to a section
  target: its text, or the figure's number, or the section's title);
- an admonition directive (``{admonition}``, ``{note}``, ``{tip}`` ...) becomes a block
  quote that starts with its title in bold;
- a target line ``(label)=`` and a MyST comment line ``% ...`` are dropped.

Any other role or directive stops the script with the notebook and cell that hold it:
teach this script to write it as plain Markdown before using it in a notebook. Code cells
are copied unchanged, except the set-up cell, which installs the helper package pinned to
the commit the notebooks were generated from (``rnncourse @ git+URL@COMMIT``), so that a
notebook always gets the helper of its own version. tools/set_repository_url.py --check
verifies that pin.

The output folder mirrors the repository (chapters/, exercises/, solutions/), so that the
launch buttons' paths are the book's paths; it also holds the files Binder builds its
environment from. A notebook in it that the learner has edited (its cells differ from
what this script last wrote) is left alone unless ``--force`` is given.

Usage: python tools/learner_notebooks.py [--out learner] [--book-values DIR] [--ref COMMIT]
                                         [--force] [--no-book-values] [--strict]
(--strict: a value the book build lacks is an error, not a link; CI uses it.)
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_files  # noqa: E402
import set_repository_url  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("chapters", "exercises", "solutions")
DEFAULT_OUT = ROOT / "learner"
BOOK_VALUES = ROOT / "_build" / "jupyter_execute"
GLOSSARY = ROOT / "glossary.md"
BIBLIOGRAPHY = ROOT / "references.bib"
METADATA_KEY = "rnncourse_learner"
BOOK_VALUE_MARK = "†"
# Files beside the notebooks: Binder builds the environment from them.
BINDER_FILES = ("requirements.txt", "runtime.txt")
RUNTIME = "python-3.11\n"

ADMONITIONS = ("admonition", "attention", "caution", "danger", "error", "hint", "important",
               "note", "seealso", "tip", "warning")
_ROLE = re.compile(r"\{(?P<name>[A-Za-z][\w:.+-]*)\}(?P<ticks>`+)(?P<content>.+?)(?P=ticks)",
                   re.S)
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})\s*(?P<info>.*)$")
_DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z][\w:.+-]*)\}\s*(?P<argument>.*)$")
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")
_TARGET = re.compile(r"^\s*\([\w.:-]+\)=\s*$")
_COMMENT = re.compile(r"^%")
_TERM = re.compile(r"^(?P<text>.+?)\s*<(?P<target>[^<>]+)>$", re.S)


class LearnerError(ValueError):
    """The sources hold something the learner notebooks cannot show as plain Markdown."""


# --------------------------------------------------------------------------------------
# What the plain Markdown links to and quotes.

def site_url(repository_url: str) -> str:
    """The published book (GitHub Pages) of ``https://github.com/OWNER/REPO``."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    base = ((config.get("html") or {}).get("baseurl") or "").strip()
    if base:
        return base.rstrip("/") + "/"
    owner, repo = repository_url.rstrip("/").split("/")[-2:]
    return f"https://{owner.lower()}.github.io/{repo}/"


def launch_branch() -> str:
    """The branch the launch buttons open: ``repository.branch`` in _config.yml."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return str(config["repository"]["branch"])


def glossary_anchors(path: Path = GLOSSARY) -> dict[str, str]:
    """Lower-cased glossary term -> its anchor on the glossary page (as Sphinx writes it)."""
    from sphinx.util.nodes import _make_id

    source = path.read_text(encoding="utf-8")
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```\s*$", source, re.S | re.M)
    if block is None:
        raise LearnerError(f"no glossary directive in {path}")
    anchors = {}
    for line in block.group(1).splitlines():
        if not line.strip() or line[0].isspace() or _OPTION.match(line):
            continue
        anchors[line.strip().lower()] = _make_id("term-" + line.strip())
    return anchors


def bibliography(path: Path = BIBLIOGRAPHY) -> dict[str, tuple[str, str]]:
    """Key -> (authors as the book cites them, year), in the book's author-year style."""
    from pybtex.database import parse_string

    path = Path(path)
    try:  # read here, as UTF-8, rather than in whatever encoding pybtex would assume
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise LearnerError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") \
            from None
    entries = {}
    for key, entry in parse_string(text, "bibtex").entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        surnames = [_plain_latex(" ".join(p.prelast_names + p.last_names)) for p in people]
        if not surnames:
            raise LearnerError(f"references.bib: {key} has no author")
        if len(surnames) == 1:
            authors = surnames[0]
        elif len(surnames) == 2:
            authors = f"{surnames[0]} and {surnames[1]}"
        else:
            authors = f"{surnames[0]} et al."
        entries[key] = (authors, entry.fields.get("year", "n.d."))
    return entries


def _plain_latex(text: str) -> str:
    """BibTeX's LaTeX as plain text: ``M{\\"u}ller`` -> ``Müller``, ``Ko{\\c{c}}`` -> ``Koç``."""
    import codecs

    import latexcodec  # noqa: F401 - registers the "ulatex" codec (a pybtex dependency)

    return re.sub(r"[{}]", "", codecs.decode(text, "ulatex"))


def book_values(notebook: str, values_dir: Path | None) -> dict[str, str] | None:
    """``name -> text`` of the values the book build glued for ``notebook``, or None."""
    if values_dir is None:
        return None
    glue = values_dir / Path(notebook).with_suffix(".glue.json")
    if not glue.is_file():
        return None
    try:
        return _glued_texts(json.loads(glue.read_text(encoding="utf-8")))
    except (ValueError, UnicodeDecodeError) as error:
        raise LearnerError(f"{glue} is damaged ({error}): rebuild the book (make book), "
                           "or pass --no-book-values") from None


def _glued_texts(glued) -> dict[str, str]:
    """``name -> text/plain`` of a glue.json's outputs; ValueError says what is wrong."""
    if not isinstance(glued, dict):
        raise ValueError("not a JSON object")
    values = {}
    for name, output in glued.items():
        data = output.get("data", {}) if isinstance(output, dict) else None
        if not isinstance(data, dict):
            raise ValueError(f"{name!r} is not an output with a 'data' object")
        text = data.get("text/plain")
        if text is None:
            text = next((v for k, v in data.items() if k.endswith("text/plain")), None)
        if isinstance(text, list) and all(isinstance(line, str) for line in text):
            text = "".join(text)  # Jupyter may store text as a list of lines
        if text is None:
            continue
        if not isinstance(text, str):
            raise ValueError(f"the text/plain of {name!r} is not text")
        values[name] = text
    return values


@dataclass
class Context:
    """Everything the conversion of one notebook's Markdown needs."""

    notebook: str  # the source, e.g. "chapters/ch01_recurrent_loop.md"
    site: str  # e.g. "https://owner.github.io/repo/"
    glossary: dict[str, str]
    bib: dict[str, tuple[str, str]]
    values: dict[str, str] | None  # None: no book build, numbers become pointers
    used_values: set[str] = field(default_factory=set)
    figures: dict[str, int] = field(default_factory=dict)  # figure name -> its number
    sections: dict[str, str] = field(default_factory=dict)  # target -> section title
    numbers: int = 0  # {glue:text} roles converted
    strict: bool = False  # a value missing from the book build is an error
    missing: set[str] = field(default_factory=set)  # ... else these became pointers

    @property
    def page(self) -> str:
        return self.site + str(Path(self.notebook).with_suffix(".html"))


# --------------------------------------------------------------------------------------
# Roles.

def _glue_text(content: str, ctx: Context) -> str:
    from myst_nb.core.variables import format_plain_text

    if "::" in content:
        raise LearnerError(f"{{glue:text}}`{content}`: values of another notebook are not "
                           "supported")
    name, _, spec = content.partition(":")
    name = name.strip()
    ctx.numbers += 1
    if ctx.values is not None and name not in ctx.values:
        # The source changed since the book was built: point to the book instead.
        if ctx.strict:
            raise LearnerError(f"{{glue:text}}`{content}`: the book build recorded no {name!r}")
        ctx.missing.add(name)
    if ctx.values is None or name in ctx.missing:
        return f"[*{name}*, see the book]({ctx.page}){BOOK_VALUE_MARK}"
    ctx.used_values.add(name)
    return format_plain_text(ctx.values[name], spec) + BOOK_VALUE_MARK


def _term(content: str, ctx: Context) -> str:
    match = _TERM.match(content.strip())
    text, target = (match["text"], match["target"]) if match else (content, content)
    text = " ".join(text.split())
    anchor = ctx.glossary.get(" ".join(target.split()).lower())
    if anchor is None:
        raise LearnerError(f"{{term}}`{content}`: {target!r} is not in glossary.md")
    return f"[{text}]({ctx.site}glossary.html#{anchor})"


def _cite(name: str, content: str, ctx: Context) -> str:
    keys = [key.strip() for key in content.split(",") if key.strip()]
    unknown = [key for key in keys if key not in ctx.bib]
    if unknown:
        raise LearnerError(f"{{{name}}}`{content}`: not in references.bib: {unknown}")
    link = ctx.site + "references.html"
    if name in ("cite", "cite:p", "cite:ps"):
        return "(" + "; ".join(f"[{ctx.bib[k][0]}, {ctx.bib[k][1]}]({link})" for k in keys) + ")"
    if name in ("cite:t", "cite:ts"):
        return "; ".join(f"[{ctx.bib[k][0]} ({ctx.bib[k][1]})]({link})" for k in keys)
    raise LearnerError(f"{{{name}}}: unsupported citation style")


def _reference(name: str, content: str, ctx: Context) -> str:
    match = _TERM.match(content.strip())
    text, label = (match["text"], match["target"]) if match else (None, content.strip())
    if label in ctx.figures:
        number = str(ctx.figures[label])
        if text is None:
            return f"Figure {number}"
        return text.replace("{number}", number).replace("%s", number)
    if name == "ref" and label in ctx.sections:
        return text or ctx.sections[label]
    raise LearnerError(f"{{{name}}}`{content}`: {label!r} is no figure or section target of "
                       "this notebook")


def _role(match: re.Match, ctx: Context) -> str:
    name, content = match["name"], match["content"]
    if name == "glue:text":
        return _glue_text(content, ctx)
    if name == "term":
        return _term(content, ctx)
    if name.startswith("cite"):
        return _cite(name, content, ctx)
    if name == "math":
        return f"${content}$"
    if name in ("numref", "ref"):
        return _reference(name, content, ctx)
    raise LearnerError(f"role {{{name}}} has no plain-Markdown form yet "
                       f"(teach tools/learner_notebooks.py): {match.group(0)!r}")


def convert_inline(text: str, ctx: Context) -> str:
    """Replace every role and every link to a source page in ``text`` (outside fences)."""
    out, position = [], 0
    # Code spans that are not a role's content stay as they are: find both, in order.
    for match in re.finditer(r"(?P<role>\{[A-Za-z][\w:.+-]*\})?(?P<ticks>`+)(?P<body>.+?)"
                             r"(?P=ticks)", text, re.S):
        out.append(_links(text[position:match.start()], ctx))
        out.append(_role(_ROLE.match(match.group(0)), ctx) if match["role"]
                   else match.group(0))
        position = match.end()
    out.append(_links(text[position:], ctx))
    return "".join(out)


_LINK = re.compile(r"\]\((?P<target>[^()\s#]+\.md)(?P<anchor>#[^()\s]*)?\)")


def _links(text: str, ctx: Context) -> str:
    """Links to MyST sources: a notebook's learner copy beside it, any other page's site."""
    def target(match: re.Match) -> str:
        path = (ROOT / ctx.notebook).parent / match["target"]
        anchor = match["anchor"] or ""
        if "://" in match["target"] or not path.resolve().is_relative_to(ROOT):
            return match.group(0)
        relative = path.resolve().relative_to(ROOT)
        if relative.parts[0] in SOURCE_DIRS:
            return f"]({Path(match['target']).with_suffix('.ipynb').as_posix()}{anchor})"
        return f"]({ctx.site}{relative.with_suffix('.html').as_posix()}{anchor})"

    return _LINK.sub(target, text)


# --------------------------------------------------------------------------------------
# Blocks: fenced code stays, directives become plain Markdown.

def _quote(lines: list[str]) -> list[str]:
    return [("> " + line) if line.strip() else ">" for line in lines]


def _directive(name: str, argument: str, body: list[str], ctx: Context) -> list[str]:
    while body and _OPTION.match(body[0].strip()):
        body = body[1:]
    content = convert_markdown("\n".join(body), ctx).strip("\n").split("\n")
    if name in ADMONITIONS:
        title = argument.strip() if name == "admonition" else (
            argument.strip() or name.capitalize().replace("Seealso", "See also"))
        if name == "admonition" and not title:
            raise LearnerError("an {admonition} needs a title")
        title = convert_inline(title, ctx)
        return _quote([f"**{title}**", "", *content])
    if name == "math":
        return ["$$", *content, "$$"]
    raise LearnerError(f"directive {{{name}}} has no plain-Markdown form yet "
                       "(teach tools/learner_notebooks.py)")


def convert_markdown(source: str, ctx: Context) -> str:
    """One Markdown cell (or a directive's body) in plain Markdown."""
    lines = source.split("\n")
    out: list[str] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            out.append(convert_inline("\n".join(paragraph), ctx))
            paragraph.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            flush()
            mark = fence["fence"]
            end = next((j for j in range(i + 1, len(lines))
                        if re.match(rf"^ {{0,3}}{re.escape(mark[0])}{{{len(mark)},}}\s*$",
                                    lines[j])), len(lines))
            body = lines[i + 1:end]
            directive = _DIRECTIVE_INFO.match(fence["info"].strip())
            if directive:
                out.extend(_directive(directive["name"], directive["argument"], body, ctx))
            elif mark[0] == ":":
                raise LearnerError(f"a ':::' block without a directive: {line!r}")
            else:
                out.extend(lines[i:end + 1])  # fenced code: unchanged
            i = end + 1
            continue
        if _TARGET.match(line) or _COMMENT.match(line):
            i += 1
            continue
        paragraph.append(line)
        i += 1
    flush()
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# What a reader must never see: MyST markup left in rendered HTML.

# Roles and directives by name, as their raw text reads once a Markdown renderer has
# turned the backticks into <code> (the role's braces stay, right before it).
_MYST_NAMES = ("glue", "glue:text", "glue:any", "glue:md", "glue:figure", "glue:math",
               "term", "cite", "cite:p", "cite:t", "cite:ps", "cite:ts", "ref", "numref",
               "doc", "eq", "math", "abbr", "download", "sub", "sup", "prf:ref",
               *ADMONITIONS, "figure", "image", "glossary", "bibliography", "code-cell",
               "list-table", "dropdown", "margin", "sidebar", "tableofcontents", "toctree",
               "card", "tab-set", "tab-item", "grid", "include", "raw", "div", "epigraph")
_RAW_NAME = re.compile(r"(?<![\\\w])\{(" + "|".join(map(re.escape, _MYST_NAMES)) + r")\}")
_RAW_OPTION = re.compile(r"(?m)^\s*:(class|name|label|caption|alt|width|align|open|"
                         r"sorted|filter|style)\s*:")
_RAW_FENCE = re.compile(r"(?m)^\s*(`{3,}|:{3,})\s*\{")


def raw_myst(html: str) -> list[str]:
    """MyST syntax that survived rendering in ``html`` (a rendered Markdown cell).

    Finds a role or directive name in braces (``{term}hidden state`` once the backticks
    became <code>), a code block whose language is a directive (``{admonition}``) or
    whose text starts with a directive option (``:class: tip``), and a colon or backtick
    fence left as text. Text inside <code> elements that do not follow a role is prose's
    own code and is ignored; so is typeset mathematics.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for math in soup.select("mjx-container, .MathJax, script, style, .MathJax_Preview"):
        math.decompose()
    found = []
    for code in soup.find_all("code"):
        language = " ".join(code.get("class") or [])
        if "{" in language:
            found.append(f"directive as a code block: {language}")
        if code.parent is not None and code.parent.name == "pre":
            if _RAW_OPTION.match(code.get_text()):
                found.append(f"directive option in a code block: {code.get_text()[:60]!r}")
            continue
        previous = code.previous_sibling
        if isinstance(previous, str) and re.search(r"\{[\w:.+-]+\}\s*$", previous):
            found.append(f"role: {previous.strip()[-30:]}{code.get_text()}")
            previous.replace_with(re.sub(r"\{[\w:.+-]+\}\s*$", "", previous))
        code.decompose()
    text = soup.get_text("\n")
    found += [f"role or directive name: {m.group(0)}" for m in _RAW_NAME.finditer(text)]
    found += [f"fence: {m.group(0).strip()}" for m in _RAW_FENCE.finditer(text)]
    return found


# --------------------------------------------------------------------------------------
# Notebooks.

def _note(ctx: Context, ref: str, has_values: bool) -> str:
    source = f"`{ctx.notebook}`"
    if has_values:
        numbers = (f"A number followed by {BOOK_VALUE_MARK} is the value from the book's own "
                   "run of this notebook at its default parameters, as the website shows it; "
                   "your run computes its own.")
    else:
        numbers = (f"A number the book quotes is a link marked {BOOK_VALUE_MARK} to [this "
                   f"chapter on the website]({ctx.page}), which shows the value of the "
                   "book's own run; your run computes its own.")
    return (f"> *The learner's copy of {source} (course commit `{ref[:12]}`). "
            f"{numbers} Terms link to the [glossary]({ctx.site}glossary.html).*")


def _figure(cell) -> dict | None:
    figure = cell.metadata.get("mystnb", {}).get("figure") if cell.cell_type == "code" else None
    return figure if isinstance(figure, dict) else None


def _number_figures(notebook, ctx: Context) -> None:
    """Number the figure cells, add a caption cell after each, and find section targets."""
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        if cell.cell_type == "markdown":
            for target, title in re.findall(r"(?m)^\(([\w.:-]+)\)=\s*\n#+\s+(.+)$",
                                            cell.source):
                ctx.sections[target] = title.strip()
        figure = _figure(cell)
        if figure is None:
            continue
        number = len(ctx.figures) + 1
        if figure.get("name"):
            ctx.figures[figure["name"]] = number
        caption = nbformat.v4.new_markdown_cell(
            f"**Figure {number}.** " + " ".join(str(figure.get("caption", "")).split()))
        caption.id = f"{cell.get('id', number)}-caption"[:64]
        caption.metadata[METADATA_KEY] = {"caption_of": cell.get("id")}
        cells.append(caption)
    notebook.cells = cells


def _cells_digest(notebook) -> str:
    payload = json.dumps([[c.cell_type, c.source] for c in notebook.cells])
    return hashlib.sha256(payload.encode()).hexdigest()


def convert_notebook(notebook, ctx: Context, url: str, ref: str):
    """The learner's copy of ``notebook`` (an nbformat node; not changed)."""
    learner = copy.deepcopy(notebook)
    expected_setup = set_repository_url.setup_cell_source(url)
    code = [cell for cell in learner.cells if cell.cell_type == "code"]
    if not code or code[0].source != expected_setup:
        raise LearnerError(f"{ctx.notebook}: the first code cell is not the set-up cell "
                           "(run python tools/set_repository_url.py URL)")
    code[0].source = set_repository_url.setup_cell_source(url, ref)
    _number_figures(learner, ctx)
    for index, cell in enumerate(learner.cells):
        if cell.cell_type != "markdown":
            continue
        try:
            cell.source = convert_markdown(cell.source, ctx)
        except LearnerError as error:
            raise LearnerError(f"{ctx.notebook}, cell {index} ({cell.get('id')}): {error}") \
                from None
    if ctx.numbers:
        first = next((c for c in learner.cells if c.cell_type == "markdown"), None)
        if first is not None:
            first.source = first.source.rstrip("\n") + "\n\n" + _note(
                ctx, ref, ctx.values is not None)
    notebook_files.number_cells(learner)  # captions were inserted: ids by position again
    learner.metadata[METADATA_KEY] = {
        "source": ctx.notebook, "commit": ref, "book_values": ctx.values is not None}
    learner.metadata[METADATA_KEY]["cells_sha256"] = _cells_digest(learner)
    return learner


def edited_by_learner(path: Path) -> bool:
    """Whether the learner changed the cells of a notebook this script wrote."""
    try:
        notebook = nbformat.reads(Path(path).read_text(encoding="utf-8"), as_version=4)
    except Exception:  # noqa: BLE001 - unreadable: treat as the learner's
        return True
    recorded = notebook.metadata.get(METADATA_KEY, {}).get("cells_sha256")
    # No record: not a file this script wrote as it is now, so it may be the learner's.
    return recorded is None or recorded != _cells_digest(notebook)


def current_commit() -> str:
    result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise SystemExit("not a git checkout: pass --ref COMMIT")
    return result.stdout.strip()


def source_notebooks() -> list[Path]:
    return notebook_files.sources(SOURCE_DIRS)


OWN_README = "# Learner notebooks\n"
README_MARK = "Generated by `tools/learner_notebooks.py`"
HELPER_MARK = "# The course's helper, at the commit of these notebooks."


def check_output_folder(out: Path) -> None:
    """Refuse a folder where writing would overwrite the sources or someone else's files."""
    out = Path(out).resolve()
    if out == ROOT or ROOT.is_relative_to(out) or any(
            out.is_relative_to(ROOT / d) for d in SOURCE_DIRS):
        raise LearnerError(f"--out {out} would overwrite the course's sources: name a folder "
                           "of its own (default: learner/)")
    if out.exists() and not out.is_dir():
        raise LearnerError(f"--out {out} is not a folder: name a folder (default: learner/)")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not _written_here(out):
        raise LearnerError(f"--out {out} holds files this script did not write (its "
                           "README.md or requirements.txt is not the learner folder's): "
                           "name an empty folder or a learner folder")


def _written_here(out: Path) -> bool:
    """Whether ``out``'s README.md and requirements.txt are the ones this script writes."""
    readme, requirements = _text_of(out / "README.md"), out / "requirements.txt"
    if not (readme.startswith(OWN_README) and README_MARK in readme):
        return False
    # Older versions copied the course's requirements.txt: its first line marks it too.
    marks = [HELPER_MARK, _text_of(ROOT / "requirements.txt").split("\n", 1)[0]]
    return not requirements.exists() or any(
        mark and mark in _text_of(requirements) for mark in marks)


def _text_of(path: Path) -> str:
    """The text of a file, or "" when it is no UTF-8 text file (then it is not ours)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def generate(out: Path, values_dir: Path | None, ref: str, force: bool = False,
             notebooks: list[Path] | None = None, strict: bool = False) -> list[Path]:
    """Write the learner notebooks (and Binder's files) under ``out``; return those written."""
    if not re.fullmatch(r"[0-9a-f]{40}", ref):
        raise LearnerError(f"pin the helper to a full commit hash, got {ref!r}")
    check_output_folder(out)
    url = set_repository_url.configured_url()
    site = site_url(url)
    glossary, bib = glossary_anchors(), bibliography()
    converted = {}  # every notebook is converted before the first is written
    for path in notebooks or source_notebooks():
        relative = path.relative_to(ROOT).as_posix()
        ctx = Context(relative, site, glossary, bib, book_values(relative, values_dir),
                      strict=strict)
        converted[out / Path(relative).with_suffix(".ipynb")] = convert_notebook(
            notebook_files.read(path), ctx, url, ref)
        if ctx.missing:
            print(f"{relative}: the book build has no value for {sorted(ctx.missing)} "
                  "(rebuild the book): linked to the website instead", file=sys.stderr)
    written = []
    for target, learner in converted.items():
        if target.exists() and not force and edited_by_learner(target):
            print(f"kept {target} (you edited it; --force overwrites)", file=sys.stderr)
            continue
        notebook_files.write_ipynb(learner, target)
        written.append(target)
    # Binder installs these before the notebooks open: the course's pins and the helper at
    # the notebooks' own commit (so that the set-up cell finds it installed).
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8").rstrip("\n")
    notebook_files.write_text(
        out / "requirements.txt",
        f"{requirements}\n{HELPER_MARK}\nrnncourse @ git+{url}@{ref}\n")
    notebook_files.write_text(out / "runtime.txt", RUNTIME)
    notebook_files.write_text(
        out / "README.md",
        OWN_README + f"\n{README_MARK} from commit "
        f"`{ref}` of {url}: the chapters, exercises and solutions with plain Markdown. "
        "The website's Colab and Binder buttons open these. Change the sources, not "
        "these files.\n")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--book-values", type=Path, default=BOOK_VALUES,
                        help="the book build's executed notebooks (*.glue.json)")
    parser.add_argument("--no-book-values", action="store_true",
                        help="link to the website instead of quoting the book's numbers")
    parser.add_argument("--ref", help="commit to pin the helper to (default: HEAD)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite notebooks the learner edited")
    parser.add_argument("--strict", action="store_true",
                        help="fail if the book build lacks a quoted value (CI)")
    args = parser.parse_args(argv)
    values = None if args.no_book_values else args.book_values
    if values is not None and not values.is_dir():
        print(f"no book build in {values}: the numbers link to the website "
              "(run `make book` first to quote them)", file=sys.stderr)
        values = None
    try:
        written = generate(args.out, values, args.ref or current_commit(), args.force,
                           strict=args.strict)
    # OSError: e.g. no permission to write there, or the disk is full.
    except (LearnerError, notebook_files.NotebookFileError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {len(written)} learner notebooks to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
