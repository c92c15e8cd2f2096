"""The contracts between stages agree: metadata.yml describes columns the schema and the views
have, the views read columns the tables have, and every kind the code names is in data/kinds.yaml."""
import re

import pytest
import yaml

from scripts.database.build import VIEWS
from scripts.sources.schema import TABLES

from .conftest import DATA, ROOT

METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["pycon"]
SCHEMA = {t.name: t for t in TABLES}
# Where the code names a kind by its id; the kind names of other things (an error, a clash) are not kinds.
KIND_LITERAL = re.compile(r"""\bkind\s*(?:=|!=|==)\s*["']([a-z][a-z-]*)["']""")
KIND_CODE = [p for p in (ROOT / "scripts").rglob("*.py")] + list((ROOT / "scripts").rglob("*.sql")) + \
    list((ROOT / "plugins").glob("*.py")) + list((ROOT / "templates").glob("*.html")) + [ROOT / "metadata.yml"]
NOT_KINDS = {"error", "clash", "floors"}


def columns_of(db, name):
    return [r[1] for r in db.execute(f"pragma table_info([{name}])")]


@pytest.mark.parametrize("table", sorted(SCHEMA))
def test_each_table_is_built_as_its_schema_says(db, table):
    assert columns_of(db, table) == list(SCHEMA[table].db_columns())


@pytest.mark.parametrize("name", sorted(METADATA["tables"]))
def test_metadata_describes_only_columns_that_exist(db, name):
    meta, present = METADATA["tables"][name], set(columns_of(db, name))
    assert present, f"metadata.yml describes {name}, which the database does not have"
    facets = {next(iter(f.values())) if isinstance(f, dict) else f for f in meta.get("facets", [])}  # {array: roles}
    named = set(meta.get("columns", {})) | facets | {meta.get("sort"), meta.get("label_column")}
    assert named - {None} <= present, f"{name}: {sorted(named - {None} - present)} are not columns"


@pytest.mark.parametrize("view", VIEWS)
def test_views_read_columns_the_tables_have(db, view):
    """SQLite checks a view's columns only when it is read: read each one."""
    assert db.execute(f"select * from [{view}] limit 1").fetchall()
    assert view in METADATA["tables"] and METADATA["tables"][view]["description"]


def test_every_kind_the_code_names_is_a_kind_of_the_data(db):
    kinds = {r[0] for r in db.execute("select id from kinds")}
    named = {(path.relative_to(ROOT).as_posix(), m) for path in KIND_CODE
             for m in KIND_LITERAL.findall(path.read_text(encoding="utf-8"))}
    assert named, "the pattern finds the kinds the code names"
    unknown = {(where, kind) for where, kind in named if kind not in kinds | NOT_KINDS}
    assert not unknown, f"kinds named in code but missing from data/kinds.yaml: {sorted(unknown)}"
    assert {kind for _, kind in named} >= {"unfilled", "poster-session", "charla", "event"}


def test_kinds_of_the_data_are_the_kinds_the_sessions_use(db):
    kinds = {r[0] for r in db.execute("select id from kinds")}
    used = {r[0] for r in db.execute("select distinct kind from sessions")}
    assert used <= kinds and (DATA / "kinds.yaml").is_file()


def test_the_search_ranks_with_the_index_weights():
    """scripts/database/search_index.py names the columns and their weights; metadata.yml's search ranks by them."""
    from scripts.database.search_index import COLUMNS, WEIGHTS

    weights = re.search(r"bm25\(sessions_fts, ([\d., ]+)\)", METADATA["queries"]["search"]["sql"]).group(1)
    assert tuple(float(w) for w in weights.split(",")) == WEIGHTS and len(WEIGHTS) == len(COLUMNS)
    assert WEIGHTS[COLUMNS.index("title")] == 10 * WEIGHTS[COLUMNS.index("description")]


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchors(markdown):
    """The anchors GitHub makes of a Markdown file's headings."""
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", markdown, re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_of_the_docs_resolves(doc):
    broken = []
    for target in LINK.findall(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not ours to check here
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists() or (anchor and anchor not in anchors(file.read_text(encoding="utf-8"))):
            broken.append(target)
    assert broken == []


def test_the_readme_is_a_map_of_at_most_200_lines():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


YEAR = re.compile(r"\b20[2-9]\d\b")


def python_strings(path):
    """The string constants of a Python file, its docstrings aside (they are its comments)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def uncommented_lines(path):
    """(line number, text) of a template, script, stylesheet or YAML file, its comments aside."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    if path.suffix in (".js", ".css"):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    lines = text.splitlines()
    if path.suffix in (".yml", ".conf") or path.name == "Makefile":
        lines = [line.split("#")[0] if line.lstrip().startswith("#") else line for line in lines]
    if path.suffix == ".js":
        lines = [line.split("//")[0] if line.lstrip().startswith("//") else line for line in lines]
    return list(enumerate(lines, 1))


SERVED_AND_BUILT = [*sorted((ROOT / "scripts").rglob("*.py")), *sorted((ROOT / "plugins").glob("*.py")),
                    *sorted((ROOT / "scripts").rglob("*.sql")), *sorted((ROOT / "templates").glob("*.html")),
                    *sorted((ROOT / "static").glob("*.js")), *sorted((ROOT / "static").glob("*.css")),
                    ROOT / "metadata.yml", ROOT / "Makefile", ROOT / "deploy" / "nginx.conf", ROOT / "pyproject.toml"]


def test_no_code_template_or_metadata_names_a_year():
    """An edition's facts come from its sources: the code, templates and metadata name no year (comments and
    docstrings aside), so the next edition needs no change of them."""
    found = []
    for path in SERVED_AND_BUILT:
        lines = python_strings(path) if path.suffix == ".py" else [
            (n, line.split("--")[0]) if path.suffix == ".sql" else (n, line) for n, line in uncommented_lines(path)]
        found += [f"{path.relative_to(ROOT)}:{n}" for n, text in lines if YEAR.search(str(text))]
    assert found == []
