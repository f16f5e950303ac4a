"""Safe by default: zip-slip, size limits, hostile names, token, cross-site posts, sessions."""

from __future__ import annotations

import io
import os
import warnings
import zipfile
from pathlib import Path

import pytest

from recp.errors import InputError
from recp.serve import Config, check_config, create_app
from recp.serve.uploads import display_name, unpack_zip
from tests.conftest import ROOT
from tests.serve.conftest import BASE, csrf_of

DAIRY = ROOT / "scenarios" / "dairy-md.yaml"


def client_for(cfg: Config, base: str = BASE):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    return TestClient(create_app(cfg), base_url=base)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


# -- zips ------------------------------------------------------------------------------------


def zip_of(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "evil", ["../evil.yaml", "a/../../evil.yaml", "/tmp/evil.yaml", "C:/evil.yaml", "..\\evil.yaml"]
)
def test_zip_slip_is_refused_and_writes_nothing(tmp_path, evil):
    dest = tmp_path / "job" / "in"
    dest.mkdir(parents=True)
    raw = zip_of({"ok.yaml": DAIRY.read_bytes(), evil: b"plant: {}"})
    before = files_under(tmp_path)
    with pytest.raises(InputError, match="refused"):
        unpack_zip(raw, dest, 100, 10 * 2**20)
    assert files_under(tmp_path) == before  # nothing written, inside or outside
    assert not (tmp_path / "evil.yaml").exists() and not Path("/tmp/evil.yaml").exists()


def test_zip_symlink_entry_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("link.yaml")
        info.external_attr = 0o120777 << 16  # a symbolic link
        z.writestr(info, "/etc/passwd")
    with pytest.raises(InputError, match="symbolic link"):
        unpack_zip(buf.getvalue(), tmp_path, 100, 2**20)
    assert list(tmp_path.iterdir()) == []


def test_zip_bomb_and_too_many_entries_are_refused(tmp_path):
    big = zip_of({"big.csv": b"0" * (3 * 2**20)})
    with pytest.raises(InputError, match="unpacks to more than"):
        unpack_zip(big, tmp_path, 100, 2**20)
    many = zip_of({f"p{i}.yaml": b"x" for i in range(20)})
    with pytest.raises(InputError, match="at most 10"):
        unpack_zip(many, tmp_path, 10, 2**20)
    assert list(tmp_path.iterdir()) == []


def test_zip_entries_are_unpacked_flat_under_safe_names(tmp_path):
    raw = zip_of({"deep/dir/pl ant;$(x).yaml": b"a", "notes.txt": b"b", "__MACOSX/._x": b""})
    out = unpack_zip(raw, tmp_path, 100, 2**20)
    assert [p.name for p in out] == ["pl_ant_x_.yaml"]
    assert all(p.parent == tmp_path.resolve() for p in out)


