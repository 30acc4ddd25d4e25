"""Jekyll's Liquid tags, for python-liquid: ``link``, ``post_url``,
``include`` (Jekyll's form, with ``include.param``), ``highlight``, and what
to do with a tag nobody defined (show it as written, with a warning)."""

from __future__ import annotations

import io
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, TextIO

from liquid import Tag
from liquid.ast import BlockNode, Node
from liquid.exceptions import LiquidError
from liquid.parser import get_parser
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_ILLEGAL, TOKEN_TAG, Token

from .internal_links import source_link
from .liquid_site import INCLUDES_DIR
from .render_inputs import FILE, SOURCE, file_digest

if TYPE_CHECKING:
    from liquid import RenderContext
    from liquid.stream import TokenStream

    from .liquid_render import LiquidRun
    from .liquid_site import Location

# Jekyll's own reading of include arguments: name=value, the value quoted or a variable.
_INCLUDE_ARGUMENT = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[\w.\[\]"'-]+)""")


def run_of(env) -> LiquidRun:
    return env.run


def tag_line(token: Token) -> int:
    """The line of ``token`` in the text it was parsed from, from 1."""
    return token.source.count("\n", 0, max(token.start_index, 0)) + 1


def tag_text(token: Token) -> str:
    """The tag exactly as written, ``{%`` to ``%}``."""
    start = token.source.rfind("{%", 0, token.start_index + 2)
    end = token.source.find("%}", token.start_index)
    return token.source[start : end + 2] if start >= 0 and end >= 0 else token.value


def _expression(stream: TokenStream) -> tuple[Token, str]:
    """The tag token and the text after its name, as written. The stream is
    left on the tag's last token: the parser steps past it."""
    token = stream.expect(TOKEN_TAG)
    if stream.peek.kind != TOKEN_EXPRESSION:
        return token, ""
    next(stream)
    return token, stream.current.value.strip()


class _LocatedNode(Node):
    """A node that knows which file it was parsed from, for messages."""

    __slots__ = ("location", "argument")

    def __init__(self, token: Token, location: Location, argument: str) -> None:
        super().__init__(token)
        self.location = location
        self.argument = argument
        # Writes output: a block holding only this tag is not "blank" (which
        # python-liquid would leave out of a {% capture %}).
        self.blank = False

    def line(self) -> int:
        return self.location.first_line + tag_line(self.token) - 1


class _ArgumentTag(Tag):
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token, argument = _expression(stream)
        return self.node_class(token, run_of(self.env).parsing, argument)


class LinkNode(_LocatedNode):
    """``{% link path/to/file.md %}``: the source the file's name names now."""

    what = "link"

    def written_name(self) -> str:
        return self.argument

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        run = run_of(context.env)
        written = self.written_name()
        found = run.names.find(written) if written else None
        run.inputs.record(SOURCE, written, found or "")
        if found is not None:
            buffer.write(source_link(found))
            return True
        if self.what == "link" and ".." not in PurePosixPath(written).parts and file_digest(run.content_dir / written):
            # A file that is not a post (an image, a PDF) is published where it is.
            run.inputs.record(FILE, written, file_digest(run.content_dir / written))
            buffer.write(run.base_path + written.lstrip("/"))
            return True
        run.error(
            self.location,
            self.line(),
            f"{{% {self.what} {self.argument} %}}: no post or page is named {PurePosixPath(written).name!r}",
            "check the file name; the folders may differ, the name must match a file in posts/ or pages/",
        )
        return True


class PostUrlNode(LinkNode):
    """``{% post_url 2010-07-21-name %}``: a post named by its file name without the suffix."""

    what = "post_url"


class LinkTag(_ArgumentTag):
    name = "link"
    node_class = LinkNode


class PostUrlTag(_ArgumentTag):
    name = "post_url"
    node_class = PostUrlNode


