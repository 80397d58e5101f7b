"""Judging answers as a legal team does (stage 15): rubrics as files (``rubric``), LLM-as-judge pointwise and
pairwise with both orders (``llm_judge``), bias checks beside the scores (``bias``), reference-based checks that need
no judge (``reference``), agreement with human labels (``agreement``), a Korean CaseHOLD (``casehold``), the
summaries being judged (``candidates``) and the stage's tables (``evaluation``); parameters in ``config``.

Imports only downward (``workbench``, ``data``, ``models``), plus ``lexlab.legalmidm.qa.verify.quantities`` (the
law-QA verifier's number reader, in ``reference``): the one cross-import.
"""
