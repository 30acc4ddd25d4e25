"""Liquid and Hugo's shortcodes in post bodies (blog/content/liquid_render.py,
hugo_shortcodes.py), through the content sync: what reaches the stored HTML,
what is reported, and when a body is rendered again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blog.content.sync import sync_content
from blog.errors import ContentErrors
from blog.models import Post
from blog.siteconfig import activate_site

from .html_tree import Element, parse_html

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _forget_site():
    yield
    activate_site(None)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def body(slug: str) -> Element:
    return parse_html(Post.objects.get(slug=slug).body_html)


def hrefs(slug: str) -> list[str]:
    return [a.get("href") for a in body(slug).iter("a")]


def code_texts(slug: str) -> list[str]:
    return [pre.raw_text().strip() for pre in body(slug).iter("pre")]


# Django template code as our authors write it, in prose and in code blocks.
DJANGO_POST = """---
title: "Reversing URLs"
date: 2024-05-01 9:00
tags: [django]
---
Write {% url 'post' post.slug %} in a template, and {{ post.title }} shows the title.

    {% for post in posts %}{{ post.title|upper }}{% endfor %}

```django
{% extends "base.html" %}
{% block content %}{% include "x.html" with a=b %}{{ site.baseurl }}{% endblock %}
```

A Jekyll tag stays too: {% link nowhere.md %}.
"""


@pytest.fixture
def site(tmp_path) -> Path:
    content = tmp_path / "content"
    write(content / "site.toml", 'title = "T"\nbase_url = "https://example.org/blog/"\n')
    write(content / "posts" / "2010-07-21-first-post.md", "---\ntitle: First\n---\nThe first.\n")
    return content


def test_django_template_code_reaches_the_reader_exactly_as_written(site):
    write(site / "posts" / "2024-05-01-reversing-urls.md", DJANGO_POST)
    report = sync_content(site)
    assert report.warnings == []
    text = body("reversing-urls").text()
    assert "Write {% url 'post' post.slug %} in a template, and {{ post.title }} shows the title." in text
    assert "A Jekyll tag stays too: {% link nowhere.md %}." in text
    codes = code_texts("reversing-urls")
    assert codes[0] == "{% for post in posts %}{{ post.title|upper }}{% endfor %}"
    assert codes[1] == "".join(
        [
            '{% extends "base.html" %}\n',
            '{% block content %}{% include "x.html" with a=b %}{{ site.baseurl }}{% endblock %}',
        ]
    )


def test_hugo_and_pelican_posts_reach_the_reader_as_written(site):
    write(
        site / "posts" / "hugo.md",
        '+++\ntitle = "Hugo"\ndate = 2024-05-01T09:00:00Z\n+++\n'
        'Templates say {{ .Title }} and {{ range .Pages }}{{ end }}; see {{< ref "2010-07-21-first-post.md" >}}.\n',
    )
    write(
        site / "posts" / "pelican.md",
        "Title: Pelican\nDate: 2024-05-01 9:00\n\nJinja: {% for a in articles %}{{ a.title }}{% endfor %}",
    )
    report = sync_content(site)
    assert report.warnings == []
    assert "Templates say {{ .Title }} and {{ range .Pages }}{{ end }}; see" in body("hugo").text()
    assert "Jinja: {% for a in articles %}{{ a.title }}{% endfor %}" in body("pelican").text()


JEKYLL_POST = """---
title: Jekyll post
date: 2013-11-22 5:00:00 +0000
---
{% assign who = site.data.people.alice.name %}{% capture greeting %}Hello, {{ who }}{% endcapture %}
{{ greeting }}! Home is {{ site.url }}{{ site.baseurl }}/ and {{ "/about/" | relative_url }}.

