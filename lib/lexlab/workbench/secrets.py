"""Credentials never reach parameters, tags, notebooks or logs.

Keys come from environment variables (``OPENAI_API_KEY``, named by a parameter such as ``api_key_env``), never as
parameters: ``check_params`` refuses a secret-looking key (``api_key``, ``hf_token``, ``db_password``...) and a URL
that carries credentials (``http://user:KEY@host``), before anything runs. ``redact`` is the second line of defence,
applied to everything the runner writes (params, tags, error messages, the executed notebook).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

# Word parts of a parameter name that mean it holds a credential ("max_new_tokens" and "tokenizer" do not).
_SECRET_PARTS = {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "credential", "credentials",
                 "authorization", "auth"}
# A parameter that *names* the environment variable holding the secret ("api_key_env") is fine.
_NAME_SUFFIXES = ("env", "var", "name")
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s\"'<>]+)@")
_QUERY_SECRET = re.compile(r"(?P<name>[?&](?:api[_-]?key|key|token|access_token|secret|password|sig)=)[^&\s\"'<>]+",
                           re.I)
MASK = "***"


class SecretParameterError(ValueError):
    """A parameter that would put a credential into MLflow and the executed notebook."""


def is_secret_key(key: str) -> bool:
    """``api_key``, ``OPENAI_API_KEY``, ``hf_token``, ``password``: yes; ``api_key_env``, ``max_new_tokens``: no."""
    parts = [p for p in re.split(r"[^a-z0-9]+", key.rsplit(".", 1)[-1].lower()) if p]
    if not parts or parts[-1] in _NAME_SUFFIXES:
        return False
    return any(p in _SECRET_PARTS for p in parts) or "apikey" in "".join(parts)


def has_url_credentials(value: Any) -> bool:
    return isinstance(value, str) and redact(value) != value


def redact(text: str) -> str:
    """``http://user:KEY@host/v1`` → ``http://***@host/v1``; ``?api_key=...`` → ``?api_key=***``."""
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m['name']}{MASK}", text)


def redact_value(value: Any) -> Any:
    """``redact`` through strings, lists and dicts (values only)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    return value


def check_params(params: Mapping[str, Any], where: str) -> None:
    """Refuse credentials given as parameters; the message says where to put them instead."""
    for key, value in params.items():
        if is_secret_key(str(key)):
            raise SecretParameterError(
                f"{where}: parameter {key!r} looks like a credential; secrets are never parameters (they would be "
                "logged to MLflow and saved in the executed notebook). Put it in an environment variable, e.g. "
                "OPENAI_API_KEY (stage parameter api_key_env names the variable)")
        if has_url_credentials(value):
            raise SecretParameterError(
                f"{where}: parameter {key!r} has credentials in a URL ({redact(str(value))}); give the URL without "
                "them and the key in an environment variable (OPENAI_API_KEY, or OPENAI_BASE_URL for the whole URL)")
        if isinstance(value, (list, dict)) and redact_value(value) != value:
            raise SecretParameterError(f"{where}: parameter {key!r} has credentials in a URL; use an "
                                       "environment variable instead")


def scrub_file(path: str | Path) -> bool:
    """Redact credentials in a text file (an executed notebook) in place; True when something was redacted."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    clean = redact(text)
    if clean != text:
        path.write_text(clean, encoding="utf-8")
    return clean != text
