"""The student build: the same site without any solution page and without any link to one.

Usage: python tools/student_book.py [--out _build/student] [--root .]

Writes ``OUT/_toc.yml`` and ``OUT/_config.yml`` from the book's own, and builds the book
from the same sources with them into ``OUT/html`` (``make student-book``):

- the table of contents loses every ``solutions/`` entry, and a part left empty (the
  Solutions part) goes with them; ``solutions`` joins ``exclude_patterns``;
- the execution cache is the main build's (``_build/.jupyter_cache``), so nothing that the
  main build executed runs again;
- the Sphinx config sets ``student_build: True``: this module is also a Sphinx extension
  (loaded from _config.yml) that defines the tag ``solutions`` unless that is set, so prose
  that mentions the solutions sits in ``{only} solutions`` blocks and drops out.

Before building, the sources that stay are read for links into ``solutions/`` (Markdown
links, ``{doc}`` roles, HTML ``href``) outside ``{only} solutions`` blocks: each is named
and the build stops. After it, every written page is read again: no page under
``solutions/`` and no ``href`` into it, else the build fails naming them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = "solutions"
# A link into solutions/: Markdown ](…solutions/…), {doc}`…solutions/…`, href="…solutions/…".
_LINK = re.compile(r"""(\]\(|\{doc\}`[^`]*?|href=["'])(?:\.\./|\./|/)*solutions/""")
_ONLY_BLOCK = re.compile(r"(?ms)^(`{3,}|:{3,})\{only\}\s*solutions\s*$.*?^\1\s*$")


def student_toc(toc: dict) -> dict:
    """``toc`` without its ``solutions/`` entries, and without parts that become empty."""

    def keep(entries):
        kept = []
        for entry in entries or ():
            if str(entry.get("file", "")).startswith(f"{SOLUTIONS}/"):
                continue
            entry = dict(entry)
            for key in ("sections", "chapters"):
                if key in entry:
                    entry[key] = keep(entry[key])
            kept.append(entry)
        return kept

    toc = dict(toc)
    if "parts" in toc:
        toc["parts"] = [dict(part, chapters=keep(part.get("chapters")))
                        for part in toc["parts"]]
        toc["parts"] = [part for part in toc["parts"] if part["chapters"]]
    for key in ("chapters", "sections"):
        if key in toc:
            toc[key] = keep(toc[key])
    return toc


def student_config(config: dict, root: Path) -> dict:
    """The book's ``config`` for the student build of the book at ``root``."""
    config = yaml.safe_load(yaml.safe_dump(config))  # a deep copy
    config["exclude_patterns"] = [*config.get("exclude_patterns", []), SOLUTIONS,
                                  f"{SOLUTIONS}/**"]
    execute = config.setdefault("execute", {})
    execute["cache"] = str(root / "_build" / ".jupyter_cache")
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {})["student_build"] = True
    # Paths in the config are relative to the book; this config file lives elsewhere.
    sphinx["local_extensions"] = {name: str((root / folder).resolve()) for name, folder
                                  in (sphinx.get("local_extensions") or {}).items()}
    return config


def toc_files(toc: dict) -> list[str]:
    """Every ``file`` of ``toc`` (root first), as written there."""
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or ():
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", ()):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return files


def source_path(root: Path, file: str) -> Path | None:
    for candidate in (root / file, root / f"{file}.md", root / f"{file}.ipynb"):
        if candidate.is_file():
            return candidate
    return None


def links_to_solutions(text: str) -> list[str]:
    """The lines of ``text`` that link into solutions/, outside ``{only} solutions``."""
    text = _ONLY_BLOCK.sub("", text)
    return [line.strip() for line in text.splitlines() if _LINK.search(line)]


def check_sources(root: Path, toc: dict) -> list[str]:
    """``path: line`` for every link into solutions/ in the sources the student build keeps."""
    problems = []
    for file in toc_files(toc):
        path = source_path(root, file)
        if path is None:
            continue
        for line in links_to_solutions(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(root)}: {line}")
    return problems


def check_site(html: Path) -> list[str]:
    """What the built student site still has of the solutions."""
    problems = [f"{page.relative_to(html)}: a solution page" for page in
                sorted((html / SOLUTIONS).rglob("*.html"))] if (html / SOLUTIONS).exists() else []
    href = re.compile(r"""href=["'](?:[^"']*/)?solutions/[^"']*""")
    for page in sorted(html.rglob("*.html")):
        for match in href.findall(page.read_text(encoding="utf-8")):
            problems.append(f"{page.relative_to(html)}: {match}")
    return problems


def build(root: Path, out: Path) -> Path:
    """Build the student site of the book at ``root`` into ``out/html``; return that."""
    toc = student_toc(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")))
    problems = check_sources(root, toc)
    if problems:
        raise SystemExit("links to solutions in pages the student build keeps (put the "
                         "sentence in an {only} solutions block):\n  " + "\n  ".join(problems))
    config = student_config(yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")),
                            root)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    (out / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    subprocess.run([str(jupyter_book), "build", str(root), "--toc", str(out / "_toc.yml"),
                    "--config", str(out / "_config.yml"), "--path-output", str(out),
                    "--warningiserror", "--keep-going"], check=True)
    html = out / "html"
    if html.exists():
        shutil.rmtree(html)
    shutil.move(str(out / "_build" / "html"), html)
    problems = check_site(html)
    if problems:
        raise SystemExit("the student site still shows solutions:\n  " + "\n  ".join(problems))
    return html


# --- Sphinx extension: the tag "solutions" for {only} blocks -------------------------

def _tag(app, config):
    if not config.student_build:
        app.tags.add(SOLUTIONS)


def _drop_false_only_blocks(app, doctree):
    """Remove ``{only}`` blocks whose condition is false when the document is read.

    Sphinx removes them only after resolving references (OnlyNodeTransform runs after
    the reference resolvers), so a link to a solution inside ``{only} solutions`` would
    still warn "Unknown source document" in the student build.
    """
    from sphinx import addnodes

    for node in list(doctree.findall(addnodes.only)):
        if not app.tags.eval_condition(node["expr"]):
            node.parent.remove(node)


def setup(app):
    app.add_config_value("student_build", False, "env")
    app.connect("config-inited", _tag)
    app.connect("doctree-read", _drop_false_only_blocks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book (default: here)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: ROOT/_build/student)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    html = build(root, (args.out or root / "_build" / "student").resolve())
    print(f"student site: {html}")


if __name__ == "__main__":
    main()
