"""The codebook as a research instrument, in the window: drag-and-drop in the tree,
merge, the code inspector (definition, criteria, anchor examples), typed field values
when coding, field definitions, frequencies and templates. ``controller.CodebookUI``
wires them into the workbench; the window creates it.

Kept empty on purpose: panels.py imports the tree classes from this package."""
