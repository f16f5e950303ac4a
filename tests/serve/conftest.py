from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import pytest

from recp.serve import Config, create_app

BASE = "http://127.0.0.1:8765"


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, html[:500]
    return m.group(1)


@pytest.fixture
def client() -> Iterator[object]:
    with warnings.catch_warnings():
        # Starlette 1.x suggests httpx2 for its TestClient; httpx (the client of the lowest
        # versions pyproject allows) still works.
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    app = create_app(Config())
    with TestClient(app, base_url=BASE) as c:
        yield c


@pytest.fixture
def csrf(client) -> str:
    return csrf_of(client.get("/").text)
