"""Model naming (one ``naming.resolve_model``), model and tokenizer loading, the shared Hugging Face Trainer
wrapper, the LLM client."""
