"""CSS colours as Chromium computes them, and WCAG 2 contrast ratios."""

from __future__ import annotations

import re

_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")

# For each element, its colour and the colour actually behind it: the first
# ancestor with a visible background, blended over white when none has one.
EFFECTIVE_COLOURS_JS = """
(elements) => elements.map((element) => {
  let node = element;
  const layers = [];
  while (node && node.nodeType === 1) {
    const background = getComputedStyle(node).backgroundColor;
    layers.push(background);
    node = node.parentElement;
  }
  return {color: getComputedStyle(element).color, backgrounds: layers};
})
"""


def parse(css: str) -> tuple[float, float, float, float]:
    """``rgb(r, g, b)`` or ``rgba(r, g, b, a)`` -> (r, g, b, alpha), channels 0-255."""
    match = _RGB.fullmatch(css.strip())
    if not match:
        raise ValueError(f"not an rgb() colour: {css!r}")
    red, green, blue, alpha = match.groups()
    if alpha is None:
        opacity = 1.0
    elif alpha.endswith("%"):
        opacity = float(alpha[:-1]) / 100
    else:
        opacity = float(alpha)
    return float(red), float(green), float(blue), opacity


def blend(top: tuple[float, float, float, float], bottom: tuple[float, float, float]) -> tuple[float, float, float]:
    alpha = top[3]
    return tuple(top[i] * alpha + bottom[i] * (1 - alpha) for i in range(3))


def effective_background(layers: list[str]) -> tuple[float, float, float]:
    """Blend the background layers (element first, root last) over a white canvas."""
    colour = (255.0, 255.0, 255.0)
    for layer in reversed(layers):
        colour = blend(parse(layer), colour)
    return colour


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground: tuple[float, float, float], background: tuple[float, float, float]) -> float:
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_contrast(sample: dict) -> float:
    """Contrast of one sample from EFFECTIVE_COLOURS_JS."""
    background = effective_background(sample["backgrounds"])
    return contrast(blend(parse(sample["color"]), background), background)
