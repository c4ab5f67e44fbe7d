"""The codebook as a research instrument, in the window: drag-and-drop in the tree,
merge, the code inspector (definition, criteria, anchor examples), typed field values
when coding, field definitions, frequencies and templates.

Kept light on purpose: panels.py imports the tree classes from here, so nothing in this
package's ``__init__`` may import the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktop.ui.codebook.controller import CodebookUI
    from desktop.ui.workbench.main_window import MainWindow


def install(window: MainWindow) -> CodebookUI:
    """Wire the codebook features into the window; call once, before set_project."""
    from desktop.ui.codebook.controller import CodebookUI

    return CodebookUI(window)
