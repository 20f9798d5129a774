"""`--timeout` / `provider_timeout_secs` is one deadline for the whole command: retries, backoff,
Retry-After waits and fallbacks all spend from it; [pacing] limits stay per attempt."""

from __future__ import annotations

import calendar
import re
import time

from tests.cli.chatkit import openai_text, sse
from tests.servers import FakeServer, Reply

PATH = "/v1/chat/completions"
SLACK = 1.5  # seconds of process and scheduling overhead allowed on a loaded 2-core machine


def _config(write_config, url: str, extra: str = "") -> None:
    write_config(f'default_provider = "custom:{url}/v1"\ndefault_model = "m"\n{extra}')


def _timed(revka, *args, **kw):
    start = time.monotonic()
    res = revka(*args, **kw)
    return res, time.monotonic() - start


def test_timeout_flag_covers_every_retry_of_a_silent_server(server, revka, write_config):
    server.route("POST", PATH, Reply(hang=30))
    _config(write_config, server.url, "[reliability]\nprovider_retries = 2\nprovider_backoff_ms = 100\n")
    res, took = _timed(revka, "chat", "--timeout", "1.5", "hi")
    assert res.exit_code == 6, res
    assert "overall timeout after 1.5s" in res.stderr
    assert took < 1.5 + SLACK and len(server.requests) == 1  # was 3 attempts of 1.5 s each


def test_config_timeout_is_the_whole_command_too(server, revka, write_config):
    server.route("POST", PATH, Reply(hang=30))
    _config(write_config, server.url, "provider_timeout_secs = 1.2\n")
    res, took = _timed(revka, "chat", "hi")
    assert res.exit_code == 6 and "overall timeout after 1.2s" in res.stderr
    assert took < 1.2 + SLACK


def test_retry_after_past_the_deadline_fails_at_once_saying_when(server, revka, write_config):
    server.route("POST", PATH, Reply.json({"error": {"message": "busy"}}, 503,
                                          headers={"Retry-After": "999999"}))
    _config(write_config, server.url)
    res, took = _timed(revka, "chat", "--timeout", "5", "hi")
    assert res.exit_code == 7, res
    assert took < SLACK + 1 and len(server.requests) == 1  # was 2 waits of 30 s
    line = res.stderr.splitlines()[0]
    assert "busy; the server asked to be retried in 999999 s (at " in line
    when = re.search(r"at (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC)\), past the 5 s timeout", line)
    assert when, line
    asked = calendar.timegm(time.strptime(when.group(1), "%Y-%m-%d %H:%M:%S UTC"))
    assert abs(asked - (time.time() + 999999)) < 60
    assert "hint: retry after that time, or raise --timeout" in res.stderr


def test_retry_after_that_fits_is_waited_for_in_full(server, revka, write_config):
    server.route("POST", PATH, Reply.json({}, 429, headers={"Retry-After": "1"}),
                 Reply.sse(sse(*openai_text("ok"))))
    _config(write_config, server.url)
    res, took = _timed(revka, "chat", "--timeout", "20", "hi")
    assert res.exit_code == 0 and res.stdout == "ok\n"
    assert "retrying in 1.0s" in res.stderr and len(server.requests) == 2
    assert took >= 1.0


def test_a_retry_after_longer_than_the_old_cap_is_honoured_when_it_fits(server, revka, write_config,
                                                                       monkeypatch):
    import revka_cli.transport.http as http

    waits = []
    monkeypatch.setattr(http.HttpClient, "_pause", lambda self, attempt, delay: waits.append(delay))
    server.route("POST", PATH, Reply.json({}, 503, headers={"Retry-After": "45"}),
                 Reply.sse(sse(*openai_text("ok"))))
    _config(write_config, server.url)
    res = revka("chat", "--timeout", "60", "hi")
    assert res.exit_code == 0 and waits == [45.0]  # the server's 45 s, not the old 30 s cap


def test_fallbacks_spend_from_the_same_deadline(server, revka, write_config):
    with FakeServer() as backup:
        server.route("POST", PATH, Reply(hang=30))
        backup.route("POST", PATH, Reply.sse(sse(*openai_text("from backup"))))
        _config(write_config, server.url,
                f'[reliability]\nfallback_providers = ["custom:{backup.url}/v1"]\n')
        res, took = _timed(revka, "chat", "--timeout", "1.5", "hi")
        assert res.exit_code == 6 and took < 1.5 + SLACK
        assert backup.requests == []  # nothing left for it: the primary used the whole 1.5 s


def test_a_fallback_runs_in_what_is_left(server, revka, write_config):
    with FakeServer() as backup:
        server.route("POST", PATH, Reply.json({}, 401))
        backup.route("POST", PATH, Reply(hang=30))
        _config(write_config, server.url,
                f'[reliability]\nfallback_providers = ["custom:{backup.url}/v1"]\n')
        res, took = _timed(revka, "chat", "--timeout", "1.5", "hi")
        assert res.exit_code == 6 and took < 1.5 + SLACK and len(backup.requests) == 1
        assert "overall timeout after 1.5s" in res.stderr


def test_pacing_limits_stay_per_attempt_inside_the_deadline(server, revka, write_config):
    server.route("POST", PATH, Reply(hang=30))
    _config(write_config, server.url, "[pacing]\nfirst_token_timeout_secs = 0.4\n"
            "[reliability]\nprovider_retries = 2\nprovider_backoff_ms = 50\n")
    res, took = _timed(revka, "chat", "--timeout", "20", "hi")
    assert res.exit_code == 6 and "first-token timeout after 0.4s" in res.stderr
    assert len(server.requests) == 3 and took < 3 * 0.4 + 0.2 + SLACK


def test_budget_uses_the_primary_timeout_and_a_fallback_can_only_shorten_it(tmp_path):
    from revka_cli.config import load_config
    from revka_cli.chat.attempts import Budget
    from revka_cli.providers.endpoint import resolve_endpoint

    path = tmp_path / "c.toml"
    path.write_text('provider_timeout_secs = 50\n[providers.vllm]\ntimeout_secs = 30\n'
                    'api_url = "http://127.0.0.1:1/v1"\n[providers.sglang]\ntimeout_secs = 5\n'
                    'api_url = "http://127.0.0.1:2/v1"\n[providers.lmstudio]\ntimeout_secs = 900\n')
    cfg = load_config(str(path)).config
    budget = Budget(cfg, "vllm")
    assert budget.seconds == 30 and 29 < budget.left() <= 30
    fast = budget.timeouts(resolve_endpoint(cfg, "sglang", is_primary=False, env={}))
    assert fast.overall == 5 and fast.deadline < budget.deadline
    slow = budget.timeouts(resolve_endpoint(cfg, "lmstudio", is_primary=False, env={}))
    assert slow.overall == 30 and slow.deadline == budget.deadline
    assert Budget(cfg, "ollama").seconds == 50 and Budget(cfg, "vllm", 2).seconds == 2


def test_a_slow_api_key_cmd_spends_from_the_deadline(server, revka, write_config):
    """api_key_cmd gets what is left of --timeout, not its own 15 s: a hanging command ends the
    command at the deadline with exit 3, and no request is sent."""
    write_config(f'default_provider = "vllm"\ndefault_model = "m"\n[providers.vllm]\n'
                 f'api_url = "{server.url}/v1"\napi_key_cmd = ["sleep", "30"]\n')
    res, took = _timed(revka, "chat", "--timeout", "1.5", "hi")
    assert res.exit_code == 3, res
    assert "api_key_cmd" in res.stderr
    assert took < 1.5 + SLACK and server.requests == []
