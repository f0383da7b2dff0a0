"""One typed Settings object (environment prefix TREATY_), built once at the edge.

Nothing here reads the environment at import time: call `Settings()` (or `load_settings`)
where the program starts. Every field has a default and a description.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]
GENERATORS = ("extractive", "openai", "local")


class Settings(BaseSettings):
    """All knobs of Treaty Assistant. Override any field with TREATY_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="TREATY_", extra="ignore", frozen=True)

    corpus_dirs: list[Path] = Field(
        default_factory=lambda: [ROOT / "data" / "corpus"],
        description="Folders ingested by `treaty ingest` (JSON list in the environment); --corpus adds more.",
    )
    index_dir: Path = Field(ROOT / "data" / "index", description="Where the embedded Chroma index lives.")
    chroma_url: str = Field("", description="Chroma server URL (server mode), e.g. http://127.0.0.1:8000; empty = embedded.")
    primary_doc: str = Field(
        "un-convention-against-cybercrime",
        description="Document preferred when a question names no other document.",
    )
    tuning_file: Path = Field(
        ROOT / "data" / "tuning.json",
        description="Weights and thresholds written by `treaty tune` (a missing file means the built-in defaults).",
    )
    embedder: Literal["mpnet", "minilm"] = Field(
        "mpnet",
        description="Embedding model: mpnet (all-mpnet-base-v2, better on plain-language questions) or minilm "
        "(all-MiniLM-L6-v2, ~6x faster to ingest). Changing it needs `treaty ingest` (and `treaty tune`).",
    )
    multilingual: bool = Field(
        True,
        description="Also index every chunk with the multilingual USE v3 embedder (a second collection, ~6 s for the "
        "bundled corpus) and rank with it, so questions in the six UN languages find the English text. "
        "Changing it needs `treaty ingest` (and `treaty tune`).",
    )
    k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    generator: Literal["extractive", "openai", "local"] = Field(
        "extractive", description="Answer generator: extractive (default, no LLM), openai, local."
    )
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("default", description="Model name sent to the OpenAI-compatible endpoint.")
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for the endpoint (never logged).")
    llm_timeout: float = Field(120.0, description="Seconds to wait for the LLM endpoint.")
    llm_max_tokens: int = Field(300, description="Upper bound on generated tokens.")
    llm_fallback: bool = Field(
        True,
        description="With openai or local: when verification removes every sentence the model wrote (and the model "
        "did not say the documents do not answer), show the extractive answer instead of declining "
        "(`fallback` in the answer says so).",
    )
    local_model_dir: Path = Field(
        Path.home() / ".cache" / "treaty-assistant",
        description="Where the packaged local GGUF model is assembled.",
    )
    local_model_path: Path | None = Field(
        None, description="A GGUF file for the local generator; default: the packaged Qwen2.5-Coder-1.5B parts."
    )
    max_question_chars: int = Field(2000, description="Longest accepted question.")
    host: str = Field("127.0.0.1", description="Address `treaty serve` binds to.")
    port: int = Field(7860, description="Port `treaty serve` listens on.")
    allowed_origins: str = Field("", description="Comma-separated origins allowed to call the API / embed the widget.")
    rate_limit: str = Field("30/minute", description="Per-client rate limit of the API, e.g. 30/minute.")
    metrics: bool = Field(False, description="Serve Prometheus metrics at /metrics (TREATY_METRICS=1).")
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as text, or one JSON object per line with a request id (json)."
    )
    trusted_proxies: str = Field(
        "", description="Comma-separated proxy addresses/networks whose X-Forwarded-For is believed; empty = none."
    )
    origin_rate_limit: str = Field("120/minute", description="Questions per minute from all visitors of one widget origin.")
    request_rate_limit: str = Field("1200/minute", description="Requests of any kind per client (a page load is ~60).")
    feedback_db: Path | None = Field(
        None, description="SQLite file of answer ratings; default: feedback.sqlite beside the index folder."
    )

    @property
    def feedback_path(self) -> Path:
        return self.feedback_db or self.index_dir.parent / "feedback.sqlite"

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]


def load_settings(**overrides) -> Settings:
    """Settings from the environment, with explicit overrides (from CLI flags) on top.

    A bad value is a `TreatyError` naming the variable (the value is shown, unless secret)."""
    from pydantic import ValidationError

    from .errors import TreatyError

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            field = Settings.model_fields.get(name)
            secret = field is not None and field.annotation is SecretStr
            shown = "" if secret or "input" not in err else f"={err['input']!r}"
            problems.append(f"TREATY_{name.upper()}{shown}: {err['msg']}")
        raise TreatyError(f"Invalid setting {'; '.join(problems)}: fix it or unset it") from None
