"""The LegalSearchLM recipe, stages 08-10: the LEGAR-style benchmark, the retrievers, and generative retrieval."""
