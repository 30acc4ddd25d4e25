"""Figures: a paragraph that is only an image becomes ``<figure>`` when it has
a caption, written as an emphasised line right below the image, or as the
image's title::

    ![A chart](/images/chart.png)
    *Build time against the number of posts*

    ![A chart](/images/chart.png "Build time against the number of posts")
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

# After the inline patterns (20) and attr_list (8), so an image's {: .class}
# is already on it; before the table of contents (5).
PRIORITY = 7


class FigureExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.treeprocessors.register(FigureProcessor(md), "figures", PRIORITY)


class FigureProcessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "p":
                    figure = _figure(child)
                    if figure is not None:
                        parent[index] = figure


def _blank(text: str | None) -> bool:
    return not (text or "").strip()


def _figure(paragraph: etree.Element) -> etree.Element | None:
    """The figure a paragraph stands for, or None if it is not one."""
    children = list(paragraph)
    if not children or children[0].tag != "img" or not _blank(paragraph.text):
        return None
    image = children[0]
    if len(children) == 1 and _blank(image.tail) and image.get("title"):
        caption = etree.Element("figcaption")
        caption.text = image.get("title")
    elif len(children) == 2 and children[1].tag == "em" and _blank(image.tail) and _blank(children[1].tail):
        emphasis = children[1]
        caption = etree.Element("figcaption")
        caption.text = emphasis.text
        caption.extend(list(emphasis))
    else:
        return None
    figure = etree.Element("figure")
    image.tail = None
    figure.append(image)
    figure.append(caption)
    figure.tail = paragraph.tail
    return figure
