"""Peak memory of a real `revka chat` process against servers that never end a line (issue 13
§2). Measured in a fresh wrapper process, whose RUSAGE_CHILDREN is revka's alone.

Figures on a 2-core AMD EPYC: a 200 MB SSE line took revka to 827 MB before the cap, a 254 KiB gzip
body inflating to a 256 MiB line to 809 MB; both now stop at the 16 MiB cap at about 45 MB.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

import pytest

from tests.servers import Reply

MiB = 1024 * 1024
LIMIT_MB = 128  # well under the 256 MB bound; revka itself starts at about 30 MB
_WRAPPER = ("import resource, subprocess, sys\n"
            "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
            "sys.stderr.buffer.write(code.stderr)\n"
            "print(code.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def peak_rss_mb(*args: str) -> tuple[int, float, str]:
    """(exit code, peak RSS in MB, stderr) of `python -m revka_cli ARGS`."""
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, sys.executable, "-m", "revka_cli", *args],
                          capture_output=True, timeout=120, env=dict(os.environ))
    code, kib = proc.stdout.split()
    return int(code), int(kib) / 1024, proc.stderr.decode("utf-8", "replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ru_maxrss is in KiB on Linux")
@pytest.mark.parametrize("reply", [
    Reply.sse([b"data: "] + [b"a" * MiB] * 64),  # a 64 MB line without a newline
    Reply(200, [gzip.compress(b"data: " + b"a" * (64 * MiB), 9)], headers={"Content-Encoding": "gzip"},
          content_type="text/event-stream", chunked=False),  # 64 KiB of gzip, a 64 MiB line
], ids=["64MB-line", "gzip-64MiB-line"])
def test_a_line_that_never_ends_keeps_peak_rss_well_under_256_mb(server, write_config, reply):
    server.route("POST", "/v1/chat/completions", reply)
    write_config(f'default_provider = "custom:{server.url}/v1"\ndefault_model = "m"\n'
                 "[reliability]\nprovider_retries = 0\n")
    code, peak, stderr = peak_rss_mb("chat", "hi")
    assert code == 1 and "larger than 16 MiB" in stderr, stderr
    assert peak < LIMIT_MB, f"peak RSS {peak:.0f} MB"
