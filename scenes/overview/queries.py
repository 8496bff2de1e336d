"""The overview reads no product of its own: it renders the other scenes' summaries."""

from __future__ import annotations

NEEDS: tuple = ()
