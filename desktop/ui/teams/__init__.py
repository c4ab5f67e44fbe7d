"""Working as a team in the window: merging coders' files, a copy for a coder, blind coding."""
