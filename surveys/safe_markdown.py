"""Showing what people typed as text: escaping Markdown so nothing typed becomes markup."""

from __future__ import annotations

import re

# Every character Streamlit's Markdown gives a meaning to, including its :colour[...] and
# $maths$ extensions, so typed text always shows exactly as typed.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$^&=\"'%@])")


def escape_markdown(text: object) -> str:
    """Return TEXT with every Markdown character backslash-escaped, so it shows as typed."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", "" if text is None else str(text))
    # A line break inside a paragraph should show as a break, not vanish.
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")