def test_zip_slip_through_the_batch_page(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the server's temp root in here
    with client_for(Config()) as c:
        csrf = csrf_of(c.get("/").text)
        root = c.app.app.state.pages.store.root  # type: ignore[attr-defined]
        assert root.parent == tmp_path
        before = files_under(root.parent)
        r = c.post(
            "/batch",
            data={"csrf": csrf},
            files={"file": ("p.zip", zip_of({"../../../escaped.yaml": DAIRY.read_bytes()}))},
        )
        assert r.status_code == 400 and "refused" in r.text
        new = files_under(root.parent) - before
        assert all(root in p.parents for p in new), new  # only the session's own folder
        assert not any(p.name == "escaped.yaml" for p in root.parent.rglob("*"))


# -- sizes -----------------------------------------------------------------------------------


def test_oversize_upload_is_413():
    with client_for(Config(max_upload=2**16)) as c:
        csrf = csrf_of(c.get("/").text)
        big = b"#" * (2**16 + 10)
        r = c.post("/api/assess", files={"file": ("big.yaml", big)})
        assert r.status_code == 413 and "larger than" in r.json()["errors"][0]
        r = c.post("/plants/upload", data={"csrf": csrf}, files={"file": ("big.yaml", big)})
        assert r.status_code == 413


def test_body_longer_than_declared_is_cut_off():
    cfg = Config(max_upload=1000)
    with client_for(cfg) as c:

        def chunks():
            for _ in range(50):
                yield b"x" * 100

        r = c.post("/api/assess", content=chunks(), headers={"content-type": "text/plain"})
        assert r.status_code in (400, 413)


# -- hostile text ----------------------------------------------------------------------------


def test_hostile_plant_name_and_file_name_stay_inert(client, csrf):
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    text = DAIRY.read_text().replace("Sample Dairy (Chisinau region)", hostile.replace('"', "'"))
    r = client.post(
        "/plants/upload",
        data={"csrf": csrf},
        files={"file": ('../../x"><script>alert(3)</script>.yaml', text.encode())},
    )
    assert r.status_code == 200
    for page in (r.text, client.get("/").text, client.get(r.url.path + "/report").text):
        assert "<script>alert" not in page and "<img src=x" not in page
    assert display_name("../../a/b.yaml") == "b.yaml"


def test_strict_headers_on_every_page(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


# -- access ----------------------------------------------------------------------------------


def test_open_host_needs_a_token(monkeypatch):
    monkeypatch.delenv("RECP_SERVE_TOKEN", raising=False)
    with pytest.raises(InputError, match="--token"):
        check_config(Config(host="0.0.0.0"))
    with pytest.raises(InputError, match="12 characters"):
        check_config(Config(host="10.1.2.3", token="abc"))
    monkeypatch.setenv("RECP_SERVE_TOKEN", "a-long-enough-token")
    assert check_config(Config(host="0.0.0.0")).token == "a-long-enough-token"


def test_missing_token_is_refused_on_an_open_bind():
    token = "correct-horse-battery"
    with client_for(Config(host="0.0.0.0", token=token), base="http://10.0.0.5:8765") as c:
        assert c.get("/healthz").status_code == 200
        r = c.get("/", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
        r = c.post("/api/assess", files={"file": ("d.yaml", DAIRY.read_bytes())})
        assert r.status_code == 401
        r = c.post(
            "/api/assess",
            files={"file": ("d.yaml", DAIRY.read_bytes())},
            headers={"authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200
        csrf = csrf_of(c.get("/login").text)
        assert c.post("/login", data={"csrf": csrf, "token": "wrong-token-here"}).status_code == 403
        assert c.post("/login", data={"csrf": csrf, "token": token}).url.path == "/"
        assert c.get("/").status_code == 200


def test_loopback_server_refuses_other_host_names():
    with client_for(Config(), base="http://attacker.example:8765") as c:
        assert c.get("/").status_code == 400  # DNS rebinding


def test_cross_site_form_post_is_refused(client, csrf):
    r = client.post(
        "/plants/new",
        data={"csrf": csrf, "sector": "dairy"},
        headers={"origin": "http://evil.example"},
    )
    assert r.status_code == 403
    r = client.post(
        "/plants/new",
        data={"csrf": csrf, "sector": "dairy"},
        headers={"sec-fetch-site": "cross-site"},
    )
    assert r.status_code == 403
    r = client.post(
        "/plants/new",
        data={"csrf": csrf, "sector": "dairy"},
        headers={"sec-fetch-site": "same-site"},
    )
    assert r.status_code == 403  # a sibling sub-domain is another site too
    r = client.post("/plants/new", data={"sector": "dairy"})  # no CSRF token
    assert r.status_code == 403
    r = client.post("/plants/new", data={"csrf": "guess", "sector": "dairy"})
    assert r.status_code == 403
    assert "Sample" not in client.get("/").text and "/plants/p" not in client.get("/").text


def test_sessions_are_isolated():
    with client_for(Config()) as a:
        csrf = csrf_of(a.get("/").text)
        r = a.post(
            "/plants/upload", data={"csrf": csrf}, files={"file": ("d.yaml", DAIRY.read_bytes())}
        )
        pid = r.url.path.rsplit("/", 1)[-1]
        cookie = a.cookies.get("recp_session")
        a.cookies.clear()  # another browser on the same server
        assert a.get(f"/plants/{pid}").status_code == 404
        assert a.get(f"/plants/{pid}/download/json").status_code == 404
        assert "Sample Dairy" not in a.get("/").text
        a.cookies.set("recp_session", cookie)
        assert a.get(f"/plants/{pid}").status_code == 200


def test_temporary_files_are_removed():
    c = client_for(Config())
    with c:
        csrf = csrf_of(c.get("/").text)
        root = c.app.app.state.pages.store.root  # type: ignore[attr-defined]
        c.post("/plants/upload", data={"csrf": csrf}, files={"file": ("d.xlsx", b"not a zip")})
        c.post("/api/assess", files={"file": ("d.yaml", DAIRY.read_bytes())})
        left = [p for p in root.rglob("*") if p.is_file()]
        assert left == []  # uploads are read and removed at once
    assert not root.exists()  # the server's whole temporary folder goes at shutdown
    assert os.path.isdir(os.path.dirname(root))


def test_callers_without_the_token_make_no_sessions():
    token = "correct-horse-battery"
    with client_for(Config(host="0.0.0.0", token=token, max_sessions=3), base="http://h:1") as c:
        csrf = csrf_of(c.get("/login").text)
        c.post("/login", data={"csrf": csrf, "token": token})
        r = c.post(
            "/api/assess",
            files={"file": ("d.yaml", DAIRY.read_bytes())},
            headers={"authorization": f"Bearer {token}"},
        )
        assert r.status_code == 200
        mine = c.cookies.get("recp_session")
        store = c.app.app.state.pages.store  # type: ignore[attr-defined]
        c.cookies.clear()
        for _ in range(20):  # a flood of strangers
            assert c.get("/", follow_redirects=False).status_code == 303
        assert len(store.sessions) == 1 and mine in store.sessions


def test_a_flood_of_new_sessions_never_evicts_someones_work():
    with client_for(Config(max_sessions=3)) as c:
        csrf = csrf_of(c.get("/").text)
        c.post("/plants/new", data={"csrf": csrf, "sector": "dairy"})
        mine = c.cookies.get("recp_session")
        for _ in range(10):
            c.cookies.clear()
            c.get("/")
        c.cookies.clear()
        c.cookies.set("recp_session", mine)
        assert c.get("/plants/p1").status_code == 200
