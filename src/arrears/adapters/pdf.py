"""Letters as PDF: WeasyPrint lays out the rendered letter HTML with `letter.css`.

Fonts come from the system through fontconfig: the stylesheet names "Noto Sans CJK SC" for
Chinese (Debian's `fonts-noto-cjk`; CI installs it) and DejaVu / Liberation
for Latin text. `missing_system_libraries()` says why WeasyPrint cannot run here, if it cannot
(its Pango / HarfBuzz libraries are absent), so tests and the CLI can report it plainly.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from arrears.adapters.render import TEMPLATE_DIR
from arrears.domain.errors import InvalidInput

if TYPE_CHECKING:
    from pathlib import Path


@cache
def missing_system_libraries() -> str | None:
    """None when WeasyPrint can lay out pages here, else the reason it cannot."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # noqa: PLC0415, F401 - probe only
    except OSError as error:  # the shared libraries (Pango, HarfBuzz) are not installed
        return f"WeasyPrint's system libraries are missing: {error}"
    return None


def render_pdf(html: str, *, base_dir: Path | None = None) -> bytes:
    """The PDF of one letter; `base_dir` resolves `letter.css` (the template folder)."""
    problem = missing_system_libraries()
    if problem is not None:
        raise InvalidInput(problem)
    from weasyprint import HTML  # noqa: PLC0415 - heavy import, only when a letter is made

    document = HTML(string=html, base_url=str(base_dir or TEMPLATE_DIR))
    pdf: bytes = document.write_pdf()
    return pdf


__all__ = ["missing_system_libraries", "render_pdf"]
