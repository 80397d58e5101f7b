"""Sensitive-document review with a human in the loop, on the courts' 비실명화 task (masking personal data
before a decision is published): a review set with inserted personal data and hard negatives (``dataset``), a
recall-first triage (``triage``), a span-level precision model and its seed ensemble (``spans``, ``ensemble``),
routing by uncertainty (``routing``), and the review app with its append-only audit log (``store``, ``app``)."""
