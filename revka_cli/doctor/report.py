"""Renderings of a doctor run that need no terminal: JSON, JUnit XML, and table rows as text.

Plain text (stdout is not a terminal) is stable: a header line, then one line per provider, the
columns PROVIDER, URL, STATUS, LATENCY, MODELS, DETAIL separated by two or more spaces and padded
to the widest cell (DETAIL, last, is not padded); then one `hint: <provider>: <text>` line per
provider that is not ok; then the summary line. No colour, no box drawing.
"""

from __future__ import annotations

from revka_cli import __version__
from revka_cli.doctor.results import FAIL, OK, SKIP, WARN, DoctorReport, ProviderReport

COLUMNS = ("PROVIDER", "URL", "STATUS", "LATENCY", "MODELS", "DETAIL")
JUNIT_SUITE = "revka doctor models"


SCHEMA_VERSION = 2  # 2: readiness, figures, wait; 1 (no field): before


def provider_json(provider: ProviderReport) -> dict:
    from revka_cli.doctor.readiness import state_of

    return {**provider.to_dict(), "readiness": state_of(provider)}


def to_json(report: DoctorReport) -> dict:
    return {"schema_version": SCHEMA_VERSION, "revka_version": __version__,
            "timestamp": report.timestamp, "ok": report.ok, "strict": report.strict,
            "elapsed_ms": round(report.elapsed_ms, 1), "wait": {"seconds": report.wait,
                                                               "polls": report.polls},
            "summary": report.counts(),
            "providers": [provider_json(p) for p in report.providers]}


def latency_text(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:.0f} ms" if ms < 10_000 else f"{ms / 1000:.1f} s"


def detail_text(provider: ProviderReport) -> str:
    """The check that explains the status; for a provider that passed, the chat figures or the
    model served; else the last check that ran."""
    check = provider.headline
    if check is None:
        ran = [c for c in provider.checks if c.status != SKIP]
        named = {c.name: c for c in ran}
        check = named.get("chat") or named.get("model") or (ran[-1] if ran else None)
    if check is None:
        return ""
    prefix = "" if check.status == OK else f"{check.name}: "
    return prefix + check.detail


def row(provider: ProviderReport) -> tuple[str, ...]:
    status = provider.status
    if provider.allow_fail and status == FAIL:
        status = "fail (allowed)"
    models = "-" if provider.model_count is None else str(provider.model_count)
    return (provider.provider, provider.url or "-", status, latency_text(provider.latency_ms),
            models, detail_text(provider))


def hint_lines(report: DoctorReport) -> list[str]:
    lines = []
    for provider in report.providers:
        check = provider.headline
        if check is not None and check.hint:
            lines.append(f"hint: {provider.provider}: {check.hint}")
    return lines


def plain_lines(report: DoctorReport) -> list[str]:
    rows = [COLUMNS] + [row(p) for p in report.providers]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS) - 1)]
    lines = []
    for cells in rows:
        padded = [cell.ljust(width) for cell, width in zip(cells, widths)]
        lines.append("  ".join(padded + [cells[-1]]).rstrip())
    return lines + hint_lines(report) + [report.summary()]


def junit_xml(report: DoctorReport) -> str:
    """JUnit XML: one testcase per provider and check; `fail` -> <failure>, `skip` -> <skipped>.
    A warning passes (its detail goes to <system-out>) unless the run is --strict. A failure of a
    provider named by --allow-fail is reported as skipped, so CI does not go red for it."""
    import xml.etree.ElementTree as ET

    cases = [(p, c) for p in report.providers for c in p.checks]
    suite = ET.Element("testsuite", name=JUNIT_SUITE, tests=str(len(cases)),
                       timestamp=report.timestamp, time=f"{report.elapsed_ms / 1000:.3f}")
    failures = skipped = 0
    for provider, check in cases:
        case = ET.SubElement(suite, "testcase", classname=f"revka.doctor.{provider.provider}",
                             name=f"{provider.provider} {check.name}",
                             time=f"{(check.latency_ms or 0) / 1000:.3f}")
        message = _xml_safe(f"{check.detail} (hint: {check.hint})" if check.hint else check.detail)
        failed = check.status == FAIL or (check.status == WARN and report.strict)
        if failed and provider.allow_fail:
            ET.SubElement(case, "skipped", message=f"allowed to fail: {message}")
            skipped += 1
        elif failed:
            node = ET.SubElement(case, "failure", message=message, type=check.status)
            node.text = _xml_safe(f"{provider.provider} {check.name} at {provider.url or '-'}: "
                                  f"{message}")
            failures += 1
        elif check.status == SKIP:
            ET.SubElement(case, "skipped", message=_xml_safe(check.detail))
            skipped += 1
        elif check.detail:
            ET.SubElement(case, "system-out").text = _xml_safe(f"{check.status}: {check.detail}")
        if check.name in ("chat", "tools", "schema") and provider.figures:
            _properties(case, _figures_of(check.name, provider.figures))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    ET.indent(suite)
    body = ET.tostring(suite, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def _figures_of(check: str, figures: dict) -> dict:
    """The chat case gets the chat figures; the tools and schema cases their verdict."""
    if check in ("tools", "schema"):
        return {k: v for k, v in figures.items() if k == check}
    return {k: v for k, v in figures.items() if k not in ("tools", "schema")}


def _properties(case, figures: dict) -> None:
    """JUnit <properties> of the chat case: ttft_ms, tokens_per_s, usage_reported, finish."""
    import xml.etree.ElementTree as ET

    node = ET.Element("properties")
    for name, value in figures.items():
        if value is not None:
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            ET.SubElement(node, "property", name=name, value=_xml_safe(shown))
    case.insert(0, node)


def _xml_safe(text: str) -> str:
    """Drop the characters XML 1.0 cannot carry at all (escaping is ElementTree's job)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or (" " <= ch and ch not in "\ufffe\uffff"
                                                              and not "\ud800" <= ch <= "\udfff"))
