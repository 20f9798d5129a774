"""What a doctor run found: one `Check` per step, one `ProviderReport` per provider."""

from __future__ import annotations

from dataclasses import dataclass, field

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
STEPS = ("config", "connect", "ready", "auth", "model", "chat")
_RANK = {SKIP: 0, OK: 1, WARN: 2, FAIL: 3}


@dataclass
class Check:
    name: str  # one of STEPS, or an extra check: context, tools, schema
    status: str  # ok | warn | fail | skip
    latency_ms: float | None = None
    detail: str = ""
    hint: str = ""
    exit_code: int = 0  # the revka exit code that describes a failure (0 unless status is fail)

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "latency_ms": _ms(self.latency_ms),
                "detail": self.detail, "hint": self.hint}


@dataclass
class ProviderReport:
    provider: str
    url: str | None = None  # always redacted; None when the config gave none usable
    model: str | None = None  # the model this provider should serve, when one is configured
    model_count: int | None = None
    latency_ms: float | None = None
    checks: list[Check] = field(default_factory=list)
    allow_fail: bool = False
    figures: dict = field(default_factory=dict)  # --chat: ttft_ms, tokens_per_s, usage, finish
    refreshed: object = field(default=None, repr=False)  # the catalog's result, for the cache

    @property
    def status(self) -> str:
        ranked = [c.status for c in self.checks if c.status != SKIP]
        return max(ranked, key=_RANK.__getitem__) if ranked else SKIP

    @property
    def exit_code(self) -> int:
        failed = self.first(FAIL)
        return failed.exit_code if failed else 0

    def first(self, status: str) -> Check | None:
        return next((c for c in self.checks if c.status == status), None)

    @property
    def headline(self) -> Check | None:
        """The check that explains the provider's status: its first failure, else first warning."""
        return self.first(FAIL) or self.first(WARN)

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict:
        return {"provider": self.provider, "url": self.url, "status": self.status,
                "model": self.model, "model_count": self.model_count,
                "latency_ms": _ms(self.latency_ms), "exit_code": self.exit_code,
                "allow_fail": self.allow_fail, "figures": self.figures,
                "checks": [c.to_dict() for c in self.checks]}


@dataclass
class DoctorReport:
    providers: list[ProviderReport]
    timestamp: str  # UTC ISO 8601
    elapsed_ms: float
    strict: bool = False
    wait: float = 0.0  # --wait seconds (0: none)
    polls: int = 1  # probe rounds under --wait

    def failing(self, report: ProviderReport) -> bool:
        """Whether this provider makes the run fail (an allowed failure never does). A provider
        with nothing but skipped checks proved nothing: that fails too."""
        bad = (FAIL, WARN, SKIP) if self.strict else (FAIL, SKIP)
        return report.status in bad and not report.allow_fail

    @property
    def ok(self) -> bool:
        return not any(self.failing(p) for p in self.providers)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        counts = {OK: 0, WARN: 0, FAIL: 0, SKIP: 0}
        for report in self.providers:
            counts[report.status] += 1
        return counts

    def summary(self) -> str:
        counts = self.counts()
        n = len(self.providers)
        parts = [f"{counts[s]} {s}" for s in (OK, WARN, FAIL) if counts[s] or s == OK]
        allowed = sum(1 for p in self.providers if p.allow_fail and p.status == FAIL)
        extra = f" ({allowed} allowed to fail)" if allowed else ""
        verdict = "passed" if self.ok else "FAILED"
        strict = " --strict" if self.strict else ""
        return (f"doctor{strict} {verdict}: {n} provider{'s' * (n != 1)}, {', '.join(parts)}"
                f"{extra} in {self.elapsed_ms / 1000:.2f} s")


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
