"""The open project and what keeps it safe: opening and creating the file, backups,
storage errors in words, codebook templates, and the audit trail."""
