"""Case retrievers behind one interface (:mod:`.base`): BM25, dense, and LegalSearchLM (``lexlab.legalsearchlm.searchlm``)."""
from lexlab.legalsearchlm.retrieval.base import (Retriever, available_methods, build_index,  # noqa: F401
                                                 excluded_ids, get_class, get_retriever, load_or_index,
                                                 read_records, register, saved_index)
