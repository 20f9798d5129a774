"""`--format github`: GitHub Actions workflow commands, one per failing check (`::error`) and per
warning (`::warning`), and a Markdown job summary for $GITHUB_STEP_SUMMARY.

Escaping follows the workflow-command rules: in the message `%`, CR and LF become %25, %0D, %0A;
in a property (title) also `:` and `,` (%3A, %2C).
"""

from __future__ import annotations

from revka_cli.doctor.results import FAIL, WARN, DoctorReport

_COLUMNS = ("Provider", "Readiness", "Status", "TTFT", "Tokens/s", "Detail")


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_commands(report: DoctorReport) -> list[str]:
    """`::error title=…::…` for each check that fails the run, `::warning` for the others."""
    lines = []
    for provider in report.providers:
        for check in provider.checks:
            failing = check.status == FAIL or (check.status == WARN and report.strict)
            if check.status not in (FAIL, WARN):
                continue
            level = "error" if failing and not provider.allow_fail else "warning"
            title = _property(f"revka doctor: {provider.provider} {check.name}")
            hint = f" (hint: {check.hint})" if check.hint else ""
            lines.append(f"::{level} title={title}::{_data(check.detail + hint)}")
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "-"


def job_summary(report: DoctorReport) -> str:
    """A Markdown table: one row per provider, then the summary line."""
    from revka_cli.doctor.readiness import state_of
    from revka_cli.doctor.report import detail_text

    rows = ["## revka doctor models", "", "| " + " | ".join(_COLUMNS) + " |",
            "|" + "---|" * len(_COLUMNS)]
    for provider in report.providers:
        ttft = provider.figures.get("ttft_ms")
        tps = provider.figures.get("tokens_per_s")
        cells = (provider.provider, state_of(provider), provider.status,
                 f"{ttft / 1000:.3f} s" if ttft is not None else "-",
                 f"{tps:.1f}" if tps is not None else "-", detail_text(provider))
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(rows + ["", report.summary(), ""])
