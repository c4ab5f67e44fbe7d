"""The project in the window: new, open, recent files, export, backups and restore."""
