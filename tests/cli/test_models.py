"""`revka models refresh | list | set | status` against local servers with real response shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.servers import FakeServer, Reply, closed_port

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "conformance" / "models"


def corpus(name: str):
    return json.loads((CORPUS / name).read_bytes().split(b"\n#---\n", 1)[1])


@pytest.fixture
def farm():
    """Servers shaped like Ollama, llama.cpp, vLLM, LM Studio, an empty one and a 401 one."""
    servers = {name: FakeServer() for name in ("ollama", "llamacpp", "vllm", "lmstudio", "empty",
                                               "auth")}
    for srv in servers.values():
        srv.__enter__()
    servers["ollama"].route("GET", "/api/tags", Reply.json(corpus("ollama_api_tags_doc.json")))
    servers["llamacpp"].route("GET", "/v1/models", Reply.json(
        corpus("llamacpp_v1_models_real_with_ollama_models_array.json")))
    servers["vllm"].route("GET", "/v1/models", Reply.json(
        corpus("vllm_v1_models_real_max_model_len.json")))
    servers["lmstudio"].route("GET", "/v1/models", Reply.json(corpus("lmstudio_v1_models_real.json")))
    servers["empty"].route("GET", "/v1/models", Reply.json({"object": "list", "data": []}))
    servers["auth"].route("GET", "/v1/models", Reply.json(
        {"error": {"message": "Invalid API key", "type": "invalid_request_error"}}, status=401))
    yield servers
    for srv in servers.values():
        srv.__exit__(None, None, None)


def config_for(farm, default="ollama", extra="") -> str:
    return f"""# test config
default_provider = "{default}"  # where chats go

[reliability]
fallback_providers = ["llamacpp", "vllm", "custom:{farm['lmstudio'].url}/v1"]
provider_retries = 0

[providers.ollama]
api_url = "{farm['ollama'].url}"
[providers.llamacpp]
api_url = "{farm['llamacpp'].url}/v1"
[providers.vllm]
api_url = "{farm['vllm'].url}/v1"
[providers.sglang]
api_url = "{farm['empty'].url}/v1"
{extra}"""


def test_refresh_every_configured_provider(revka, write_config, farm):
    dead = closed_port()
    write_config(config_for(farm, extra=f"""[providers.osaurus]
api_url = "{farm['auth'].url}/v1"
[providers.litellm]
api_url = "http://127.0.0.1:{dead}/v1"
[models.custom]
url = "http://127.0.0.1:{dead}/v1"
available_models = {{ "qwen2.5-coder-7b" = 32768 }}
"""))
    res = revka("models", "refresh")
    assert res.exit_code == 0, res
    lines = res.stdout.splitlines()
    assert lines[0].startswith(f"ollama: 2 models at {farm['ollama'].url} (")
    assert lines[1].startswith("llamacpp: 1 model at ")
    assert lines[2].startswith("vllm: 1 model at ")
    assert lines[3].startswith(f"custom:{farm['lmstudio'].url}/v1: 2 models at ")
    assert lines[4].startswith("sglang: 0 models at ")
    assert lines[5] == "custom: 1 model (declared in the config)"
    assert len(lines) == 6  # the failures are errors: on stderr, in the error format
    errors = res.stderr.splitlines()
    assert errors[0].startswith("revka: error: osaurus: ") and "HTTP 401" in errors[0] \
        and "Invalid API key" in errors[0] and errors[1].startswith("hint: ")
    assert errors[2].startswith("revka: error: litellm: connection refused")
    assert errors[3].startswith("hint: ") and len(errors) == 4
    assert all(len(srv.requests) == 1 for name, srv in farm.items())  # fetched once each

    again = revka("models", "refresh", "--provider", "ollama")
    assert "cached just now; --force to refetch" in again.stdout and len(farm["ollama"].requests) == 1
    forced = revka("models", "refresh", "-p", "ollama", "--force")
    assert "(cached" not in forced.stdout and len(farm["ollama"].requests) == 2


@pytest.mark.parametrize("provider, code", [("osaurus", 4), ("litellm", 6), ("lmstudio", 2)])
def test_refresh_exit_code_is_the_first_errors(revka, write_config, farm, provider, code):
    write_config(f"""default_provider = "{provider}"
