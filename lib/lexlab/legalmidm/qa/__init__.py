"""Stage 02: (question, answer, reference) triples from statute articles, and the grounding verifier."""
