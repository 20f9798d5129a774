"""Server text never drives the terminal: a model's answer and reasoning are shown with their
control characters visible when they go to a terminal (a real pseudo-terminal here), unchanged
to a pipe or with --raw; error messages, model tables, doctor details and completion candidates
always show them."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply

PATH = "/v1/chat/completions"
OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # "set the clipboard"
HOSTILE = f"one {OSC52} two \x1b[2J\x1b[?1049h three \x9b31m four \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"
SHOWN = ("one ^[]52;c;aGVsbG8=^G two ^[[2J^[[?1049h three M-^[31m four "
         "^[]8;;http://x^[\\link^[]8;;^[\\")


# --- the neutraliser -------------------------------------------------------------------------------

def test_controls_are_shown_in_caret_notation_and_nothing_is_dropped():
    from revka_cli.textsafe import has_control, one_line, visible

    assert visible(HOSTILE) == SHOWN
    assert visible("a\tb\nc") == "a\tb\nc" and one_line("a\tb\nc") == "a^Ib^Jc"
    assert visible("\x00\x07\x08\r\x7f\x80\x9f") == "^@^G^H^M^?M-^@M-^_"
    assert visible("plain ünïcødé ✓ \u00a0") == "plain ünïcødé ✓ \u00a0"
    assert has_control("x\x1b") and has_control("x\n") and not has_control("llama3.2:3b ✓")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\n\t\x1b[]7;\x07\x9b\x9c\\\r\x00é"))),
       st.lists(st.integers(min_value=0, max_value=60), max_size=6))
def test_text_split_anywhere_maps_as_the_whole_does(text, cuts):
    from revka_cli.textsafe import visible

    points = sorted({min(c, len(text)) for c in cuts})
    parts = [text[a:b] for a, b in zip([0, *points], [*points, len(text)])]
    assert "".join(visible(p) for p in parts) == visible(text)
    shown = visible(text)
    assert not any(ch in shown for ch in "\x1b\x07\x9b\x9c\r\x00")


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_json_text_is_the_same_json_value_without_raw_c1(value):
    from revka_cli.textsafe import json_text

    text = json_text(json.dumps({"v": value}, ensure_ascii=False))
    assert json.loads(text) == {"v": value}
    assert not any("\x7f" <= ch <= "\x9f" for ch in text)


# --- the answer, through a real pseudo-terminal -----------------------------------------------------

def _split_stream():
    """The hostile answer cut in the middle of its escape sequences, one TCP write per piece."""
    points = [HOSTILE.index("\x1b") + 1, HOSTILE.index("\x1b[2J") + 2, HOSTILE.index("\x9b") + 1,
              HOSTILE.index("]8;;") + 2]
    cuts = [HOSTILE[a:b] for a, b in zip([0, *points], [*points, None])]
    assert "".join(cuts) == HOSTILE and cuts[0].endswith("\x1b") and cuts[1].startswith("]52")
    frames = openai_text(*cuts)
    chunks = []
    for frame in frames:
        chunks += [sse(frame, done=False), 0.05]
    return Reply.sse([*chunks, b"data: [DONE]\n\n"])


def _run(args, config, *, tty_out: bool, tty_err: bool, timeout: float = 30):
    """Run revka with stdout and/or stderr on a pseudo-terminal; (code, tty bytes, pipe bytes)."""
    main, child = pty.openpty()
    env = dict(os.environ, REVKA_CONFIG=str(config), TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "revka_cli", *args], stdin=subprocess.DEVNULL,
                            stdout=child if tty_out else subprocess.PIPE,
                            stderr=child if tty_err else subprocess.PIPE, env=env, close_fds=True)
    os.close(child)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([main], [], [], timeout)
            if not ready:
                break
            try:
                data = os.read(main, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            seen += data
        piped = (proc.stdout or proc.stderr).read()
        code = proc.wait(timeout=timeout)
    finally:
        proc.kill()
        os.close(main)
    return code, seen.replace(b"\r\n", b"\n"), piped


def _chat_config(tmp_path, server):
    config = tmp_path / "c.toml"
    config.write_text(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    return config


def test_answer_on_a_terminal_shows_escape_sequences_split_across_reads(server, tmp_path):
    server.route("POST", PATH, _split_stream())
    code, tty, piped = _run(["chat", "hi"], _chat_config(tmp_path, server), tty_out=True,
                            tty_err=False)
    assert code == 0, piped
    assert tty == SHOWN.encode() + b"\n"


def test_raw_prints_the_answer_unchanged_on_a_terminal(server, tmp_path):
    server.route("POST", PATH, _split_stream())
    code, tty, _ = _run(["chat", "--raw", "hi"], _chat_config(tmp_path, server), tty_out=True,
                        tty_err=False)
    assert code == 0 and tty == HOSTILE.encode() + b"\n"


def test_answer_to_a_pipe_stays_byte_exact(server, tmp_path):
    server.route("POST", PATH, _split_stream())
    code, _, piped = _run(["chat", "hi"], _chat_config(tmp_path, server), tty_out=False,
                          tty_err=True)
    assert code == 0 and piped == HOSTILE.encode() + b"\n"


def test_reasoning_on_a_terminal_is_shown_not_obeyed(server, tmp_path):
    frames = [{"choices": [{"index": 0, "delta": {"reasoning_content": "think \x1b]52;c;"}}]},
              {"choices": [{"index": 0, "delta": {"reasoning_content": "eA==\x07 done"}}]},
              *openai_text("answer \x1b[2J")]
    server.route("POST", PATH, Reply.sse([sse(*frames[:1], done=False), 0.05, sse(*frames[1:])]))
    code, tty, piped = _run(["chat", "--show-reasoning", "hi"], _chat_config(tmp_path, server),
                            tty_out=False, tty_err=True)
    assert code == 0
    assert tty == b"think ^[]52;c;eA==^G done\n"
    assert piped == b"answer \x1b[2J\n"  # stdout is a pipe: the answer is exact


# --- text revka prints itself: always shown, terminal or pipe ------------------------------------

def test_error_messages_from_a_server_show_their_escapes(server, revka, write_config):
    server.route("POST", PATH, Reply.json({"error": {"message": f"denied {OSC52}\x1b[2J"}}, 401))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    for flags in ([], ["--json"], ["--no-stream"]):
        res = revka("chat", *flags, "hi")
        assert res.exit_code == 4
        assert "\x1b" not in res.stderr and "\x07" not in res.stderr
        assert "denied ^[]52;c;aGVsbG8=^G^[[2J" in res.stderr.splitlines()[0]
        if flags == ["--json"]:  # JSON escapes them, and keeps the exact value
            assert "\x1b" not in res.stdout
            assert json.loads(res.stdout)["error"]["message"].endswith(f"denied {OSC52}\x1b[2J")


def _cache_models(server, revka, write_config, *names):
    server.route("GET", "/v1/models", Reply.json({"object": "list", "data": [
        {"id": n, "object": "model"} for n in names]}))
    write_config('default_provider = "vllm"\ndefault_model = "good"\n'
                 f'[providers.vllm]\napi_url = "{server.url}/v1"\n')
    assert revka("models", "refresh").exit_code == 0


def test_models_list_shows_hostile_ids_in_the_table_the_pipe_and_json(server, revka, write_config,
                                                                     tmp_path):
    evil = "evil\x1b[2J\x1b]52;c;eA==\x07\x9b1m\nfake/line"
    _cache_models(server, revka, write_config, "good", evil)
    piped = revka("models", "list")
    assert piped.stdout == "vllm/good\nvllm/evil^[[2J^[]52;c;eA==^GM-^[1m^Jfake/line\n"
    data = revka("models", "list", "--json")
    assert "\x9b" not in data.stdout and "\\u009b" in data.stdout
    assert [row["name"] for row in json.loads(data.stdout)] == ["good", evil]
    config = os.environ["XDG_CONFIG_HOME"] + "/revka/config.toml"
    code, tty, _ = _run(["models", "list"], config, tty_out=True, tty_err=False)
    assert code == 0 and b"evil^[[2J^[]52;c;eA==^GM-^[1m^Jfake/line" in tty
    assert b"\x1b[2J" not in tty and b"\x1b]52" not in tty and b"\xc2\x9b" not in tty


def test_completion_never_offers_a_model_id_with_control_characters(server, revka, write_config):
    from revka_cli.catalog.complete import model_candidates

    _cache_models(server, revka, write_config, "good-model", "good\x1b[2J")
    found = model_candidates("")
    assert {"good-model", "vllm/good-model"} <= set(found) and not any("\x1b" in c for c in found)
    env = dict(os.environ, _REVKA_COMPLETE="complete_bash", COMP_WORDS="revka\nchat\n-m\ngood",
               COMP_CWORD="3")
    proc = subprocess.run([sys.executable, "-m", "revka_cli"], env=env, capture_output=True,
                          timeout=30)
    assert proc.stdout.split() == [b"good-model"] and b"\x1b" not in proc.stdout


def test_doctor_details_show_a_servers_escapes(server, revka, write_config):
    server.route("GET", "/v1/models", Reply.json({"error": f"bad key {OSC52}"}, 401))
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n')
    res = revka("doctor", "models")
    assert res.exit_code == 1 and "\x1b" not in res.stdout and "\x07" not in res.stdout
    assert "bad key ^[]52;c;aGVsbG8=^G" in res.stdout
