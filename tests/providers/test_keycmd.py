"""api_key_cmd runs (providers/keycmd.py): once per command and process, and different commands
side by side (doctor resolves many providers at once)."""

from __future__ import annotations

import sys
import threading
import time

from revka_cli.providers.keycmd import run_key_command


def _command(tmp_path, name: str, code: str) -> tuple[str, ...]:
    script = tmp_path / f"{name}.py"
    script.write_text(code)
    return (sys.executable, str(script))


def test_one_command_runs_once_however_many_threads_ask(tmp_path):
    runs = tmp_path / "runs"
    argv = _command(tmp_path, "key", f"open({str(runs)!r}, 'a').write('x'); print('sk-one')\n")
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(run_key_command(argv, "vllm", 10)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert keys == ["sk-one"] * 8 and runs.read_text() == "x"


def test_different_commands_do_not_wait_for_each_other(tmp_path):
    flag, started = tmp_path / "flag", tmp_path / "started"
    waits = _command(tmp_path, "waits", f"import os, time\nopen({str(started)!r}, 'w').close()\n"
                     f"while not os.path.exists({str(flag)!r}): time.sleep(0.01)\nprint('sk-a')\n")
    frees = _command(tmp_path, "frees", f"open({str(flag)!r}, 'w').close(); print('sk-b')\n")
    got: dict[str, object] = {}

    def ask(name, argv):
        try:
            got[name] = run_key_command(argv, name, 8)
        except Exception as exc:  # noqa: BLE001 - a timeout here means the runs were serialised
            got[name] = exc

    first = threading.Thread(target=ask, args=("vllm", waits))
    first.start()
    deadline = time.monotonic() + 8
    while not started.exists() and time.monotonic() < deadline:  # the first command is running
        time.sleep(0.01)
    ask("sglang", frees)  # one lock for all commands: this waits for `first`, which never ends
    first.join()
    assert got == {"vllm": "sk-a", "sglang": "sk-b"}


def test_a_thread_waiting_for_the_run_keeps_its_own_timeout(tmp_path):
    import pytest

    from revka_cli.errors import ConfigError

    started = tmp_path / "started"
    slow = _command(tmp_path, "slow", f"import time\nopen({str(started)!r}, 'w').close()\n"
                    "time.sleep(3)\nprint('sk-slow')\n")
    first = threading.Thread(target=run_key_command, args=(slow, "vllm", 10))
    first.start()
    deadline = time.monotonic() + 8
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(ConfigError) as caught:
        run_key_command(slow, "vllm", 0.2)  # the same command, already running: wait 0.2 s only
    first.join()
    assert caught.value.message.endswith("did not finish within 0.2s") and caught.value.exit_code == 3
    assert run_key_command(slow, "vllm", 0.2) == "sk-slow"  # the first run's key, remembered
