"""Start ``recp serve``: check the settings, then serve the app with uvicorn."""

from __future__ import annotations

import threading
import webbrowser

import uvicorn

from recp.serve.config import Config, check_config
from recp.serve.routes import create_app


def run(cfg: Config, open_browser: bool = False) -> None:
    """Check ``cfg``, then serve the page with uvicorn until interrupted."""
    check_config(cfg)
    app = create_app(cfg)
    shown = f"[{cfg.host}]" if ":" in cfg.host else cfg.host
    url = f"http://{shown}:{cfg.port}/"
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    print(f"recp serve: open {url} (Ctrl+C stops it)", flush=True)
    uvicorn.run(
        app,
        host=cfg.host,
        port=cfg.port,
        log_level="warning",
        server_header=False,
        proxy_headers=False,
        limit_concurrency=64,
        timeout_keep_alive=5,
    )
