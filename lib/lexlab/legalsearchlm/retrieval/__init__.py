"""Case retrievers behind one interface (:mod:`.base`): BM25, dense, and LegalSearchLM (``lexlab.legalsearchlm.searchlm``)."""
from lexlab.legalsearchlm.retrieval.base import (RecordError, Retriever, Run, available_methods, excluded_ids,  # noqa: F401
                                                 get_class, get_retriever, read_jsonl_records, read_trec_qrels,
                                                 read_trec_run, register, trec_id, write_trec_run)
