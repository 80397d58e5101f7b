"""The project's one chat client for OpenAI-compatible endpoints, returning JSON objects.

Every LLM-backed stage (law-QA generation, legal-factor annotation, legal-element extraction) goes through
``LLMClient.complete_json`` (or ``complete_text`` for free-text answers: evaluating an API-served model) so that
these properties hold everywhere:

* the API key is read from an environment variable inside the client and is never stored on the object, in the
  cache or in anything we hand to MLflow (``LLMClient.params()`` is the loggable view);
* a request that succeeded once is answered from disk forever after: the cache key hashes everything that
  determines the answer (endpoint, model, messages, sampling parameters), so re-running a notebook costs nothing
  and changing the prompt or the model naturally misses the cache;
* at most ``max_concurrency`` requests are in flight at once, and every request's tokens and latency are
  counted (``usage``, with a cost estimate when ``price_per_mtok`` is given) for the caller to log;
* transport failures are retried by the openai client (exponential backoff on 408/409/429/5xx), and answers that
  are not a JSON object of the expected shape are retried by us, with our own backoff.

Cache writes go to a temporary file that is then renamed over the final name: ``os.replace`` is atomic on POSIX,
so concurrent threads or processes can share one cache directory and a reader never sees half a file.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from lexlab.workbench import paths, secrets

DEFAULT_BASE_URL = "https://api.openai.com/v1"
CACHE_VERSION = 1

Messages = Sequence[Mapping[str, str]]
SchemaHint = Mapping[str, type | tuple[type, ...]]


class LLMError(RuntimeError):
    """The endpoint could not give a usable answer (after all retries)."""


class LLMConfigError(LLMError):
    """The client is mis-configured (e.g. the key's environment variable is unset)."""


class LLMOutputError(LLMError):
    """The endpoint answered, but not with a JSON object of the expected shape."""


def _public_url(url: str) -> str:
    """Drop user:password@ from a URL so credentials embedded in it never reach the cache or MLflow."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path.rstrip("/"), parts.query, parts.fragment))


def parse_json_object(text: str) -> dict:
    """Parse a model's answer as one JSON object.

    Some OpenAI-compatible servers ignore ``response_format`` and wrap the object in a ```json fence or add a
    sentence around it; we accept the outermost ``{...}`` in that case rather than failing the whole request.
    """
    if text is None:
        raise LLMOutputError("empty answer (no content)")
    stripped = text.strip()
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError:
        start, end = stripped.find("{"), stripped.rfind("}")
        if start < 0 or end <= start:
            raise LLMOutputError(f"answer is not JSON: {stripped[:200]!r}") from None
        try:
            value = json.loads(stripped[start : end + 1])
        except json.JSONDecodeError as exc:
            raise LLMOutputError(f"answer is not JSON ({exc.msg}): {stripped[:200]!r}") from None
    if not isinstance(value, dict):
        raise LLMOutputError(f"answer is JSON but not an object: {type(value).__name__}")
    return value


def validate_schema(obj: Mapping[str, Any], schema_hint: SchemaHint | None) -> None:
    """Check that every hinted key is present with the hinted type (extra keys are fine)."""
    if not schema_hint:
        return
    for key, typ in schema_hint.items():
        if key not in obj:
            raise LLMOutputError(f"answer lacks field {key!r} (got {sorted(obj)})")
        if not isinstance(obj[key], typ):
            raise LLMOutputError(
                f"field {key!r} should be {getattr(typ, '__name__', typ)}, got {type(obj[key]).__name__}"
            )


def _mentions_json(messages: Messages) -> bool:
    return any("json" in str(m.get("content", "")).lower() for m in messages)


class LLMClient:
    """A cached, retrying JSON-object chat client for one (endpoint, model) pair.

    ``params`` are extra Chat Completions arguments (``max_tokens``, ``top_p``...) that become part of the cache key.
    ``json_mode=False`` leaves out ``response_format`` for servers that reject it; the answer is then parsed
    leniently (a fenced or embedded object is accepted) and validated the same way.
    """

    def __init__(
        self,
        base_url: str | None = None,
        model: str = "gpt-4o-mini",
        api_key_env: str = "OPENAI_API_KEY",
        cache_dir: str | os.PathLike | None = None,
        temperature: float = 0.0,
        max_retries: int = 3,
        json_retries: int = 2,
        backoff_s: float = 1.0,
        timeout_s: float = 120.0,
        params: Mapping[str, Any] | None = None,
        use_cache: bool = True,
        json_mode: bool = True,
        max_concurrency: int = 8,
        price_per_mtok: tuple[float, float] = (0.0, 0.0),
    ) -> None:
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.model = model
        self.api_key_env = api_key_env
        self.cache_dir = Path(cache_dir) if cache_dir is not None else paths.work_dir("cache", "llm")
        self.temperature = temperature
        self.max_retries = max_retries
        self.json_retries = json_retries
        self.backoff_s = backoff_s
        self.timeout_s = timeout_s
        self.extra_params = dict(params or {})
        self.use_cache = use_cache
        self.json_mode = json_mode
        self._client = None  # built lazily: a fully cached re-run needs neither the key nor the network
        self._lock = threading.Lock()
        self._stats = {"calls": 0, "requests": 0, "cache_hits": 0, "invalid_answers": 0, "failures": 0}
        # requests in flight at once, whatever the callers' thread pools (a provider's rate limit is per key)
        self.max_concurrency = max(1, int(max_concurrency))
        self._slots = threading.BoundedSemaphore(self.max_concurrency)
        # (input, output) USD per million tokens; (0, 0) → cost is not estimated (a local server costs nothing)
        self.price_per_mtok = (float(price_per_mtok[0]), float(price_per_mtok[1]))
        self._usage = {"prompt_tokens": 0, "completion_tokens": 0, "latency_s": 0.0}

    # -- public ------------------------------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """What is safe to log: everything that shapes the answers, nothing that authenticates."""
        return {
            "llm_base_url": _public_url(self.base_url),
            "llm_model": self.model,
            "llm_temperature": self.temperature,
            "llm_max_retries": self.max_retries,
            "llm_json_retries": self.json_retries,
            "llm_json_mode": self.json_mode,
            "llm_max_concurrency": self.max_concurrency,
            **{f"llm_{k}": v for k, v in sorted(self.extra_params.items())},
        }

    @property
    def stats(self) -> dict[str, int]:
        """calls: complete_json calls; requests: HTTP calls we issued (the openai client's own transport
        retries are inside one request); cache_hits; invalid_answers: answers we rejected and re-asked;
        failures: calls that raised."""
        with self._lock:
            return dict(self._stats)

    @property
    def usage(self) -> dict[str, float]:
        """Tokens the endpoint reported, wall time spent in requests (summed over threads) and the estimated cost
        (``price_per_mtok``) of the requests issued; cached answers cost nothing and add nothing."""
        with self._lock:
            u = dict(self._usage)
        u["cost_usd"] = (u["prompt_tokens"] * self.price_per_mtok[0] + u["completion_tokens"] * self.price_per_mtok[1]) / 1e6
        u["mean_latency_s"] = u["latency_s"] / self._stats["requests"] if self._stats["requests"] else 0.0
        return u

    def cache_key(self, messages: Messages, kind: str = "json") -> str:
        payload = {
            "v": CACHE_VERSION,
            "base_url": _public_url(self.base_url),
            "model": self.model,
            "messages": [dict(m) for m in messages],
            "params": self._request_params(json_mode=self.json_mode and kind == "json"),
        }
        if kind != "json":  # JSON keys stay as they were, so existing caches keep answering
            payload["kind"] = kind
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def complete_json(
        self,
        messages: Messages,
        schema_hint: SchemaHint | None = None,
        validate: Callable[[dict], None] | None = None,
    ) -> dict:
        """Ask for one JSON object; answer from the cache when this exact request was answered before.

        ``schema_hint`` maps required keys to types; ``validate`` may raise ``ValueError`` for other defects.
        Either failing counts as an invalid answer and is re-asked up to ``json_retries`` times.
        """
        messages = self._with_json_instruction(messages)
        self._bump("calls")
        key = self.cache_key(messages)
        cached = self._cache_read(key) if self.use_cache else None
        if cached is not None:
            try:
                validate_schema(cached, schema_hint)
                if validate:
                    validate(cached)
                self._bump("cache_hits")
                return cached
            except (LLMOutputError, ValueError):
                pass  # the caller's expectations changed since it was cached: ask again
        last_error: Exception | None = None
        for attempt in range(self.json_retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))
            content = self._request(messages)
            try:
                obj = parse_json_object(content)
                validate_schema(obj, schema_hint)
                if validate:
                    validate(obj)
            except (LLMOutputError, ValueError) as exc:
                self._bump("invalid_answers")
                last_error = exc
                continue
            if self.use_cache:
                self._cache_write(key, messages, content, obj)
            return obj
        self._bump("failures")
        raise LLMOutputError(
            f"{self.model} at {_public_url(self.base_url)} gave no valid JSON object after "
            f"{self.json_retries + 1} attempts: {last_error}"
        )

    def complete_text(self, messages: Messages) -> str:
        """Ask for a plain-text answer (no JSON mode), cached like ``complete_json``; an empty answer is returned
        as "" (the caller scores it), only transport failures raise."""
        msgs = [dict(m) for m in messages]
        self._bump("calls")
        key = self.cache_key(msgs, kind="text")
        cached = self._cache_read(key) if self.use_cache else None
        if cached is not None and isinstance(cached.get("text"), str):
            self._bump("cache_hits")
            return cached["text"]
        content = self._request(msgs, json_mode=False)
        if self.use_cache:
            self._cache_write(key, msgs, content, {"text": content}, json_mode=False)
        return content

    def map_text(self, batch: Iterable[Messages], workers: int | None = None, progress: bool = True,
                 desc: str = "llm") -> list[str | Exception]:
        """``complete_text`` over many requests on a thread pool (``max_concurrency`` threads unless told),
        in input order; a failed request yields its exception in place of the text."""
        return self._map(lambda msgs: self.complete_text(msgs), batch, workers or self.max_concurrency,
                         progress, desc)

    def _map(self, one: Callable[[Messages], Any], batch: Iterable[Messages], workers: int, progress: bool,
             desc: str) -> list:
        from lexlab.workbench.progress import step_bar as tqdm

        def guarded(msgs: Messages):
            try:
                return one(msgs)
            except LLMConfigError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported per item to the caller
                return exc

        batch = list(batch)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            return list(tqdm(pool.map(guarded, batch), total=len(batch), desc=desc, disable=not progress))

    def map_json(
        self,
        batch: Iterable[Messages],
        schema_hint: SchemaHint | None = None,
        validate: Callable[[dict], None] | None = None,
        workers: int = 4,
        progress: bool = True,
        desc: str = "llm",
    ) -> list[dict | Exception]:
        """``complete_json`` over many requests with a thread pool, in input order.

        A failed request yields its exception in place of a dict, so one bad answer does not cost the batch;
        the caller decides whether to skip-and-report or raise.
        """
        return self._map(lambda msgs: self.complete_json(msgs, schema_hint=schema_hint, validate=validate),
                         batch, workers, progress, desc)

    def __repr__(self) -> str:
        return f"LLMClient(base_url={_public_url(self.base_url)!r}, model={self.model!r}, key_env={self.api_key_env!r})"

    # -- internals ---------------------------------------------------------------------------------------------
    def _bump(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._stats[name] += n

    def _request_params(self, json_mode: bool | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"temperature": self.temperature}
        if self.json_mode if json_mode is None else json_mode:
            params["response_format"] = {"type": "json_object"}
        return {**params, **self.extra_params}

    @staticmethod
    def _with_json_instruction(messages: Messages) -> list[dict]:
        # OpenAI rejects response_format=json_object unless the word "JSON" appears in the messages.
        msgs = [dict(m) for m in messages]
        if not _mentions_json(msgs):
            msgs.insert(0, {"role": "system", "content": "Respond with a single JSON object."})
        return msgs

    def _openai(self):
        with self._lock:
            if self._client is None:
                key = os.environ.get(self.api_key_env)
                if not key:
                    raise LLMConfigError(
                        f"environment variable {self.api_key_env} is not set; export the API key there "
                        "(any non-empty string for a local server that ignores keys)"
                    )
                from openai import OpenAI

                self._client = OpenAI(
                    base_url=self.base_url, api_key=key, max_retries=self.max_retries, timeout=self.timeout_s
                )
            return self._client

    def _request(self, messages: list[dict], json_mode: bool | None = None) -> str:
        client = self._openai()
        self._bump("requests")
        started = time.perf_counter()
        try:
            with self._slots:
                resp = client.chat.completions.create(model=self.model, messages=messages,
                                                      **self._request_params(json_mode))
        except Exception as exc:  # noqa: BLE001 - the openai client already retried what is retryable
            self._bump("failures")
            # redacted here, at the source: a proxy's 401 may echo the Authorization header (the key)
            raise LLMError(secrets.redact(f"request to {_public_url(self.base_url)} ({self.model}) failed: {exc}")
                           ) from None
        self._record_usage(resp, time.perf_counter() - started)
        if not resp.choices:
            return ""
        return resp.choices[0].message.content or ""

    def _record_usage(self, resp, seconds: float) -> None:
        usage = getattr(resp, "usage", None)
        with self._lock:
            self._usage["latency_s"] += seconds
            self._usage["prompt_tokens"] += int(getattr(usage, "prompt_tokens", 0) or 0)
            self._usage["completion_tokens"] += int(getattr(usage, "completion_tokens", 0) or 0)

    def _cache_path(self, key: str) -> Path:
        return self.cache_dir / key[:2] / f"{key}.json"

    def _cache_read(self, key: str) -> dict | None:
        path = self._cache_path(key)
        try:
            with open(path, encoding="utf-8") as fh:
                record = json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError):
            return None  # unreadable entry: treat as a miss and overwrite it
        result = record.get("result")
        return result if isinstance(result, dict) else None

    def _cache_write(self, key: str, messages: list[dict], content: str, obj: dict,
                     json_mode: bool | None = None) -> None:
        path = self._cache_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "v": CACHE_VERSION,
            "key": key,
            "base_url": _public_url(self.base_url),
            "model": self.model,
            "params": self._request_params(json_mode),
            "messages": messages,
            "content": content,
            "result": obj,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
