"""Hugo's shortcodes in a post copied from a Hugo site.

``{{< ref "x.md" >}}`` and ``{{< relref "x.md#anchor" >}}`` become links to
the source they name (matched on the file's name, as Jekyll's links are).
``highlight`` is read by blog/content/markdown.py. Any other shortcode is left
as written, with a warning: its output is Hugo's theme's, which we do not have.
Hugo reads shortcodes everywhere, code blocks included; ``{{</* x */>}}`` is
its way of writing one literally.

No Django or Jekyll author writes ``{{<`` or ``{{%``, so this needs no switch.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from ..errors import ContentProblem
from .internal_links import source_link
from .render_inputs import SOURCE, RenderInputs
from .source_names import SourceNames

# One shortcode: {{< name args >}}, {{% name args %}}, or a closing {{< /name >}}.
_SHORTCODE = re.compile(
    r"\{\{(?P<open>[<%])(?P<comment>/\*)?\s*(?P<inner>.*?)\s*(?P<close_comment>\*/)?(?P<close>[>%])\}\}", re.DOTALL
)
_LINK_SHORTCODES = ("ref", "relref")
_HANDLED_ELSEWHERE = ("highlight", "/highlight")


@dataclass
class ShortcodeOutput:
    text: str
    errors: list[ContentProblem] = field(default_factory=list)
    warnings: list[ContentProblem] = field(default_factory=list)


def render_shortcodes(
    body: str, display: str, first_line: int, names: SourceNames, inputs: RenderInputs, *, liquid_next: bool = False
) -> ShortcodeOutput:
    """``body`` with Hugo's link shortcodes resolved; the others reported.
    ``liquid_next``: Liquid renders the result, so what is left as written is
    kept from it in ``{% raw %}`` (``{{<`` is not Liquid)."""

    def as_written(text: str) -> str:
        return f"{{% raw %}}{text}{{% endraw %}}" if liquid_next else text

    output = ShortcodeOutput(body)
    if "{{<" not in body and "{{%" not in body:
        return output

    def replace(match: re.Match) -> str:
        written = match.group(0)
        line = first_line + body.count("\n", 0, match.start())
        if match["comment"]:  # {{</* ref "x" */>}}: the shortcode as text
            return as_written(f"{{{{{match['open']} {match['inner']} {match['close']}}}}}")
        try:
            words = shlex.split(match["inner"])
        except ValueError:
            words = match["inner"].split()
        name = words[0] if words else ""
        if name in _HANDLED_ELSEWHERE or name.startswith("/"):
            return as_written(written)  # a closing shortcode: its opening one is reported
        if name in _LINK_SHORTCODES and len(words) >= 2:
            target, _, fragment = words[1].partition("#")
            found = names.find(target) if target else None
            inputs.record(SOURCE, target, found or "")
            if found is None:
                output.errors.append(
                    ContentProblem(
                        display,
                        line,
                        f"{written}: no post or page is named {target.rsplit('/', 1)[-1]!r}",
                        "check the file name; the folders may differ, the name must match a file in posts/ or pages/",
                    )
                )
                return as_written(written)
            return source_link(found, fragment)
        output.warnings.append(
            ContentProblem(
                display,
                line,
                f"Hugo shortcode {name or written!r} is not supported: shown as written",
                "replace it with Markdown or HTML",
            )
        )
        return as_written(written)

    output.text = _SHORTCODE.sub(replace, body)
    return output
