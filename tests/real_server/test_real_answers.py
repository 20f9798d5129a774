"""What the real instruct model says, end to end through the installed `revka`: the answers carry
meaning, not only bytes. SmolLM2-135M-Instruct at temperature 0 (greedy) is deterministic on one
build, and every prompt below was chosen because the 135M model answers it right at temperature 0;
the assertions look for one expected word, case-insensitively, never for a whole sentence."""

from __future__ import annotations

import concurrent.futures

import pytest

from tests.real_server.realkit import TIMEOUT, load_json, provider_config

pytestmark = pytest.mark.real_server

CAPITAL = "What is the capital of France? Answer in one word."
STREAM_MODES = [pytest.param([], id="stream"), pytest.param(["--no-stream"], id="no-stream")]


def ask(revka_proc, config, *args: str, input: str | None = None, max_tokens: int = 16):
    return revka_proc("--config", str(config), "chat", "--temperature", "0", "--max-tokens",
                      str(max_tokens), *args, input=input, timeout=TIMEOUT)


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_a_factual_question_gets_the_right_word_over_openai(llama_server, revka_proc, tmp_path,
                                                            mode):
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = ask(revka_proc, config, *mode, CAPITAL)
    assert res.exit_code == 0, res
    assert "paris" in res.stdout.lower(), res


@pytest.mark.parametrize("mode", STREAM_MODES)
def test_a_factual_question_gets_the_right_word_over_anthropic(llama_server, revka_proc, tmp_path,
                                                               mode):
    """anthropic-custom: goes to llama-server's /v1/messages; --json shows the route's answer."""
    config = provider_config(tmp_path, "http://127.0.0.1:9", "unused", providers=())
    res = ask(revka_proc, config, "--json", "-p", f"anthropic-custom:{llama_server.base_url}",
              "-m", llama_server.model, *mode, CAPITAL)
    assert res.exit_code == 0, res
    doc = load_json(res.stdout)
    assert doc["error"] is None and "paris" in doc["text"].lower(), doc


def test_the_system_prompt_changes_the_answer(llama_server, revka_proc, tmp_path):
    """Check chosen for a 135M model: the system prompt gives it a made-up name. At temperature 0
    it then answers "What is your name?" with that name, which it never says without it (it calls
    itself "Elena" on this build). Asserted: the name, and only when the system prompt set it."""
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    question = "What is your name?"
    plain = ask(revka_proc, config, question, max_tokens=24)
    steered = ask(revka_proc, config, "--system", "Your name is Zorblax.", question, max_tokens=24)
    assert plain.exit_code == 0 and steered.exit_code == 0, (plain, steered)
    assert "zorblax" not in plain.stdout.lower(), plain
    assert "zorblax" in steered.stdout.lower(), steered


def test_piped_stdin_reaches_the_model(llama_server, revka_proc, tmp_path):
    """The word appears only in stdin: the model can repeat it only if revka sent stdin."""
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = ask(revka_proc, config, "Repeat the secret word from the text above.",
              input="The secret word is pineapple.\n")
    assert res.exit_code == 0, res
    assert "pineapple" in res.stdout.lower(), res


def test_four_concurrent_chats_are_all_served(llama_server, revka_proc, tmp_path):
    """The session server runs with --parallel 4: four revka processes at once all get answers."""
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: ask(revka_proc, config, "--json", CAPITAL), range(4)))
    for res in results:
        assert res.exit_code == 0, res
        doc = load_json(res.stdout)
        assert doc["error"] is None and "paris" in doc["text"].lower(), doc


def test_a_prompt_over_the_servers_context_is_refused_with_the_documented_code(
        llama_server, revka_proc, tmp_path):
    """After `models refresh` revka knows the served window, and refuses a prompt that cannot fit
    before sending it: exit 2 (usage), with the hint to shorten the prompt or raise the window."""
    config = provider_config(tmp_path, llama_server.base_url, llama_server.model)
    res = revka_proc("--config", str(config), "models", "refresh", "--provider", "llamacpp",
                     timeout=TIMEOUT)
    assert res.exit_code == 0, res
    prompt = "word " * (llama_server.slot_ctx * 8)  # far over any count of tokens the window holds
    res = ask(revka_proc, config, "--json", input=prompt)
    doc = load_json(res.stdout)
    assert res.exit_code == 2 and doc["error"]["exit_code"] == 2, res
    assert "window" in doc["error"]["message"], doc
    assert doc["error"]["hint"], doc
