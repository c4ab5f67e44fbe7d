"""Coding in the window: applying and removing codes, memos, and the undoable commands
behind them."""
