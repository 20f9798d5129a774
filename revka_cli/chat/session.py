"""One conversation with a provider chain: selection, images, the context check, and each turn.

The one-shot chat and the REPL both hold a `ChatSession`; a REPL turn is one more `send`.
"""

from __future__ import annotations

from collections.abc import Sequence

from revka_cli.chat.turn import ModelFacts, NoFacts, TurnSpec, Warn
from revka_cli.config import Config
from revka_cli.errors import UsageError
from revka_cli.providers.request import ChatRequest, Message


CUT_OFF_HINT = ("the answer was cut off by the token limit (finish_reason: length); raise "
                "--max-tokens")


def _ignore(message: str) -> None:
    return None


class ChatSession:
    """Config, selection, tools and the caller's request, shared by every turn of a chat."""

    def __init__(self, cfg: Config, spec: TurnSpec, *, facts: ModelFacts | None = None,
                 warn: Warn = _ignore) -> None:
        from revka_cli.providers.selection import select

        self.cfg, self.spec, self.warn = cfg, spec, warn
        self.facts = facts or NoFacts()
        self.selection = select(cfg, provider_flag=spec.provider, model_flag=spec.model,
                                catalogs=self.facts.names())
        self._note_unlisted_model()
        self.endpoints: dict = {}  # resolved once per provider: every turn (batch item) reuses it
        self.tools: tuple[dict, ...] = ()
        if spec.tools_file:
            from revka_cli.providers.request import load_tools

            self.tools = load_tools(spec.tools_file)

    def use_model(self, name: str) -> None:
        """Switch the model (and its provider, for a qualified name) for the next turns."""
        from revka_cli.providers.selection import select

        self.selection = select(self.cfg, model_flag=name, catalogs=self.facts.names())
        self._note_unlisted_model()

    def _note_unlisted_model(self) -> None:
        """A model the provider's cached list lacks is sent anyway (servers have aliases, and
        llama-server ignores the name), with a warning so that a typo does not go unseen."""
        from revka_cli import specs
        from revka_cli.providers import protocols

        provider, model = self.selection.provider, self.selection.model
        names = self.facts.names().get(provider)
        if not names or not model or provider == specs.DECLARED_CUSTOM:
            return
        if not protocols.for_provider(provider).serves(model, list(names)):
            count = f"{len(names)} model{'s' * (len(names) != 1)}"
            self.warn(f"'{model}' is not in {provider}'s cached model list ({count}); sending it "
                      "anyway (revka models list shows them; models refresh updates the list)")

    def set_system(self, text: str | None) -> None:
        self.spec = self.spec.replace(system=text or None)

    def load_images(self, refs: Sequence[str]) -> list:
        """Images from paths, data URLs or (when allowed) http URLs, within [multimodal] limits."""
        from revka_cli.providers.images import limit_images, load_image

        mm = self.cfg.multimodal
        images = [load_image(r, max_bytes=int(mm.max_image_size_mb * 1_000_000),
                             allow_remote=mm.allow_remote_fetch, fetch=_fetch_image) for r in refs]
        kept, dropped = limit_images(images, mm.max_images)
        if dropped:
            self.warn(f"dropped the {dropped} oldest image(s): max_images is {mm.max_images}")
        return kept

    def user_message(self, text: str, image_refs: Sequence[str] = ()) -> Message:
        """A user turn: `[IMAGE:…]` markers in the text and `image_refs` become its images."""
        from revka_cli.providers.images import extract_markers

        clean, refs = extract_markers(text)
        return Message("user", clean, tuple(self.load_images([*refs, *image_refs])))

    def window(self) -> int | None:
        """The selected model's context window (declared first, then the catalog cache)."""
        return self.facts.window(self.selection.provider, self.selection.model)

    def reserve(self) -> int:
        """Tokens kept free for the answer."""
        return self.spec.max_tokens or self.cfg.provider_max_tokens or 0

    def check_context(self, messages: Sequence[Message]) -> None:
        """Refuse, before sending, only a prompt that surely cannot fit the window (exit 2)."""
        window = self.window()
        if not window:
            return
        from revka_cli.providers.gateway_errors import CONTEXT_HINT, fewest_tokens

        chars = sum(len(m.content) for m in messages) + len(self.spec.system or "")
        floor = fewest_tokens(chars)
        if floor + self.reserve() > window:  # the server judges everything that might fit
            raise UsageError(f"prompt is at least {floor} tokens; {self.selection.model} has a "
                             f"{window}-token window", CONTEXT_HINT)

    def request_for(self, messages: Sequence[Message]):
        """model -> ChatRequest, for each attempt of the chain."""
        cfg, spec = self.cfg, self.spec
        rt = cfg.runtime

        def build(model: str) -> ChatRequest:
            return ChatRequest(model=model, messages=tuple(messages), system=spec.system,
                               temperature=spec.temperature if spec.temperature is not None
                               else cfg.default_temperature,
                               max_tokens=spec.max_tokens or cfg.provider_max_tokens,
                               stream=spec.stream, tools=self.tools,
                               reasoning_enabled=rt.reasoning_enabled,
                               reasoning_effort=rt.reasoning_effort,
                               response_schema=spec.schema, json_object=spec.json_object,
                               options=spec.options, **spec.request)
        return build

    def set_schema(self, schema: dict | None) -> None:
        """Ask for answers that match `schema` (None: plain text again) in the next turns."""
        self.spec = self.spec.replace(schema=schema, json_object=False)

    def set_option(self, key: str, value: object) -> None:
        """Set one -o option for the next turns (None drops it, and any config default)."""
        self.spec = self.spec.replace(options={**self.spec.options, key: value})

    @property
    def structured(self) -> bool:
        return self.spec.schema is not None or self.spec.json_object

    def send(self, messages: Sequence[Message], sink, *, client=None):
        """One turn across the attempt chain: a ChatOutcome, or a RevkaError with what was kept.
        A caller running many turns passes its own HttpClient (one pool); else one is made."""
        from revka_cli.chat.attempts import Budget, run_chat

        budget = Budget(self.cfg, self.selection.provider, self.spec.timeout)
        build = self.request_for(messages)
        if client is not None:
            outcome = run_chat(self.cfg, self.selection, build, client, sink, budget=budget,
                               flag_key=self.spec.api_key, on_warning=self.warn,
                               endpoints=self.endpoints)
        else:
            with self.new_client() as own:
                outcome = run_chat(self.cfg, self.selection, build, own, sink, budget=budget,
                                   flag_key=self.spec.api_key, on_warning=self.warn,
                                   endpoints=self.endpoints)
        return self._checked(outcome, build) if self.structured else outcome

    def _checked(self, outcome, build):
        """A structured answer parsed and validated into `outcome.parsed`, or AnswerMismatch
        carrying the raw answer (as `partial`), the timing and the attempts."""
        from revka_cli.chat.structured import check_answer
        from revka_cli.errors import AnswerMismatch

        outcome.result = outcome.endpoint.wire.structured_result(outcome.result,
                                                                 build(outcome.model))
        try:
            outcome.parsed = check_answer(outcome.result.text, self.spec.schema)
        except AnswerMismatch as exc:
            if outcome.result.finish_reason == "length":
                exc.hint = CUT_OFF_HINT
            exc.partial, exc.timing, exc.attempts = outcome.result, outcome.timing, outcome.attempts
            exc.output_started = True
            raise
        return outcome

    def new_client(self, *, keepalive: int | None = None):
        """An HttpClient with the config's retry policy; retries are reported through `warn`.
        `keepalive`: connections kept for reuse, for a caller running that many turns at once."""
        from revka_cli.transport.http import HttpClient
        from revka_cli.transport.policy import RetryPolicy

        rel = self.cfg.reliability
        retry = RetryPolicy(rel.provider_retries, rel.provider_backoff_ms)
        return HttpClient(None, retry, on_retry=lambda a: self.warn(
            f"{a.error}; retrying in {a.retry_in:.1f}s"), keepalive=keepalive)


def _fetch_image(url: str, max_bytes: int) -> bytes:
    from revka_cli.transport.answers import check_status, read_body
    from revka_cli.transport.http import HttpClient

    with HttpClient() as client:
        stream = client.open_stream("GET", url, {"Accept": "image/*"})
        check_status(stream)
        return read_body(stream, limit=max_bytes + 1)
