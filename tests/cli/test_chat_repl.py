"""The interactive REPL, driven through a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from contextlib import contextmanager

from tests.cli.chatkit import openai_text, sse
from tests.servers import Reply


def read_until(fd: int, needle: bytes, timeout: float = 15.0) -> bytes:
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                buf += os.read(fd, 4096)
            except OSError:
                break
    assert needle in buf, buf.decode(errors="replace")
    return buf


@contextmanager
def repl_process(config):
    """`revka chat` on a real pseudo-terminal with `config`: (the terminal's fd, the process);
    killed and closed on the way out."""
    main, child = pty.openpty()
    env = dict(os.environ, REVKA_CONFIG=str(config), TERM="dumb")
    proc = subprocess.Popen([sys.executable, "-m", "revka_cli", "chat"], stdin=child, stdout=child,
                            stderr=child, env=env, close_fds=True)
    os.close(child)
    try:
        yield main, proc
    finally:
        proc.kill()
        os.close(main)


def test_repl_keeps_the_conversation_and_its_commands_work(server, tmp_path):
    answers = iter(["first answer", "second answer", "third answer"])
    server.route("POST", "/v1/chat/completions", lambda rec: Reply.sse(sse(*openai_text(next(answers)))))
    config = tmp_path / "c.toml"
    config.write_text(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m1"\n')
    with repl_process(config) as (main, proc):
        read_until(main, b"> ")
        os.write(main, b"hello\n")
        read_until(main, b"first answer")
        os.write(main, b"/system be brief\n")
        read_until(main, b"system prompt set")
        os.write(main, b"/model m2\n")
        read_until(main, b"now using")
        os.write(main, b"again\n")
        read_until(main, b"second answer")
        os.write(main, b"/clear\n")
        read_until(main, b"conversation cleared")
        os.write(main, b"fresh\n")
        read_until(main, b"third answer")
        os.write(main, b"/exit\n")
        assert proc.wait(timeout=15) == 0
    first, second, third = (r.json() for r in server.requests)
    assert first["messages"] == [{"role": "user", "content": "hello"}] and first["model"] == "m1"
    assert second["model"] == "m2" and second["messages"] == [
        {"role": "system", "content": "be brief"}, {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "first answer"}, {"role": "user", "content": "again"}]
    assert third["messages"] == [{"role": "system", "content": "be brief"},
                                 {"role": "user", "content": "fresh"}]


def test_trim_history_drops_the_oldest_turns_first():
    from revka_cli.cli.commands.chat_repl import trim_history
    from revka_cli.providers.request import Message

    history = [Message("user", "a" * 400), Message("assistant", "b" * 400),
               Message("user", "c" * 400), Message("assistant", "d" * 400), Message("user", "now")]
    kept = trim_history(history, window=250, reserve=0)
    assert [m.content[0] for m in kept] == ["c", "d", "n"]
    assert trim_history(history, window=None, reserve=0) == history


def test_repl_models_lists_the_declared_and_cached_models(server, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('default_provider = "custom"\ndefault_model = "small"\n[models.custom]\n'
                      f'url = "{server.url}/v1"\n[models.custom.available_models]\n'
                      'small = 2048\nlarge = 8192\n')
    with repl_process(config) as (main, proc):
        read_until(main, b"> ")
        os.write(main, b"/models\n")
        shown = read_until(main, b"custom/large")
        assert b"* custom/small" in shown and b"  custom/large" in shown
        os.write(main, b"/exit\n")
        assert proc.wait(timeout=15) == 0
    assert server.requests == []  # no network for the list
