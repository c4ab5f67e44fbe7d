"""Sets of codes from the codebook's right-click menu: "Add to set" lists every set
(checked: the code is in it; choosing a checked one takes it out) and New set…;
"Remove from set" lists the sets the code is in. Each change is one undoable step; the
Sets tab of Documents > Cases and sets shows every set's codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from desktop.core import wording
from desktop.services.codebook.codebook import CodeInfo
from desktop.services.documents import sets
from desktop.ui.documents import commands as dcmd

if TYPE_CHECKING:
    from desktop.ui.workbench.host import WorkbenchWindow


def set_menus(w: WorkbenchWindow, menu: QMenu, code: CodeInfo) -> list[QAction]:
    """The two submenus' entries (their menu actions) for ``code``, made under ``menu``."""
    all_sets = sets.list_sets(w.project)
    add = QMenu("Add to &set", menu)
    add.setToolTipsVisible(True)
    for x in all_sets:
        inside = code.id in x.codes
        a = add.addAction(x.name.replace("&", "&&"))
        a.setCheckable(True)
        a.setChecked(inside)
        a.setToolTip(f"{wording.count(len(x.codes), 'code')} and "
                     f"{wording.count(len(x.documents), 'document')} in this set")  # fmt: skip
        a.triggered.connect(lambda _=False, n=x.name, on=not inside: change(w, n, code.id, on))
    if add.actions():
        add.addSeparator()
    add.addAction("&New set…", lambda: new_set(w, code.id))
    remove = QMenu("Remove from se&t", menu)
    for x in all_sets:
        if code.id in x.codes:
            remove.addAction(x.name.replace("&", "&&"),
                             lambda n=x.name: change(w, n, code.id, False))  # fmt: skip
    remove.setEnabled(bool(remove.actions()))
    return [add.menuAction(), remove.menuAction()]


def change(w: WorkbenchWindow, set_name: str, code_id: int, add: bool) -> bool:
    return w.ctx.run(dcmd.ChangeSet(w.ctx, set_name, (), add=add, code_ids=[code_id]))


def new_set(w: WorkbenchWindow, code_id: int) -> bool:
    name = w.prompts.ask_text("New set", "Name of the new set:")
    if not name or not name.strip():
        return False
    return w.ctx.run(dcmd.ChangeSet(w.ctx, name.strip(), (), create=True, code_ids=[code_id]))
