"""Working as a team: coders, blind coding, a copy of the project for one coder, and
merging coders' files back into one."""
