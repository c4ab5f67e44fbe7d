"""The coding workbench: the main window, its menus, the document viewer, the find bar
and the side panels, and the context (project, coder, undo stack) they share."""
