"""Tessera's shipped files (icons, style sheet, codebook templates, sample articles), installed
as the package ``desktop.resources``; read them through ``desktop.services.resources``."""
