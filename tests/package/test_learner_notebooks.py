"""The learner notebooks (tools/learner_notebooks.py): plain Markdown, same code, pinned helper.

Colab, Binder and JupyterLab render Markdown cells with a CommonMark renderer that knows
nothing of MyST. These tests render every learner notebook's Markdown with markdown-it-py
(CommonMark) and assert that no role or directive survives, that the code cells are the
sources' own, and that the set-up cell installs the helper pinned to a commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import learner_notebooks as learner  # noqa: E402
import notebook_files  # noqa: E402
import set_repository_url  # noqa: E402

COMMIT = "0123456789abcdef0123456789abcdef01234567"
SITE = "https://owner.github.io/repo/"
COMMONMARK = MarkdownIt("commonmark")


def context(values=None, notebook="chapters/ch99_test.ipynb") -> learner.Context:
    return learner.Context(
        notebook, SITE, {"hidden state": "term-hidden-state", "lstm": "term-LSTM"},
        {"elman1990": ("Elman", "1990"), "cho2014": ("Cho et al.", "2014")}, values)


def rendered_raw_myst(markdown: str) -> list[str]:
    return learner.raw_myst(COMMONMARK.render(markdown))


# --------------------------------------------------------------------------------------
# The conversion, piece by piece.

def test_glue_text_becomes_the_book_value_formatted_as_the_book_does():
    ctx = context({"share": "0.5012", "n": "25000", "name": "'LSTM'"})
    out = learner.convert_markdown(
        "{glue:text}`share:.1%` of {glue:text}`n:,` reviews; {glue:text}`name`.", ctx)
    assert out == "50.1%† of 25,000† reviews; LSTM†."
    assert ctx.used_values == {"share", "n", "name"}


def test_glue_text_without_a_book_build_points_to_the_book():
    out = learner.convert_markdown("about {glue:text}`minutes:.0f` minutes", context())
    assert out == ("about [*minutes*, see the book](https://owner.github.io/repo/chapters/"
                   "ch99_test.html)† minutes")


def test_a_value_the_book_did_not_record_is_a_pointer_or_in_strict_mode_an_error():
    ctx = context({"n": "1"})
    assert learner.convert_markdown("{glue:text}`missing`", ctx).startswith(
        "[*missing*, see the book](")
    assert ctx.missing == {"missing"}
    ctx.strict = True
    with pytest.raises(learner.LearnerError, match="recorded no 'other'"):
        learner.convert_markdown("{glue:text}`other`", ctx)


def test_terms_link_to_the_glossary_case_insensitively_and_with_aliases():
    out = learner.convert_markdown(
        "the {term}`hidden state` and {term}`long short-term memory <LSTM>`", context())
    assert out == ("the [hidden state](https://owner.github.io/repo/glossary.html"
                   "#term-hidden-state) and [long short-term memory]("
                   "https://owner.github.io/repo/glossary.html#term-LSTM)")
    with pytest.raises(learner.LearnerError, match="not in glossary.md"):
        learner.convert_markdown("{term}`nonsense`", context())


def test_citations_are_author_year_links_to_the_references():
    refs = "https://owner.github.io/repo/references.html"
    assert learner.convert_markdown("{cite}`elman1990,cho2014`", context()) == (
        f"([Elman, 1990]({refs}); [Cho et al., 2014]({refs}))")
    assert learner.convert_markdown("{cite:t}`elman1990` showed", context()) == (
        f"[Elman (1990)]({refs}) showed")
    with pytest.raises(learner.LearnerError, match="not in references.bib"):
        learner.convert_markdown("{cite}`nobody2020`", context())


def test_admonitions_become_block_quotes_with_a_bold_title():
    source = ("Intro.\n\n```{admonition} Learning objectives\n:class: tip\nYou can\n"
              "- **explain** the {term}`hidden state`;\n\n- measure it.\n```\n\nAfter.")
    out = learner.convert_markdown(source, context())
    assert out == ("Intro.\n\n> **Learning objectives**\n>\n> You can\n> - **explain** the "
                   "[hidden state](https://owner.github.io/repo/glossary.html"
                   "#term-hidden-state);\n>\n> - measure it.\n\nAfter.")
    note = learner.convert_markdown(":::{note}\nCareful.\n:::", context())
    assert note == "> **Note**\n>\n> Careful."


def test_code_stays_as_it_is_and_targets_and_comments_go():
    source = ("(sec-x)=\n% a comment\nUse `{term}` literally and `x = 1`.\n\n"
              "```python\nprint('{term}`x`')\n```")
    assert learner.convert_markdown(source, context()) == (
        "Use `{term}` literally and `x = 1`.\n\n```python\nprint('{term}`x`')\n```")


def test_figures_get_numbered_captions_that_numref_names():
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("(sec-a)=\n## The loop\n\nSee {numref}`fig-b` and "
                                      "{numref}`panel {number} <fig-a>`, {ref}`sec-a`."),
        nbformat.v4.new_code_cell("plot()", metadata={"mystnb": {"figure": {
            "name": "fig-a", "caption": "The {term}`hidden state`."}}}),
        nbformat.v4.new_code_cell("plot()", metadata={"mystnb": {"figure": {
            "name": "fig-b", "caption": "Second."}}})])
    ctx = context()
    learner._number_figures(notebook, ctx)
    assert [c.source for c in notebook.cells if c.cell_type == "markdown"][1:] == [
        "**Figure 1.** The {term}`hidden state`.", "**Figure 2.** Second."]
    assert learner.convert_markdown(notebook.cells[0].source, ctx).endswith(
        "See Figure 2 and panel 1, The loop.")
    with pytest.raises(learner.LearnerError, match="no figure or section target"):
        learner.convert_markdown("{numref}`fig-elsewhere`", ctx)


def test_unknown_roles_and_directives_stop_the_generator():
    with pytest.raises(learner.LearnerError, match="role {doc}"):
        learner.convert_markdown("see {doc}`intro`", context())
    with pytest.raises(learner.LearnerError, match="directive {figure}"):
        learner.convert_markdown("```{figure} a.png\n:alt: x\n```", context())


def test_raw_myst_finds_what_commonmark_leaves():
    found = rendered_raw_myst(
        "A {term}`hidden state`, {glue:text}`n:.1%` and {cite}`elman1990`.\n\n"
        "```{admonition} Learning objectives\n:class: tip\nText\n```")
    assert len(found) == 5, found
    assert not rendered_raw_myst("Code `{x}` and $h_{t-1} = \\frac{a}{b}$ and a [link](x).")


# --------------------------------------------------------------------------------------
# The real notebooks.

@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("learner")
    written = learner.generate(out, None, COMMIT)
    return out, written


def test_todays_sources_show_raw_myst_in_commonmark():
    """The reason for the learner notebooks (and proof that the check below can fail)."""
    raw = [hit for path in learner.source_notebooks() if path.parent.name == "chapters"
           for cell in notebook_files.read(path).cells if cell.cell_type == "markdown"
           for hit in rendered_raw_myst(cell.source)]
    assert len(raw) > 20


def test_every_source_notebook_has_a_learner_copy(generated):
    out, written = generated
    expected = {p.relative_to(ROOT).with_suffix(".ipynb") for p in learner.source_notebooks()}
    assert {p.relative_to(out) for p in written} == expected
    requirements = (out / "requirements.txt").read_text()
    assert requirements.startswith((ROOT / "requirements.txt").read_text().rstrip("\n"))
    url = set_repository_url.configured_url()
    assert requirements.endswith(f"\nrnncourse @ git+{url}@{COMMIT}\n")
    assert (out / "runtime.txt").read_text().startswith("python-3.")


def test_learner_markdown_has_no_myst_in_commonmark(generated):
    out, written = generated
    raw = {}
    for path in written:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "markdown" and (hits := rendered_raw_myst(cell.source)):
                raw[f"{path.relative_to(out)} cell {index}"] = hits
    assert not raw, f"MyST syntax left in the learner notebooks: {raw}"


def test_code_cells_are_the_sources_and_the_helper_is_pinned(generated):
    out, written = generated
    url = set_repository_url.configured_url()
    for path in written:
        source = notebook_files.read(ROOT / path.relative_to(out).with_suffix(".md"))
        copy = nbformat.read(path, as_version=4)
        captions = [c for c in copy.cells if learner.METADATA_KEY in c.metadata]
        kept = [c for c in copy.cells if learner.METADATA_KEY not in c.metadata]
        assert [c.cell_type for c in kept] == [c.cell_type for c in source.cells]
        assert [c.get("id") for c in copy.cells] == [
            f"cell-{i:03d}" for i in range(len(copy.cells))]
        figures = [c for c in source.cells if learner._figure(c)]
        assert [c.source.split(".")[0] for c in captions] == [
            f"**Figure {n}" for n in range(1, len(figures) + 1)]
        code = [(c.source, c.get("metadata")) for c in copy.cells if c.cell_type == "code"]
        original = [(c.source, c.get("metadata")) for c in source.cells
                    if c.cell_type == "code"]
        assert code[1:] == original[1:], f"{path}: code cells changed"
        assert code[0][0] == set_repository_url.setup_cell_source(url, COMMIT)
        assert f'"rnncourse @ git+{url}@{COMMIT}"' in code[0][0]
    assert set_repository_url.unpinned_learner_notebooks(out) == []


def test_check_rejects_an_unpinned_or_mismatched_learner_notebook(generated, tmp_path):
    out, written = generated
    url = set_repository_url.configured_url()
    copy = tmp_path / "chapters" / written[0].name
    copy.parent.mkdir()
    notebook = nbformat.read(written[0], as_version=4)
    next(c for c in notebook.cells if c.cell_type == "code").source = (
        set_repository_url.setup_cell_source(url))
    nbformat.write(notebook, copy)
    problems = set_repository_url.unpinned_learner_notebooks(tmp_path)
    assert len(problems) == 1 and "does not install the helper" in problems[0]
    notebook.metadata[learner.METADATA_KEY]["commit"] = "main"
    nbformat.write(notebook, copy)
    assert "not pinned" in set_repository_url.unpinned_learner_notebooks(tmp_path)[0]


def test_book_values_are_quoted_and_a_learners_edits_are_kept(tmp_path):
    chapter = ROOT / "chapters" / "ch01_recurrent_loop.md"
    notebook = notebook_files.read(chapter)
    names = {m["content"].split(":")[0]
             for cell in notebook.cells if cell.cell_type == "markdown"
             for m in learner._ROLE.finditer(cell.source) if m["name"] == "glue:text"}
    values = tmp_path / "values" / "chapters"
    values.mkdir(parents=True)
    (values / "ch01_recurrent_loop.glue.json").write_text(json.dumps(
        {name: {"data": {"text/plain": "0.25"}} for name in names}))
    out = tmp_path / "out"
    [path] = learner.generate(out, tmp_path / "values", COMMIT, notebooks=[chapter])
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")
    assert "see the book" not in text and text.count("†") >= len(names) > 0
    assert "book's own run" in text

    edited = nbformat.read(path, as_version=4)
    edited.cells[-1].source += "\n\nMy notes."
    nbformat.write(edited, path)
    assert learner.edited_by_learner(path)
    assert learner.generate(out, None, COMMIT, notebooks=[chapter]) == []
    assert "My notes." in nbformat.read(path, as_version=4).cells[-1].source
    assert learner.generate(out, None, COMMIT, force=True, notebooks=[chapter]) == [path]


def test_the_pin_must_be_a_commit(tmp_path):
    with pytest.raises(learner.LearnerError, match="full commit hash"):
        learner.generate(tmp_path, None, "main")


def test_links_to_sources_open_the_learner_copies_and_other_pages_the_site():
    ctx = context(notebook="chapters/ch02_bptt.md")
    text = learner.convert_markdown(
        "See [chapter 1](../chapters/ch01_recurrent_loop.md#sec-x), the "
        "[exercise](../exercises/ch02_bptt.md), [Try it](../tryit.md) and "
        "`[not a link](x.md)`.", ctx)
    assert "(../chapters/ch01_recurrent_loop.ipynb#sec-x)" in text
    assert "(../exercises/ch02_bptt.ipynb)" in text
    assert f"({ctx.site}tryit.html)" in text
    assert "`[not a link](x.md)`" in text


@pytest.mark.parametrize("out", [".", "chapters", "solutions/sub"])
def test_an_output_folder_holding_the_sources_is_refused(out):
    before = {p: p.read_bytes() for p in ROOT.glob("*.md")}
    with pytest.raises(learner.LearnerError, match="overwrite the course's sources"):
        learner.generate(ROOT / out, None, COMMIT)
    assert {p: p.read_bytes() for p in ROOT.glob("*.md")} == before


def test_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "README.md").write_text("# My project\n", encoding="utf-8")
    with pytest.raises(learner.LearnerError, match="did not write"):
        learner.generate(tmp_path, None, COMMIT)
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# My project\n"


def test_a_learner_notebook_without_its_digest_is_kept(tmp_path, capsys):
    chapter = ROOT / "chapters" / "ch01_recurrent_loop.md"
    [path] = learner.generate(tmp_path, None, COMMIT, notebooks=[chapter])
    notebook = nbformat.read(path, as_version=4)
    del notebook.metadata[learner.METADATA_KEY]["cells_sha256"]
    notebook.cells[-1].source += "\n\nMy notes."
    nbformat.write(notebook, path)
    assert learner.generate(tmp_path, None, COMMIT, notebooks=[chapter]) == []
    assert "My notes." in nbformat.read(path, as_version=4).cells[-1].source
    assert "--force overwrites" in capsys.readouterr().err
    assert learner.generate(tmp_path, None, COMMIT, force=True, notebooks=[chapter]) == [path]
    assert "My notes." not in nbformat.read(path, as_version=4).cells[-1].source


@pytest.mark.parametrize("damage", [
    "{not json", "[1, 2]", b"\xff\xfe", "", '{"n": 1}', '{"n": {"data": 5}}',
    '{"n": {"data": {"text/plain": 5}}}', '{"n": {"data": {"text/plain": ["a", 2]}}}'])
def test_a_damaged_book_value_file_is_a_clear_error(tmp_path, damage):
    glue = tmp_path / "chapters" / "ch01_recurrent_loop.glue.json"
    glue.parent.mkdir()
    glue.write_bytes(damage if isinstance(damage, bytes) else damage.encode())
    with pytest.raises(learner.LearnerError, match="damaged.*make book") as raised:
        learner.book_values("chapters/ch01_recurrent_loop.md", tmp_path)
    assert str(glue) in str(raised.value)


def test_a_damaged_book_value_file_stops_the_command_before_it_writes(tmp_path, capsys):
    last = learner.source_notebooks()[-1].relative_to(ROOT).with_suffix(".glue.json")
    values = tmp_path / "values"
    (values / last).parent.mkdir(parents=True)
    (values / last).write_text("{not json", encoding="utf-8")
    out = tmp_path / "out"
    assert learner.main(["--out", str(out), "--book-values", str(values),
                         "--ref", COMMIT]) == 1
    error = capsys.readouterr().err
    assert f"{last.name} is damaged" in error and "Traceback" not in error
    assert not out.exists()  # every notebook is converted before the first is written


def test_a_source_it_cannot_read_is_a_clear_error(tmp_path, monkeypatch, capsys):
    missing = ROOT / "chapters" / "ch99_deleted_meanwhile.md"
    monkeypatch.setattr(learner, "source_notebooks", lambda: [missing])
    assert learner.main(["--out", str(tmp_path / "out"), "--no-book-values",
                         "--ref", COMMIT]) == 1
    error = capsys.readouterr().err
    assert f"{missing}: no such file" in error and "Traceback" not in error


@pytest.mark.parametrize("latex, plain", [
    ('M\\"uller', "Müller"), ('M{\\"u}ller', "Müller"), ('M\\"{u}ller', "Müller"),
    ("Ko\\c{c}", "Koç"), ("Ko{\\c{c}}", "Koç"), ("Gon{\\c c}alves", "Gonçalves"),
    ("Caf\\'e", "Café"), ("Caf\\`e", "Cafè"), ("H\\^otel", "Hôtel"),
    ("Espa\\~na", "España"), ("Pe{\\~n}a", "Peña"), ("\\v{S}ediv\\'y", "Šedivý"),
    ("Erdo\\u{g}an", "Erdoğan"), ("Stra{\\ss}e", "Straße"), ("{\\O}rsted", "Ørsted"),
    ("{\\AA}ngstr{\\\"o}m", "Ångström"), ("{\\aa}s", "ås"), ("{\\L}ukasz", "Łukasz")])
def test_latex_accents_in_the_bibliography_become_letters(tmp_path, latex, plain):
    bib = tmp_path / "refs.bib"
    bib.write_text(f"@article{{a, author={{{latex}, Anna and Ko{{\\c{{c}}}}, Ali}}, "
                   "year={2020}, title={T}}\n", encoding="utf-8")
    assert learner.bibliography(bib)["a"] == (f"{plain} and Koç", "2020")


def test_a_bibliography_that_is_not_utf8_is_a_clear_error(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_bytes("@article{a, author={Müller, Anna}, year={2020}, title={T}}\n".encode(
        "cp1252"))
    with pytest.raises(learner.LearnerError, match="refs.bib: not UTF-8"):
        learner.bibliography(bib)


@pytest.mark.parametrize("out", [".", "chapters", "exercises/..", "solutions/sub", ".."])
def test_the_command_refuses_an_output_folder_holding_the_sources(out, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    before = {p: p.stat().st_mtime_ns for p in ROOT.glob("*") if p.is_file()}
    assert learner.main(["--out", out, "--no-book-values", "--ref", COMMIT]) == 1
    error = capsys.readouterr().err
    assert "would overwrite the course's sources" in error and "Traceback" not in error
    assert {p: p.stat().st_mtime_ns for p in ROOT.glob("*") if p.is_file()} == before
    assert not (ROOT / "solutions" / "sub").exists()


def test_an_output_path_that_is_a_file_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("mine\n", encoding="utf-8")
    with pytest.raises(learner.LearnerError, match="not a folder"):
        learner.generate(path, None, COMMIT)
    assert path.read_text(encoding="utf-8") == "mine\n"


@pytest.mark.parametrize("readme", ["# Learner notebooks\n\nMy own notes.\n", None])
def test_a_folder_with_someone_elses_binder_files_is_refused(tmp_path, readme):
    chapter = ROOT / "chapters" / "ch01_recurrent_loop.md"
    learner.generate(tmp_path, None, COMMIT, notebooks=[chapter])
    (tmp_path / "requirements.txt").write_text("numpy\n", encoding="utf-8")  # not ours
    if readme is not None:
        (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(learner.LearnerError, match="did not write"):
        learner.generate(tmp_path, None, COMMIT, notebooks=[chapter])
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_a_learner_folder_is_written_again(tmp_path):
    chapter = ROOT / "chapters" / "ch01_recurrent_loop.md"
    [path] = learner.generate(tmp_path, None, COMMIT, notebooks=[chapter])
    assert learner.generate(tmp_path, None, COMMIT, notebooks=[chapter]) == [path]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md", "chapters", "requirements.txt", "runtime.txt"]  # no temporary files
