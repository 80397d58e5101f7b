"""Model and tokenizer loading (one ``resolve_model``), the shared Hugging Face Trainer wrapper, the LLM client."""
