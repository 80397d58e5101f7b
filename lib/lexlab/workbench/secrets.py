"""Credentials never reach parameters, tags, notebooks or logs.

Keys come from environment variables (``OPENAI_API_KEY``, named by a parameter such as ``api_key_env``), never as
parameters: ``check_params`` refuses a secret-looking key (``api_key``, ``hf_token``, ``db_password``...) and a URL
that carries credentials (``http://user:KEY@host``), before anything runs. ``redact`` is the second line of defence,
applied to everything the runner writes (params, tags, error messages, the executed notebook).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Mapping

# Word parts of a parameter name that mean it holds a credential ("max_new_tokens" and "tokenizer" do not).
_SECRET_PARTS = {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "credential", "credentials",
                 "authorization", "auth"}
# A parameter that *names* the environment variable holding the secret ("api_key_env") is fine.
_NAME_SUFFIXES = ("env", "var", "name")
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s\"'<>]+)@")
_QUERY_SECRET = re.compile(r"(?P<name>[?&](?:api[_-]?key|key|token|access_token|secret|password|sig)=)[^&\s\"'<>]+",
                           re.I)
MASK = "***"
MIN_SECRET_CHARS = 8  # shorter environment values ("1", "dev") are not treated as secrets: they would mask noise
# Values shaped like API keys or tokens: OpenAI/Anthropic "sk-...", Hugging Face "hf_...", GitHub, Slack, AWS, a JWT.
_KEY_SHAPES = re.compile(r"^(sk-[A-Za-z0-9_-]{16,}|hf_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abpr]-[\w-]{10,}"
                         r"|AKIA[0-9A-Z]{16}|eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]+)$")
_NOT_SECRET = {"PWD", "OLDPWD"}  # "pwd" is a password word, but these hold the working directory
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")


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


def env_secrets() -> list[str]:
    """The values of the secret-named environment variables this process holds (``OPENAI_API_KEY``,
    ``HF_TOKEN``...), longest first: whatever echoes them (a proxy's 401 that quotes the ``Authorization``
    header) is redacted by value, wherever the text goes."""
    values = {v for k, v in os.environ.items() if is_secret_key(k) and k not in _NOT_SECRET
              and len(v.strip()) >= MIN_SECRET_CHARS and not v.startswith("/")}
    return sorted(values, key=len, reverse=True)


def redact(text: str) -> str:
    """``http://user:KEY@host/v1`` → ``http://***@host/v1``; ``?api_key=...`` → ``?api_key=***``; the value of
    any secret environment variable (``env_secrets``) → ``***``."""
    return redactor()(text)


def redactor() -> Callable[[str], str]:
    """``redact`` with the environment's secrets read once (for many lines: a JSONL file)."""
    values = env_secrets()

    def clean(text: str) -> str:
        for value in values:
            if value in text:
                text = text.replace(value, MASK)
        text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
        return _QUERY_SECRET.sub(lambda m: f"{m['name']}{MASK}", text)

    return clean


def looks_like_key(value: Any) -> bool:
    """A string shaped like an API key or token, or equal to the value of a secret environment variable."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(_KEY_SHAPES.match(text)) or (len(text) >= MIN_SECRET_CHARS and text in env_secrets())


def _names_secret(key: str) -> bool:
    """``api_key_env``, ``token_var``: a parameter that names the environment variable holding a secret."""
    parts = [p for p in re.split(r"[^a-z0-9]+", key.rsplit(".", 1)[-1].lower()) if p]
    return len(parts) > 1 and parts[-1] in _NAME_SUFFIXES and is_secret_key("_".join(parts[:-1]))


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
        if looks_like_key(value) or any(looks_like_key(v) for v in _leaves(value)):
            raise SecretParameterError(
                f"{where}: parameter {key!r} has a value that looks like an API key or token; secrets are never "
                "parameters. Put it in an environment variable and give that variable's name"
                + (f" (e.g. {key}=OPENAI_API_KEY)" if _names_secret(str(key)) else ""))
        if _names_secret(str(key)) and isinstance(value, str) and value and not _ENV_NAME.match(value):
            raise SecretParameterError(f"{where}: parameter {key!r} names an environment variable, and "
                                       f"{len(value)} characters of that shape are not a variable name "
                                       "(give the name, e.g. OPENAI_API_KEY, never the key)")
        if has_url_credentials(value):
            raise SecretParameterError(
                f"{where}: parameter {key!r} has credentials in a URL ({redact(str(value))}); give the URL without "
                "them and the key in an environment variable (OPENAI_API_KEY, or OPENAI_BASE_URL for the whole URL)")
        if isinstance(value, (list, dict)) and redact_value(value) != value:
            raise SecretParameterError(f"{where}: parameter {key!r} has credentials in a URL; use an "
                                       "environment variable instead")


def _leaves(value: Any) -> list[Any]:
    """The strings of a list/dict parameter (one level is enough: parameters are flat lists or mappings)."""
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, (list, tuple)) else []


def scrub_file(path: str | Path) -> bool:
    """Redact credentials in a text file (an executed notebook) in place; True when something was redacted."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    clean = redact(text)
    if clean != text:
        path.write_text(clean, encoding="utf-8")
    return clean != text
