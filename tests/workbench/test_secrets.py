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


KEY = "sk-proj-TESTKEY0123456789abcdefXYZ"


def test_an_echoed_key_is_redacted_by_value(monkeypatch, tmp_path):
    """A proxy's 401 quoting the Authorization header put the whole OPENAI_API_KEY into the error tag, the kept
    notebook and rejected.jsonl: every secret environment value is redacted wherever text is written."""
    from lexlab.workbench import failures, secrets
    from lexlab.workbench.io import write_jsonl

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    assert KEY not in secrets.redact(f"Error code: 401 - invalid credentials: Bearer {KEY}")
    assert KEY not in failures.summarize(RuntimeError(f"Bearer {KEY}"))
    nb = tmp_path / "nb.ipynb"
    nb.write_text(f'{{"outputs": ["Bearer {KEY}"]}}', encoding="utf-8")
    assert secrets.scrub_file(nb) and KEY not in nb.read_text(encoding="utf-8")
    write_jsonl([{"verdict": {"reason": "llm_error", "detail": f"401 Bearer {KEY}"}}], tmp_path / "rejected.jsonl")
    assert KEY not in (tmp_path / "rejected.jsonl").read_text(encoding="utf-8")
    assert str(tmp_path) in secrets.redact(str(tmp_path))  # the working directory ($PWD) is no secret


def test_the_llm_error_of_an_echoing_endpoint_has_no_key(monkeypatch, tmp_path):
    from fake_llm import FakeChatServer
    from lexlab.models.llm_client import LLMClient, LLMError

    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeChatServer(lambda body: (401, ""), echo_auth=True) as server:
        client = LLMClient(base_url=server.base_url, model="m", cache_dir=tmp_path, max_retries=0)
        with pytest.raises(LLMError) as err:
            client.complete_text([{"role": "user", "content": "q"}])
    assert "invalid credentials" in str(err.value) and KEY not in str(err.value)


@pytest.mark.parametrize("params", [{"api_key_env": KEY}, {"api_key_env": "not a variable name!"},
                                    {"model": "hf_abcdefghijklmnopqrstuvwxyz"}, {"extra": [KEY]}])
def test_key_looking_values_are_refused_as_parameters(params):
    from lexlab.workbench import secrets

    with pytest.raises(secrets.SecretParameterError, match="parameter"):
        secrets.check_params(params, "-p")


def test_the_value_of_a_secret_variable_is_refused_as_a_parameter(monkeypatch):
    from lexlab.workbench import secrets

    monkeypatch.setenv("MY_SERVICE_TOKEN", "plainlookingvalue123")
    with pytest.raises(secrets.SecretParameterError):
        secrets.check_params({"model": "plainlookingvalue123"}, "-p")
    secrets.check_params({"api_key_env": "OPENAI_API_KEY", "model": "gpt-4o-mini"}, "-p")
