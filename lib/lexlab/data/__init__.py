"""Stage 01, shared by both papers: typed records and parsers for the legal sources, the versioned snapshot, splits."""
