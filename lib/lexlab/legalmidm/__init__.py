"""The LegalMidm recipe, stages 02-07: law-QA generation, CPT/IT training, system prompt, evaluation, comparison."""
