"""Label logos for the organisations' websites: the level's badge as SVG and PNG."""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from common.enums import Level
from labels.certificates.rendering import LOOKS

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240" role="img"
 aria-label="{name} cluster management excellence label">
<circle cx="120" cy="120" r="114" fill="#fff" stroke="{colour}" stroke-width="12"/>
<circle cx="120" cy="120" r="96" fill="{colour}"/>
<g font-family="DejaVu Sans, Arial, sans-serif" text-anchor="middle" fill="#fff">
<text x="120" y="112" font-weight="bold" font-size="34">{upper}</text>
<text x="120" y="142" font-size="15">CLUSTER MANAGEMENT</text>
<text x="120" y="162" font-size="15">EXCELLENCE</text>
</g>
</svg>"""


def logo_svg(level: Level) -> str:
    return SVG.format(name=level.label, upper=str(level.label).upper(), colour=LOOKS[level].colour)


@lru_cache(maxsize=8)
def logo_png(level: Level, size: int = 480) -> bytes:
    """The same badge drawn with Pillow, for sites that cannot show SVG."""
    colour = LOOKS[level].colour
    scale = size / 240
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        [6 * scale, 6 * scale, 234 * scale, 234 * scale], fill="#ffffff", outline=colour, width=int(12 * scale)
    )
    draw.ellipse([24 * scale, 24 * scale, 216 * scale, 216 * scale], fill=colour)
    big: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        big, small = ImageFont.truetype(FONT, int(34 * scale)), ImageFont.truetype(FONT, int(14 * scale))
    except OSError:  # no DejaVu on this machine: Pillow's own font still gives a usable badge
        big = small = ImageFont.load_default()
    for text, font, y in (
        (level.label.upper(), big, 112),
        ("CLUSTER MANAGEMENT", small, 140),
        ("EXCELLENCE", small, 160),
    ):
        draw.text((120 * scale, y * scale), text, fill="#ffffff", font=font, anchor="ms")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
