"""Stage 12 and ``lexlab extract-clauses``: find and classify clauses (statute articles labelled by their own
titles, or a team's labelled documents), fine-tuned model beside keyword rules and a classical classifier."""
