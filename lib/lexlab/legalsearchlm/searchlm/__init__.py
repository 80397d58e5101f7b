"""LegalSearchLM itself: FM-index, constrained decoding, legal elements, self-supervised training, SEAL-style scoring."""
