"""Cited outcome prediction over court decisions (RAG over case law): the litigation-outcome assistant.

A held-out decision becomes a question without its answer (`questions`), precedents decided before it are
retrieved through the case-retrieval registry (`retrieve`; BM25 by default, a LanceDB vector store behind the
dense retriever in `vectorstore`), a generator predicts the outcome from them (`predict`: the majority class, a
score-weighted vote, any ``openai:`` model) and cites passages checked verbatim against the cited decisions
(`citations`); `evaluation` scores it (stage 13), `triplets` writes fine-tuning data, `cli` is
``lexlab ask --over cases``.
"""