class IncludeNode(_LocatedNode):
    """``{% include file.html param="value" %}`` from ``content/_includes/``."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        run = run_of(context.env)
        if self.argument.startswith("{{"):  # {% include {{ page.widget }} x="y" %}
            end = self.argument.find("}}") + 2
            name, arguments = render_in(context, self.argument[:end]), self.argument[end:]
        else:
            name, _, arguments = self.argument.partition(" ")
        relative = f"{INCLUDES_DIR}/{name.strip()}"
        # Never a file outside _includes/: "..", or an absolute name, finds nothing.
        inside = ".." not in PurePosixPath(name).parts
        digest = file_digest(run.content_dir / relative) if inside else ""
        run.inputs.record(FILE, relative, digest)
        if not digest:
            run.error(
                self.location,
                self.line(),
                f"{{% include {name} %}}: there is no {relative} in the content folder",
                "Jekyll's includes go in content/_includes/",
            )
            return True
        parameters = {key: _argument_value(context, value) for key, value in _INCLUDE_ARGUMENT.findall(arguments)}
        template = run.parse((run.content_dir / relative).read_text(encoding="utf-8-sig"), run.located(relative))
        if template is None:
            return True
        with context.extend({"include": parameters}):
            try:
                template.render_with_context(context, buffer, partial=True)
            except LiquidError as exc:  # reported against the include, where it is
                run.report(exc, run.located(relative))
        return True


def render_in(context: RenderContext, text: str) -> str:
    """``text`` rendered as Liquid with the variables of ``context``."""
    buffer = io.StringIO()
    context.env.from_string(text).render_with_context(context, buffer, partial=True)
    return buffer.getvalue()


def _argument_value(context: RenderContext, written: str) -> object:
    """A quoted value is text (with Liquid in it, as Jekyll renders it);
    anything else names a variable, passed as it is (a list stays a list)."""
    if written[:1] in ("'", '"'):
        return render_in(context, written[1:-1])
    if written.isdigit():
        return int(written)
    return context.get(written.split("."), token=None, default=None)


class IncludeTag(_ArgumentTag):
    name = "include"
    node_class = IncludeNode


class HighlightNode(Node):
    """``{% highlight python %}…{% endhighlight %}``: a fenced code block,
    which Markdown and Pygments then highlight. The code is Liquid, as in Jekyll."""

    __slots__ = ("language", "block")

    def __init__(self, token: Token, language: str, block: BlockNode) -> None:
        super().__init__(token)
        self.language = language
        self.block = block
        self.blank = False

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        from .markdown import fenced_code  # markdown.py does not import Liquid

        inner = context.get_buffer(buffer)
        self.block.render(context, inner)
        buffer.write(fenced_code(self.language, inner.getvalue().strip("\n")))
        return True


class HighlightTag(Tag):
    name = "highlight"
    end = "endhighlight"
    block = True

    def parse(self, stream: TokenStream) -> Node:
        token, argument = _expression(stream)
        next(stream)  # into the block
        language = (argument.split() or [""])[0]
        block = get_parser(self.env).parse_block(stream, (self.end, TOKEN_EOF))
        stream.expect(TOKEN_TAG, value=self.end)
        return HighlightNode(token, language, block)


class UnknownNode(_LocatedNode):
    """A tag that no one defined: shown as written."""

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        buffer.write(self.argument)
        return True


class UnknownTag(Tag):
    """Takes the place of python-liquid's "illegal" tag, which stops the render."""

    name = TOKEN_ILLEGAL
    block = False

    def parse(self, stream: TokenStream) -> Node:
        token, _argument = _expression(stream)
        run = run_of(self.env)
        written = tag_text(token)
        node = UnknownNode(token, run.parsing, written)
        run.warn(
            run.parsing,
            node.line(),
            f"unknown Liquid tag {token.value!r}: shown as written",
            "wrap text meant literally in {% raw %}…{% endraw %}",
        )
        return node


JEKYLL_TAGS = (LinkTag, PostUrlTag, IncludeTag, HighlightTag, UnknownTag)