[reliability]
provider_retries = 0
[providers.osaurus]
api_url = "{farm['auth'].url}/v1"
[providers.litellm]
api_url = "http://127.0.0.1:{closed_port()}/v1"
""")
    res = revka("models", "refresh")
    assert res.exit_code == code, res
    if provider == "lmstudio":
        assert res.stdout == ""
        assert res.stderr.splitlines()[:2] == [
            "revka: error: lmstudio: lmstudio has no live model discovery",
            "hint: set the model with: revka models set NAME (taken unchecked, no --force needed)"]


def test_refresh_options(revka, write_config, monkeypatch, farm):
    write_config(config_for(farm))
    assert revka("models", "refresh", "--provider", "ollama", "--all").exit_code == 2
    res = revka("models", "refresh", "--provider", "nope")
    assert res.exit_code == 2 and "unknown provider 'nope'" in res.stderr
    seen = {}

    def fake_refresh_many(cfg, names, **kw):
        seen["names"] = list(names)
        return []

    monkeypatch.setattr("revka_cli.catalog.discover.refresh_many", fake_refresh_many)
    revka("models", "refresh", "--all")
    assert seen["names"][:5] == ["ollama", "llamacpp", "vllm", f"custom:{farm['lmstudio'].url}/v1",
                                 "sglang"]
    assert seen["names"][5:] == ["lmstudio", "osaurus", "litellm"]


def test_a_failed_refresh_keeps_the_stale_cache(revka, write_config, farm):
    write_config(config_for(farm))
    revka("models", "refresh", "-p", "ollama")
    farm["ollama"].route("GET", "/api/tags", Reply.json({"error": "boom"}, status=500))
    res = revka("models", "refresh", "-p", "ollama", "--force")
    assert res.exit_code == 7 and res.stdout == ""
    assert res.stderr.startswith("revka: error: ollama: server error (HTTP 500)")
    assert "(kept 2 models cached just now)\nhint: " in res.stderr
    listed = revka("models", "list", "-p", "ollama")
    assert listed.stdout.splitlines() == ["ollama/deepseek-r1:latest", "ollama/llama3.2:latest"]


def test_list_refreshes_first_when_nothing_is_cached(revka, write_config, farm):
    write_config(config_for(farm, extra='default_model = "llama3.2:latest"\n'.replace(
        "default_model", "# nothing\n#")))
    res = revka("models", "list")
    assert res.exit_code == 0, res
    assert "no cached models yet; refreshing first" in res.stderr
    assert res.stdout.splitlines() == [
        "ollama/deepseek-r1:latest", "ollama/llama3.2:latest",
        "llamacpp/models/gemma-4-12B-it-Q8_0.gguf", "vllm/gpt-oss-120b",
        f"custom:{farm['lmstudio'].url}/v1/meta-llama-3.1-8b-instruct",
        f"custom:{farm['lmstudio'].url}/v1/text-embedding-nomic-embed-text-v1.5"]
    again = revka("models", "list", "--provider", "vllm")
    assert again.stderr == "" and again.stdout == "vllm/gpt-oss-120b\n"


def test_list_json(revka, write_config, farm):
    write_config(config_for(farm))
    revka("models", "refresh")
    rows = json.loads(revka("models", "list", "--json").stdout)
    assert all(set(r) == {"provider", "name", "qualified", "context_window", "source", "fetched_at"}
               for r in rows)
    by_name = {r["qualified"]: r for r in rows}
    assert by_name["vllm/gpt-oss-120b"]["context_window"] == 65536
    assert by_name["llamacpp/models/gemma-4-12B-it-Q8_0.gguf"]["context_window"] == 193024
    assert by_name["ollama/llama3.2:latest"]["source"] == "live"
    assert isinstance(by_name["ollama/llama3.2:latest"]["fetched_at"], float)


def test_list_on_a_terminal_groups_and_marks_the_default(revka, write_config, farm, monkeypatch):
    write_config(config_for(farm).replace('# where chats go', '\ndefault_model = "llama3.2:latest"'))
    revka("models", "refresh")
    monkeypatch.setattr("revka_cli.cli.commands.models._stdout_is_tty", lambda: True)
    out = revka("models", "list", "-p", "ollama").stdout
    lines = [line.rstrip() for line in out.splitlines() if line.strip()]
    assert lines[0] == f"ollama  {farm['ollama'].url}  (2 models, fetched just now)"
    star = next(line for line in lines if "llama3.2:latest" in line)
    assert star.lstrip().startswith("*") and "2.0 GB" in star
    assert "*" not in next(line for line in lines if "deepseek" in line)


def test_two_ollama_hosts_never_mix(revka, write_config):
    with FakeServer() as a, FakeServer() as b:
        a.route("GET", "/api/tags", Reply.json({"models": [{"name": "only-on-a:1b"}]}))
        b.route("GET", "/api/tags", Reply.json({"models": [{"name": "only-on-b:1b"}]}))
        write_config(f'api_url = "{a.url}"\n')
        assert revka("models", "list").stdout == "ollama/only-on-a:1b\n"
        write_config(f'api_url = "{b.url}"\n')
        res = revka("models", "list")
        assert res.stdout == "ollama/only-on-b:1b\n" and "refreshing first" in res.stderr
        write_config(f'api_url = "{a.url}"\n')
        res = revka("models", "list")
        assert res.stdout == "ollama/only-on-a:1b\n" and res.stderr == ""


def test_set_resolves_like_chat(revka, write_config, farm):
    path = write_config(config_for(farm))
    farm["llamacpp"].route("GET", "/v1/models", Reply.json({"data": [{"id": "llama3.2:latest"},
                                                                     {"id": "only-here"}]}))
    revka("models", "refresh")
    res = revka("models", "set", "gpt-oss-120b")
    assert res.exit_code == 0, res
    assert res.stdout == f'default_provider = "vllm", default_model = "gpt-oss-120b" in {path}\n'
    text = path.read_text()
    assert text.startswith('# test config\ndefault_provider = "vllm"  # where chats go\n'
                           'default_model = "gpt-oss-120b"\n')

    ambiguous = revka("models", "set", "llama3.2:latest")
    assert ambiguous.exit_code == 2
    assert "ambiguous: llamacpp/llama3.2:latest, ollama/llama3.2:latest" in ambiguous.stderr
    assert revka("models", "set", "ollama/llama3.2:latest").exit_code == 0
    assert 'default_model = "llama3.2:latest"' in path.read_text()

    lm = f"custom:{farm['lmstudio'].url}/v1"
    assert revka("models", "set", f"{lm}/meta-llama-3.1-8b-instruct").exit_code == 0
    assert f'default_provider = "{lm}"' in path.read_text()


def test_set_unknown_needs_force(revka, write_config, farm):
    path = write_config(config_for(farm))
    revka("models", "refresh", "-p", "ollama")
    before = path.read_text()
    res = revka("models", "set", "llama3.2:latst")
    assert res.exit_code == 5 and path.read_text() == before
    assert "did you mean 'llama3.2:latest'" in res.stderr and "--force" in res.stderr
    vllm = revka("models", "set", "vllm/not-pulled-yet")
    assert vllm.exit_code == 5 and "vllm has no cached catalog" in vllm.stderr
    forced = revka("models", "set", "vllm/not-pulled-yet", "--force")
    assert forced.exit_code == 0 and "warning" in forced.stderr
    assert 'default_provider = "vllm"' in path.read_text()


def test_set_on_a_provider_without_live_discovery_needs_no_force(revka, revka_proc, write_config):
    """The endpoints page: lmstudio has no live discovery, so `revka models set your-loaded-model`."""
    path = write_config('default_provider = "lmstudio"\n'
                        'api_url = "http://host.docker.internal:1234/v1"\n')
    res = revka_proc("models", "set", "your-loaded-model")
    assert res.exit_code == 0, res
    assert res.stdout.startswith('default_provider = "lmstudio", default_model = "your-loaded-model"')
    assert "lmstudio has no live model discovery, so 'your-loaded-model' could not be checked" \
        in res.stderr
    assert 'default_model = "your-loaded-model"' in path.read_text()
    qualified = revka("models", "set", "lm-studio/other-model")
    assert qualified.exit_code == 0 and "could not be checked" in qualified.stderr
    assert 'default_model = "other-model"' in path.read_text()
    assert revka("--quiet", "models", "set", "lmstudio/third").stderr == ""


def test_set_creates_the_config_file(revka, isolated_env):
    res = revka("models", "set", "ollama/llama3.2:3b", "--force")
    assert res.exit_code == 0, res
    path = isolated_env / ".config" / "revka" / "config.toml"
    assert res.stdout.endswith(f"in {path} (new file)\n")
    assert path.read_text() == 'default_provider = "ollama"\ndefault_model = "llama3.2:3b"\n'


def test_set_warns_when_env_overrides(revka, write_config):
    write_config('default_provider = "ollama"\n')
    res = revka("models", "set", "ollama/x", "--force", env={"REVKA_MODEL": "other"})
    assert res.exit_code == 0 and "REVKA_MODEL is set and overrides default_model" in res.stderr


def test_status(revka, write_config, farm):
    path = write_config(config_for(farm).replace('# where chats go', '\ndefault_model = "m1"'))
    res = revka("models", "status")
    assert res.stdout.splitlines() == [
        "provider: ollama (from file)", "model:    m1 (from file)",
        f"url:      {farm['ollama'].url}", "cache:    nothing cached (run 'revka models refresh')",
        f"config:   {path}"]
    revka("models", "refresh", "-p", "ollama")
    info = json.loads(revka("models", "status", "--json", env={"REVKA_MODEL": "llama3.2:latest"}).stdout)
    assert info["model"] == "llama3.2:latest" and info["model_origin"] == "env REVKA_MODEL"
    assert info["cache"]["models"] == 2 and info["cache"]["fresh"] is True
    flagged = json.loads(revka("models", "status", "--json", "--model", "vllm/x").stdout)
    assert (flagged["provider"], flagged["provider_origin"], flagged["model_origin"]) == \
        ("vllm", "model prefix", "flag")
    text = revka("models", "status").stdout
    assert "cache:    2 models, fetched just now (fresh)" in text


def test_status_without_a_model(revka, isolated_env):
    res = revka("models", "status")
    assert res.exit_code == 0
    assert "model:    none (set one with 'revka models set NAME')" in res.stdout


def test_status_counts_one_declared_model_in_the_singular(revka, write_config):
    write_config('default_provider = "custom"\ndefault_model = "solo"\n[models.custom]\n'
                 'url = "http://127.0.0.1:9/v1"\n[models.custom.available_models]\n"solo" = 4096\n')
    res = revka("models", "status")
    assert res.exit_code == 0, res
    assert "cache:    1 model declared in the config" in res.stdout.splitlines()


def test_refresh_has_one_deadline_that_retries_spend_from(server, revka, write_config):
    """A silent server: `models refresh` ends at provider_timeout_secs, not once per retry."""
    import time

    from tests.servers import Reply

    server.route("GET", "/v1/models", Reply(hang=30), Reply(hang=30), Reply(hang=30))
    write_config(f'default_provider = "vllm"\nprovider_timeout_secs = 1.5\n[providers.vllm]\n'
                 f'api_url = "{server.url}/v1"\n[reliability]\nprovider_retries = 2\n'
                 'provider_backoff_ms = 50\n')
    started = time.monotonic()
    res = revka("models", "refresh")
    took = time.monotonic() - started
    assert res.exit_code == 6, res.stderr
    assert took < 1.5 + 1.0, took  # three attempts of 1.5 s each took 4.6 s before
