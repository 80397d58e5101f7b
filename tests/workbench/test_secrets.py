"""Credentials: refused as parameters, redacted wherever a parameter or an error is written."""
from __future__ import annotations

import pytest

from lexlab.workbench import tracking


@pytest.mark.parametrize("key, secret", [
    ("api_key", True), ("OPENAI_API_KEY", True), ("hf_token", True), ("db_password", True), ("client_secret", True),
    ("apikey", True), ("llm.api_key", True),
    ("api_key_env", False), ("max_new_tokens", False), ("tokenizer_vocab_size", False), ("max_input_tokens", False),
    ("rouge_tokenizers", False), ("base_url", False), ("keys", False),
])
def test_secret_looking_keys(key, secret):
    from lexlab.workbench import secrets

    assert secrets.is_secret_key(key) is secret


def test_params_keep_token_counts_and_drop_credentials():
    """``max_new_tokens`` used to be dropped from MLflow params as if it were a token."""
    params = tracking.clean_params({"max_new_tokens": 48, "api_key": "sk-1", "base_url": "http://u:KEY@h:8000/v1",
                                    "url": "https://h/v1?api_key=KEY&x=1"})
    assert params == {"max_new_tokens": "48", "base_url": "http://***@h:8000/v1", "url": "https://h/v1?api_key=***&x=1"}


def test_check_params_refuses_url_credentials_in_nested_values():
    from lexlab.workbench import secrets

    with pytest.raises(secrets.SecretParameterError, match="'models' has credentials"):
        secrets.check_params({"models": [{"path": "https://user:pw@host/m"}]}, "-p")
    secrets.check_params({"base_url": "http://127.0.0.1:8000/v1", "api_key_env": "MY_KEY"}, "-p")


def test_scrub_file_redacts_a_saved_notebook(tmp_path):
    from lexlab.workbench import secrets

    nb = tmp_path / "x.ipynb"
    nb.write_text('{"text": "connecting to http://user:KEY123@host/v1"}', encoding="utf-8")
    assert secrets.scrub_file(nb) and "KEY123" not in nb.read_text() and "http://***@host/v1" in nb.read_text()
    assert not secrets.scrub_file(nb)
