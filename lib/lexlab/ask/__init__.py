"""``lexlab ask``: answer a legal question from the statutes, with verified citations, or say "not found"."""
