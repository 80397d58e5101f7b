"""lexlab: Korean legal LM specialisation (LegalMidm) and generative legal case retrieval (LegalSearchLM).

Start with docs/CONTRACTS.md for how the modules fit; each stage is a notebook in notebooks/ run by
``lexlab run experiments/<stage>.yaml``.
"""

__version__ = "0.1.0"
