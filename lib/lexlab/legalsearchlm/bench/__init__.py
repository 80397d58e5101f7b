"""Stage 08: a LEGAR-style benchmark (masked queries, standard and stricter relevance) from real criminal decisions."""
