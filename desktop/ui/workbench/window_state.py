"""What the workbench remembers between sessions (its place on the screen, splitters,
column widths, hidden side panels, word snapping, the last project and its document),
and its side panels shown or hidden from the View menu."""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.ui.workbench import sizing
from desktop.ui.workbench.host import project_key


class WindowState:
    """Mixed into the MainWindow: uses its ``settings``, splitters, panels, viewer and
    ``actions.panels`` (View > side panels)."""

    def _restore_window_state(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        screen = self.screen() or QGuiApplication.primaryScreen()
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
            # screens change (a laptop without its monitor, another scale factor)
            areas = [s.availableGeometry() for s in QGuiApplication.screens()]
            fitted = sizing.fit_on_screen(self.geometry(), areas)
            if fitted != self.geometry():
                self.setGeometry(fitted)
        elif screen is not None:
            self.setGeometry(sizing.first_geometry(screen.availableGeometry()))
        else:
            self.resize(*sizing.PREFERRED)
        for key, part in self._layout_parts():
            state = s.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                part.restoreState(state)
        self.viewer.snap_to_words = s.value("viewer/snap", True, bool)
        hidden = s.value("window/hiddenPanels", [])
        for name in [hidden] if isinstance(hidden, str) else list(hidden or []):
            if name in self.actions.panels:
                self.actions.panels[name].setChecked(False)

    def _layout_parts(self) -> list[tuple[str, object]]:
        """What the window remembers of its layout: the splitters and the column widths."""
        return [
            ("window/mainSplit", self.main_split),
            ("window/rightSplit", self.right_split),
            ("window/documentColumns", self.documents_panel.view.horizontalHeader()),
            ("window/codebookColumns", self.codebook_panel.view.header()),
            ("window/codingColumns", self.codings_panel.view.horizontalHeader()),
        ]

    def side_panels(self) -> dict[str, QWidget]:
        return {
            "documents": self.documents_panel,
            "codebook": self.codebook_panel,
            "codings": self.codings_panel,
        }

    def show_panel(self, name: str, shown: bool) -> None:
        """Show or hide one side panel (View menu); the right column goes when both of
        its panels are hidden, and the choice is remembered."""
        before = self.main_split.sizes()
        self.side_panels()[name].setVisible(shown)
        self.right_split.setVisible(
            not (self.codebook_panel.isHidden() and self.codings_panel.isHidden())
        )
        if not shown:  # the room a side panel leaves goes to the text, not the other side
            gone = [i for i in (0, 2) if self.main_split.widget(i).isHidden() and before[i]]
            if gone:
                sizes = list(before)
                for i in gone:
                    sizes[1] += sizes[i]
                    sizes[i] = 0
                self.main_split.setSizes(sizes)
        self.settings.setValue("window/hiddenPanels", self.hidden_panels())

    def hidden_panels(self) -> list[str]:
        return [name for name, panel in self.side_panels().items() if panel.isHidden()]

    def _save_project_state(self) -> None:
        if self.ctx is not None and self.document_id is not None:
            self.settings.setValue(
                f"projects/{project_key(self.project.path)}/document", self.document_id
            )

    def save_state(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        for key, part in self._layout_parts():
            s.setValue(key, part.saveState())
        s.setValue("viewer/snap", self.viewer.snap_to_words)
        s.setValue("window/hiddenPanels", self.hidden_panels())
        s.setValue("last_project", str(self.project.path))
        self._save_project_state()
        s.sync()
