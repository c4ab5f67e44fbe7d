"""Data in and out of a project: codings, documents and texts as CSV, the codings CSV
import, and whole projects as REFI-QDA (.qdpx)."""
