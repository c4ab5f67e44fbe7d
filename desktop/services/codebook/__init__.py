"""The codebook: the code tree, typed fields, anchor examples, merging codes, snapshots
for undo, frequencies, and the codebook in and out of files (CSV, REFI-QDA .qdc, HTML)."""
