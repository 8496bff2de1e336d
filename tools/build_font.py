"""Subset Noto Sans CJK SC (OFL) to GB 2312 + ASCII as WOFF2, so walls without CJK fonts render Chinese.

Run once when the character set changes: `python tools/build_font.py` (needs Debian's fonts-noto-cjk).
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = Path("/usr/share/fonts/opentype/noto")
OUT = Path(__file__).resolve().parent.parent / "assets" / "fonts"
EXTRA = (
    "↑↓→←·—…℃µ³²₂₃ⅠⅡⅢⅣⅤⅥ①②③④⑤⑥⑦⑧⑨⑩★☆●○■□▲△◆◇、。，：；？！“”‘’（）《》【】〔〕～￥％＋－×÷≤≥≠±°‰"
)


def charset() -> str:
    """Printable ASCII, every GB 2312 hanzi and symbol, and the extras the wall uses."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([hi, lo]).decode("gb2312"))
    chars.update(EXTRA)
    return "".join(sorted(chars))


def build(weight: str) -> Path:
    """Write NotoSansSC-<weight>.subset.woff2 from the SC face of the system TTC."""
    ttc = TTCollection(SRC / f"NotoSansCJK-{weight}.ttc")
    face = next(f for f in ttc.fonts if "SC" in f["name"].getDebugName(1))
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(text=charset())
    sub.subset(face)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"NotoSansSC-{weight}.subset.woff2"
    face.flavor = "woff2"
    face.save(path)
    return path


if __name__ == "__main__":
    if not SRC.is_dir():
        sys.exit(f"{SRC} missing: apt-get install fonts-noto-cjk")
    for w in ("Regular", "Bold"):
        p = build(w)
        print(f"{p} {p.stat().st_size / 1e6:.2f} MB")
