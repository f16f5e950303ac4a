"""How fast ``recp serve`` answers (run on demand: `make bench`).

Starts a real ``recp serve`` on a free loopback port and times, per worked plant, over HTTP:
1. ``POST /api/assess`` (upload, parse, validate, assess, JSON), the contract of the issue;
2. the consultant's path: upload the file, then open the report page (summary, warnings);
3. ``recp.assess(recp.load(...))`` in this process, for the same plant, as the reference.
Prints the median of several runs after one warm-up. No timing is asserted anywhere.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLANTS = sorted((ROOT / "scenarios").glob("*.yaml"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    b = uuid.uuid4().hex
    parts = [
        f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + f"\r\n--{b}--\r\n".encode()
    )
    return b"".join(parts), f"multipart/form-data; boundary={b}"


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookie = ""

    def request(self, method: str, path: str, body: bytes = b"", ctype: str = "") -> tuple:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if ctype:
            headers["Content-Type"] = ctype
        if self.cookie:
            headers["Cookie"] = self.cookie
        c.request(method, path, body=body or None, headers=headers)
        r = c.getresponse()
        data = r.read()
        if r.getheader("set-cookie"):
            self.cookie = r.getheader("set-cookie").split(";")[0]
        return r.status, r.getheader("location"), data


def median_ms(fn, repeat: int = 7) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def main() -> None:
    import recp

    port = free_port()
    exe = Path(sys.executable).parent / "recp"
    proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        c = Client(port)
        for _ in range(300):
            try:
                if c.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        status, _, home = c.request("GET", "/")
        csrf = re.search(rb'name="csrf" value="([^"]+)"', home).group(1).decode()
        print(
            f"{'plant':28s} {'POST /api/assess':>17s} {'upload + report':>16s} {'in-process':>11s}"
        )
        for path in PLANTS:
            raw = path.read_bytes()

            def api(raw=raw, name=path.name):
                body, ctype = multipart({}, name, raw)
                s, _, data = c.request("POST", "/api/assess", body, ctype)
                assert s == 200, data[:300]
                json.loads(data)

            def page(raw=raw, name=path.name):
                body, ctype = multipart({"csrf": csrf}, name, raw)
                s, loc, _ = c.request("POST", "/plants/upload", body, ctype)
                assert s == 303, s
                s, _, html = c.request("GET", loc + "/report")
                assert s == 200 and b'id="summary"' in html
                c.request("POST", loc + "/remove", f"csrf={csrf}".encode(),
                          "application/x-www-form-urlencoded")  # fmt: skip

            def local(path=path):
                recp.assess(recp.load(path))

            print(
                f"{path.stem:28s} {median_ms(api):14.0f} ms {median_ms(page):13.0f} ms "
                f"{median_ms(local):8.0f} ms"
            )
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
