"""The project's documents: importing files, listing them, their text, pages and metadata."""
