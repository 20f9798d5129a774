"""The `context` check: the served window against the declared, the cached, provider_max_tokens."""

from __future__ import annotations

import json

from tests.doctor.conftest import fixture_body, fixture_reply
from tests.servers import Reply


def llama_props(server, n_ctx: int, slots: int, meta: dict | None = None):
    props = json.loads(fixture_body("llamacpp_props_readme_trimmed.json"))
    props["default_generation_settings"]["n_ctx"] = n_ctx
    props["total_slots"] = slots
    models = json.loads(fixture_body("llamacpp_v1_models_readme.json"))
    models["data"][0]["id"] = "m"
    models["data"][0]["meta"] = meta if meta is not None else models["data"][0]["meta"]
    server.route("GET", "/health", fixture_reply("llamacpp_health_ok.json"))
    server.route("GET", "/props", Reply.json(props))
    server.route("GET", "/v1/models", Reply.json(models))


def doctor(revka, *args):
    res = revka("doctor", "models", "--json", *args)
    data = json.loads(res.stdout)
    return res, {c["name"]: c for c in data["providers"][0]["checks"]}


def config(write_config, url: str, extra: str = "") -> None:
    write_config(f'default_provider = "llamacpp"\n{extra}[providers.llamacpp]\napi_url = "{url}"\n'
                 'default_model = "m"\n')


def test_props_smaller_than_the_cached_window_warns(server, write_config, revka):
    """The cache says 131072 (n_ctx_train, from an older listing); /props serves 2048 per slot."""
    llama_props(server, 2048, 4)
    config(write_config, f"{server.url}/v1")
    assert revka("models", "refresh", "-p", "llamacpp").exit_code == 0  # caches n_ctx_train
    res, found = doctor(revka)
    assert res.exit_code == 0
    context = found["context"]
    assert context["status"] == "warn"
    assert context["detail"].startswith("the cached catalog 131072 larger than the 2048 tokens "
                                        "served (/props n_ctx, per slot of 4)")
    assert context["hint"]
    assert doctor(revka, "--strict")[0].exit_code == 1


def test_provider_max_tokens_larger_than_served_warns(server, write_config, revka):
    llama_props(server, 1024, 1)
    config(write_config, f"{server.url}/v1", "provider_max_tokens = 4096\n")
    res, found = doctor(revka, "--no-cache-write")
    assert found["context"]["status"] == "warn"
    assert "provider_max_tokens 4096 larger than the 1024 tokens served" in \
        found["context"]["detail"]


def test_a_window_that_fits_is_ok(server, write_config, revka):
    llama_props(server, 8192, 1)
    config(write_config, f"{server.url}/v1", "provider_max_tokens = 512\n")
    res, found = doctor(revka, "--no-cache-write")
    assert res.exit_code == 0 and found["context"]["status"] == "ok"
    assert found["context"]["detail"] == ("serves 8192 tokens of context (/props n_ctx); "
                                          "provider_max_tokens 512 fits")


def test_declared_custom_window_larger_than_served_warns(server, write_config, revka):
    """models.custom: the window declared against meta.n_ctx in the server's /v1/models."""
    models = json.loads(fixture_body("llamacpp_v1_models_readme.json"))
    models["data"][0].update(id="qwen", meta={"n_ctx": 2048, "n_ctx_train": 32768})
    server.route("GET", "/v1/models", Reply.json(models))
    write_config(f'[models.custom]\nurl = "{server.url}/v1"\n'
                 'available_models = { "qwen" = 32768 }\n')
    res, found = doctor(revka, "-p", "custom")
    assert res.exit_code == 0
    assert found["context"]["status"] == "warn"
    assert found["context"]["detail"].startswith(
        "models.custom.available_models 'qwen' 32768 larger than the 2048 tokens served "
        "(the models endpoint)")


def test_the_plain_report_of_a_passing_provider_names_the_model_served(server, write_config,
                                                                       revka):
    llama_props(server, 8192, 1)
    config(write_config, f"{server.url}/v1")
    res = revka("doctor", "models", "--no-cache-write")
    row = res.stdout.splitlines()[1]
    assert res.exit_code == 0 and row.split()[2] == "ok"
    assert row.endswith("serves 'm' (1 model)")  # not the context check that ran after it