See [the first]({% post_url 2010-07-21-first-post %}), [again]({% link _posts/2010-07-21-first-post.md %}),
[anchored]({% link en/news/_posts/2010-07-21-first-post.md %}#part).

{% if who == "Alice" %}Alice is here.{% else %}Nobody.{% endif %}

{% include note.html text="careful" %}

{% assign widget = "note.html" %}{% include {{ widget }} text="twice" %}

```liquid
{% raw %}{% if user %}{{ user.name }}{% endif %}{% endraw %}
```

{% highlight python %}
print("{{ who }}")
{% endhighlight %}
"""


def jekyll_site(site: Path, switch: str) -> Path:
    write(site / "_data" / "people.yml", "alice:\n  name: Alice\n")
    write(
        site / "_includes" / "note.html",
        '<aside class="note">{{ include.text }} ({{ site.data.people.alice.name }})</aside>\n',
    )
    post = JEKYLL_POST
    if switch == "site.toml":
        write(site / "site.toml", 'title = "T"\nbase_url = "https://example.org/blog/"\nliquid = true\n')
    elif switch == "_config.yml":
        write(site / "_config.yml", "title: A Jekyll site\n")
    else:
        post = post.replace("---\ntitle", "---\nliquid: true\ntitle", 1)
    write(site / "posts" / "2013-11-22-jekyll-post.md", post)
    return site


@pytest.mark.parametrize("switch", ["site.toml", "_config.yml", "front matter"])
def test_liquid_renders_as_jekyll_does_where_the_site_asks(site, switch):
    report = sync_content(jekyll_site(site, switch))
    assert report.warnings == []
    html = body("jekyll-post")
    assert "Hello, Alice! Home is https://example.org/blog/ and /blog/about/." in html.text()
    assert hrefs("jekyll-post") == [
        "blog-source:posts/2010-07-21-first-post.md",
        "blog-source:posts/2010-07-21-first-post.md",
        "blog-source:posts/2010-07-21-first-post.md#part",
    ]
    assert "Alice is here." in html.text() and "Nobody" not in html.text()
    notes = [aside.text() for aside in html.iter("aside")]
    assert notes == ["careful (Alice)", "twice (Alice)"]
    codes = code_texts("jekyll-post")
    assert codes[0] == "{% if user %}{{ user.name }}{% endif %}"
    # highlight is a real tag: Liquid inside it runs, and Pygments colours the result.
    assert codes[1] == 'print("Alice")'
    assert html.with_class("highlight")[-1].find("span") is not None


def test_liquid_false_in_front_matter_turns_it_off_for_one_post(site):
    jekyll_site(site, "_config.yml")
    write(site / "posts" / "plain.md", "---\ntitle: Plain\ndate: 2024-01-01\nliquid: false\n---\nKeep {{ this }}.\n")
    sync_content(site)
    assert "Keep {{ this }}." in body("plain").text()


def test_an_unknown_tag_is_a_warning_with_its_line_and_is_shown_as_written(site):
    write(site / "_config.yml", "title: J\n")
    write(site / "posts" / "odd.md", "---\ntitle: Odd\ndate: 2024-01-01\n---\nOne.\n\nUse {% gist 12345 %} here.\n")
    report = sync_content(site)
    assert [(w.path.rsplit("/", 1)[-1], w.line) for w in report.warnings] == [("odd.md", 7)]
    assert "unknown Liquid tag 'gist'" in report.warnings[0].message
    assert "Use {% gist 12345 %} here." in body("odd").text()
    # Warnings are kept: the next build, which reads nothing again, reports them too.
    assert [w.line for w in sync_content(site).warnings] == [7]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Intro.\n\n[x]({% post_url 2001-01-01-gone %})\n", 7, "no post or page is named '2001-01-01-gone'"),
        ("[x]({% link _posts/missing.md %})\n", 5, "no post or page is named 'missing.md'"),
        ("Intro.\n{% include nothing.html %}\n", 6, "there is no _includes/nothing.html"),
        # Never a file outside _includes/, though site.toml is there.
        ("{% include ../site.toml %}\n", 5, "there is no _includes/../site.toml"),
        ("Intro.\n{% if a %}\nnever closed\n", 6, "{% if %} is never closed"),
        ('Intro.\n\nSee {{< ref "gone.md" >}}.\n', 7, "no post or page is named 'gone.md'"),
    ],
)
def test_a_missing_target_or_a_syntax_error_names_the_file_and_line(site, text, line, words):
    write(site / "_config.yml", "title: J\n")
    write(site / "posts" / "broken.md", f"---\ntitle: Broken\ndate: 2024-01-01\n---\n{text}")
    with pytest.raises(ContentErrors) as caught:
        sync_content(site)
    [problem] = caught.value.problems
    assert problem.path.endswith("posts/broken.md")
    assert problem.line == line
    assert words in problem.message


def test_every_broken_link_of_a_run_is_reported_together(site):
    write(site / "_config.yml", "title: J\n")
    write(site / "posts" / "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n{% post_url x %}\n\n{% link y.md %}\n")
    write(site / "posts" / "b.md", '---\ntitle: B\ndate: 2024-01-01\n---\n{{< relref "z.md" >}}\n')
    with pytest.raises(ContentErrors) as caught:
        sync_content(site)
    assert [(p.path.rsplit("/", 1)[-1], p.line) for p in caught.value.problems] == [
        ("a.md", 5),
        ("a.md", 7),
        ("b.md", 5),
    ]


def test_hugo_refs_resolve_and_other_shortcodes_are_warnings(site):
    write(
        site / "posts" / "hugo.md",
        '+++\ntitle = "Hugo"\ndate = 2024-05-01T09:00:00Z\n+++\n'
        '[one]({{< ref "posts/2010-07-21-first-post.md" >}}) [two]({{< relref "2010-07-21-first-post#intro" >}})\n\n'
        '{{< youtube abc >}}\n\n{{%/* ref "x.md" */%}}\n',
    )
    report = sync_content(site)
    assert hrefs("hugo") == [
        "blog-source:posts/2010-07-21-first-post.md",
        "blog-source:posts/2010-07-21-first-post.md#intro",
    ]
    [warning] = report.warnings
    assert (warning.line, "Hugo shortcode 'youtube'" in warning.message) == (7, True)
    assert "{{< youtube abc >}}" in body("hugo").text()
    assert '{{% ref "x.md" %}}' in body("hugo").text()


# --- rendering again when an input changes ---------------------------------------


def touch_nothing_else(site: Path) -> int:
    return sync_content(site).rendered


def test_an_edited_include_or_data_file_renders_the_posts_that_read_it(site):
    jekyll_site(site, "_config.yml")
    write(site / "posts" / "other.md", "---\ntitle: Other\ndate: 2024-01-01\n---\nNo Liquid used.\n")
    sync_content(site)
    assert sync_content(site).rendered == 0

    write(site / "_includes" / "note.html", '<aside class="note">{{ include.text }}!</aside>\n')
    assert sync_content(site).rendered == 1
    assert body("jekyll-post").find("aside").text() == "careful!"

    write(site / "_data" / "people.yml", "alice:\n  name: Alicia\n")
    assert sync_content(site).rendered == 1
    assert "Hello, Alicia!" in body("jekyll-post").text()

    # A data file no post reads changes nothing that was rendered... but the
    # folder's listing is read by site.data lookups, so the post renders again.
    write(site / "_data" / "unused.json", "{}")
    assert sync_content(site).rendered == 1
    assert sync_content(site).rendered == 0


def test_base_url_and_the_link_targets_are_inputs(site):
    jekyll_site(site, "front matter")
    sync_content(site)
    # Another host under the same path: only the post that read base_url
    # renders again (a new path renders every file: image paths follow it).
    write(site / "site.toml", 'title = "T"\nbase_url = "https://example.net/blog/"\n')
    assert sync_content(site).rendered == 1
    assert "Home is https://example.net/blog/ and /blog/about/." in body("jekyll-post").text()

    # The linked post moves to another folder: the link follows it by name.
    old = site / "posts" / "2010-07-21-first-post.md"
    write(site / "posts" / "2010" / old.name, old.read_text(encoding="utf-8"))
    old.unlink()
    sync_content(site)
    assert set(hrefs("jekyll-post")) == {
        "blog-source:posts/2010/2010-07-21-first-post.md",
        "blog-source:posts/2010/2010-07-21-first-post.md#part",
    }


def test_turning_liquid_on_for_the_site_renders_every_post_again(site):
    write(site / "posts" / "tpl.md", "---\ntitle: Tpl\ndate: 2024-01-01\n---\n{{ site.baseurl }}\n")
    sync_content(site)
    assert "{{ site.baseurl }}" in body("tpl").text()
    write(site / "site.toml", 'title = "T"\nbase_url = "https://example.org/blog/"\nliquid = true\n')
    assert sync_content(site).rendered == 2
    assert body("tpl").text().strip() == "/blog"
    (site / "site.toml").write_text('title = "T"\nbase_url = "https://example.org/blog/"\n', encoding="utf-8")
    sync_content(site)
    assert "{{ site.baseurl }}" in body("tpl").text()


def test_a_post_that_read_nothing_else_is_not_rendered_again(site):
    jekyll_site(site, "_config.yml")
    sync_content(site)
    post = site / "posts" / "2010-07-21-first-post.md"
    stat = post.stat()
    os.utime(post, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    write(site / "_includes" / "note.html", "changed\n")
    # Only the post that includes it; the touched one has the same bytes.
    assert sync_content(site).rendered == 1


def test_a_broken_data_file_or_include_is_reported_where_it_is_broken(site):
    write(site / "_config.yml", "title: J\n")
    write(site / "_data" / "crew.yml", "skipper: Ada\nboats: [Gannet\n")
    write(site / "_includes" / "card.html", "<p>\n{% if x %}never closed\n")
    write(site / "_includes" / "gist.html", "<p>\n{% gist 1 %}</p>\n")
    write(site / "posts" / "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n{{ site.data.crew.skipper }}\n")
    write(site / "posts" / "b.md", "---\ntitle: B\ndate: 2024-01-01\n---\n{% include card.html %}\n")
    write(site / "posts" / "c.md", "---\ntitle: C\ndate: 2024-01-01\n---\n{% include gist.html %}\n")
    with pytest.raises(ContentErrors) as caught:
        sync_content(site)
    found = {(p.path.split("content/", 1)[-1], p.line) for p in caught.value.problems}
    assert found == {("_data/crew.yml", 3), ("_includes/card.html", 2)}
    problems = {p.path.split("content/", 1)[-1]: p.message for p in caught.value.problems}
    assert "invalid YAML" in problems["_data/crew.yml"]
    assert "{% if %} is never closed" in problems["_includes/card.html"]
    (site / "_data" / "crew.yml").write_text("skipper: Ada\n", encoding="utf-8")
    (site / "_includes" / "card.html").write_text("<p>fine</p>\n", encoding="utf-8")
    report = sync_content(site)
    assert [(w.path.split("content/", 1)[-1], w.line) for w in report.warnings] == [("_includes/gist.html", 2)]
