"""The HTTP contract and the consultant's path through the pages (Starlette's TestClient)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest

import recp
from recp.serve.forms import apply_form, flow_rows, split_quantity
from tests.conftest import ROOT
from tests.serve.conftest import csrf_of  # noqa: F401

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
DAIRY = ROOT / "scenarios" / "dairy-md.yaml"


def upload(client, csrf, path, name=None):
    r = client.post(
        "/plants/upload",
        data={"csrf": csrf},
        files={"file": (name or path.name, path.read_bytes())},
    )
    assert r.status_code == 200, r.text[:500]
    return str(r.url).rstrip("/").rsplit("/", 1)[-1]


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_api_assess_returns_the_cli_json(client, capsys):
    r = client.post("/api/assess", files={"file": ("dairy-md.yaml", DAIRY.read_bytes())})
    assert r.status_code == 200
    from recp.cli import main

    assert main(["assess", str(DAIRY), "-f", "json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert r.json() == cli


def test_api_assess_workbook(client, tmp_path):
    import yaml

    from recp.workbook import write_workbook

    xlsx = write_workbook(yaml.safe_load(DAIRY.read_text()), tmp_path / "dairy.xlsx")
    r = client.post("/api/assess", files={"file": ("dairy.xlsx", xlsx.read_bytes())})
    assert r.status_code == 200, r.text
    assert r.json()["plant"]["sector"] == "dairy"


def test_api_unfilled_template_gives_located_cells(client, tmp_path):
    # A fresh template is refused until its TODO cells are filled (issue #15), each problem at
    # its Sheet!Cell, as the CLI says it.
    xlsx = tmp_path / "template.xlsx"
    from recp.cli import main

    assert main(["new", "--sector", "dairy", "-o", str(xlsx)]) == 0
    r = client.post("/api/assess", files={"file": ("template.xlsx", xlsx.read_bytes())})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert errors and all(e.startswith("template.xlsx:") for e in errors)
    assert any("Plant!" in e for e in errors) and any("Flows!" in e for e in errors), errors


def test_api_assess_bad_file_gives_located_lines(client):
    bad = DAIRY.read_text().replace("country: MD", "country: Moldavia-ish")
    r = client.post("/api/assess", files={"file": ("mine.yaml", bad.encode())})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert any(e.startswith("mine.yaml:") and "plant.country" in e for e in errors), errors


def test_api_assess_without_file_or_with_unknown_extension(client):
    assert client.post("/api/assess", data={"x": "1"}).status_code == 400
    r = client.post("/api/assess", files={"file": ("plant.txt", b"plant: {}")})
    assert r.status_code == 400 and ".yaml" in r.json()["errors"][0]


def test_template_edit_error_fix_assess_download(client, csrf):
    r = client.post("/plants/new", data={"csrf": csrf, "sector": "dairy"})
    assert r.status_code == 200 and 'id="plant-form"' in r.text
    pid = str(r.url).rsplit("/", 1)[-1]
    form = dict(re.findall(r'<input type="text"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', r.text))
    form.update(
        {
            n: v
            for n, v in re.findall(
                r'<select name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected',
                r.text,
                re.S,
            )
        }
    )
    form["csrf"] = csrf
    form["plant.name"] = "Dairy <script>alert(1)</script>"
    form["flows[0].amount|unit"] = "kg CO2"  # a wrong unit for a fuel
    r = client.post(f"/plants/{pid}/save", data=form)
    assert 'class="problem" role="alert"' in r.text
    field = re.search(r'<label class="field invalid"[^>]*>.*?</label>', r.text, re.S).group(0)
    assert 'name="flows[0].amount"' in field  # the problem sits beside its field
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    form["flows[0].amount|unit"] = "m3"
    form["assess"] = "1"
    r = client.post(f"/plants/{pid}/save", data=form)
    assert r.url.path == f"/plants/{pid}/report" and 'id="summary"' in r.text
    x = client.get(f"/plants/{pid}/download/xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert openpyxl.load_workbook(io.BytesIO(x.content)).sheetnames
    for fmt in ("html", "md", "json", "yaml"):
        assert client.get(f"/plants/{pid}/download/{fmt}").status_code == 200


def test_upload_shows_located_problems_beside_fields(client, csrf):
    bad = DAIRY.read_text().replace("amount: 4.4 GWh", "amount: 4.4 GWhz")
    r = client.post(
        "/plants/upload", data={"csrf": csrf}, files={"file": ("bad.yaml", bad.encode())}
    )
    assert r.status_code == 200
    field = re.search(r'<label class="field invalid"[^>]*>.*?</label>', r.text, re.S).group(0)
    assert 'name="flows[1].amount"' in field and "GWhz" in field


def test_add_catalogue_measure(client, csrf):
    pid = str(client.post("/plants/new", data={"csrf": csrf, "sector": "dairy"}).url).rsplit(
        "/", 1
    )[-1]
    measure = recp.sectors.catalogue("dairy")[0]["id"]  # type: ignore[attr-defined]
    r = client.post(f"/plants/{pid}/measure", data={"csrf": csrf, "measure": measure})
    assert r.status_code == 200 and f'value="{measure}" selected' in r.text


def test_yaml_editor_round_trip(client, csrf):
    pid = upload(client, csrf, DAIRY)
    text = DAIRY.read_text().replace("Sample Dairy", "Edited Dairy")
    r = client.post(f"/plants/{pid}/yaml", data={"csrf": csrf, "yaml": text})
    assert "Edited Dairy" in r.text and 'id="ready"' in r.text
    r = client.post(f"/plants/{pid}/yaml", data={"csrf": csrf, "yaml": "plant: [unclosed"})
    assert "YAML syntax error" in r.text


def test_language_switch_renders_chinese(client, csrf):
    pid = upload(client, csrf, DAIRY)
    r = client.post("/lang", data={"csrf": csrf, "lang": "zh", "next": f"/plants/{pid}/report"})
    assert r.url.path == f"/plants/{pid}/report" and "摘要" in r.text
    assert 'lang="zh' in client.get(f"/plants/{pid}/frame").text


@pytest.mark.parametrize(
    ("lang", "word"), [("fr", "Résumé"), ("es", "Resumen"), ("ru", "Резюме"), ("ar", "الملخص")]
)
def test_language_switch_offers_the_six_un_languages(client, csrf, lang, word):
    pid = upload(client, csrf, DAIRY)
    r = client.post("/lang", data={"csrf": csrf, "lang": lang, "next": f"/plants/{pid}/report"})
    assert r.url.path == f"/plants/{pid}/report" and word in r.text
    assert f'<html lang="{lang}"' in r.text
    assert ('dir="rtl"' in r.text) == (lang == "ar")
    frame = client.get(f"/plants/{pid}/frame").text
    assert f'lang="{lang}"' in frame and ('dir="rtl"' in frame) == (lang == "ar")
    assert all(f'<option value="{c}"' in r.text for c in ("ar", "en", "es", "fr", "ru", "zh"))


def test_compare_plants_and_scenarios(client, csrf):
    a = upload(client, csrf, DAIRY)
    b = upload(client, csrf, ROOT / "scenarios" / "hospital-md.yaml")
    r = client.post("/compare", data={"csrf": csrf, "plant": [a, b]})
    assert 'id="comparison"' in r.text and "total" in r.text
    r = client.post("/compare", data={"csrf": csrf, "plant": [a]})
    assert 'id="comparison"' in r.text and "baseline" in r.text


def test_batch_in_background_with_errors_file(client, csrf):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.write(DAIRY, "programme/dairy-md.yaml")
        z.writestr("programme/broken.yaml", "plant: {name: X}\nflows: []\n")
        z.writestr("README.txt", "not input")
    r = client.post(
        "/batch", data={"csrf": csrf}, files={"file": ("programme.zip", buf.getvalue())}
    )
    assert r.status_code == 200 and r.url.path.startswith("/batch/j")
    status = r.url.path + "/status"
    for _ in range(600):
        s = client.get(status).json()
        if s["state"] in ("done", "failed"):
            break
        import time

        time.sleep(0.1)
    assert s["state"] == "done", s
    assert s["n_ok"] == 1 and s["n_failed"] == 1
    page = client.get(r.url.path).text  # a reload shows the finished run
    assert "results.xlsx" in page and "results.errors.csv" in page and "broken" in page
    errors = client.get(r.url.path + "/file/results.errors.csv")
    assert errors.status_code == 200 and b"broken" in errors.content
    assert client.get(r.url.path + "/file/..%2F..%2Fetc%2Fpasswd").status_code == 404


def test_forms_keep_keys_they_do_not_show():
    doc = recp.sectors.template_data("dairy")  # type: ignore[attr-defined]
    doc["flows"][0]["ncv"] = "34 MJ/m3"
    form = {
        "flows[0].id": doc["flows"][0]["id"],
        "flows[0].amount": "2",
        "flows[0].amount|unit": "t",
    }
    out = apply_form(doc, form)
    assert out["flows"][0]["ncv"] == "34 MJ/m3" and out["flows"][0]["amount"] == "2 t"
    assert len(out["flows"]) == len(doc["flows"])
    assert len(flow_rows(out)) == len(doc["flows"]) + 1  # one empty row to add a flow


@pytest.mark.parametrize(
    ("typed", "parts"),
    [("1.25e6 m3", ("1.25e6", "m3")), ("-8 %", ("-8", "%")), ("4.4 GWh", ("4.4", "GWh")),
     (12, ("12", "")), ("many t", ("many t", ""))],
)  # fmt: skip
def test_split_quantity(typed, parts):
    assert split_quantity(typed) == parts


@pytest.mark.slow
def test_cli_start_up_does_not_import_the_web_stack():
    probe = (
        "import sys; from recp.cli import app; "
        "web = [m for m in ('starlette', 'uvicorn', 'jinja2', 'multipart', 'python_multipart', "
        "'recp.serve') if m in sys.modules]; print(','.join(web))"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "", r.stdout + r.stderr


def test_serve_refuses_an_open_host_without_token(capsys, monkeypatch):
    from recp.cli import main

    monkeypatch.delenv("RECP_SERVE_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "--token" in capsys.readouterr().err
    assert main(["serve", "--host", "0.0.0.0", "--token", "short"]) == 2
    assert "12 characters" in capsys.readouterr().err


def test_empty_new_rows_add_nothing():
    doc = recp.sectors.template_data("dairy")  # type: ignore[attr-defined]
    n = len(doc["flows"])
    form = {f"flows[{n}].type": "fuel", f"flows[{n}].id": "", f"flows[{n}].amount": ""}
    assert len(apply_form(doc, form)["flows"]) == n
    form[f"flows[{n}].amount"] = (
        "5"  # typed something: kept, and the check will say what is missing
    )
    assert len(apply_form(doc, form)["flows"]) == n + 1


def wait_job(client, path):
    import time

    for _ in range(600):
        s = client.get(path + "/status").json()
        if s["state"] in ("done", "failed"):
            return s
        time.sleep(0.1)
    raise AssertionError(s)


def test_batch_of_tidy_tables_zip_with_rollups(client, csrf):
    from recp.tables import tables_from_scenarios

    files = [DAIRY, ROOT / "scenarios" / "hospital-md.yaml"]
    t = tables_from_scenarios([recp.load(f) for f in files], [f.stem for f in files])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("plants", "flows", "interventions"):
            z.writestr(f"tables/{name}.csv", getattr(t, name).to_csv(index=False))
    r = client.post("/batch", data={"csrf": csrf}, files={"file": ("prog.zip", buf.getvalue())})
    s = wait_job(client, r.url.path)
    assert s["state"] == "done" and s["n_ok"] == 2 and s["n_failed"] == 0, s
    x = client.get(r.url.path + "/file/results.xlsx")
    sheets = openpyxl.load_workbook(io.BytesIO(x.content)).sheetnames
    assert "results" in sheets and "rollup-sector" in sheets and "rollup-country" in sheets


def test_batch_refuses_other_uploads(client, csrf):
    r = client.post("/batch", data={"csrf": csrf}, files={"file": ("p.yaml", b"x")})
    assert r.status_code == 400 and ".zip" in r.text
    r = client.post("/batch", data={"csrf": csrf}, files={"file": ("p.zip", b"not a zip")})
    assert r.status_code == 400 and "not a readable .zip" in r.text


def test_plant_limit_is_a_message_not_a_silent_drop(csrf):
    from starlette.testclient import TestClient

    from recp.serve import Config, create_app
    from tests.serve.conftest import BASE

    with TestClient(create_app(Config(max_plants=2)), base_url=BASE) as c:
        csrf = csrf_of(c.get("/").text)
        for _ in range(2):
            assert c.post("/plants/new", data={"csrf": csrf, "sector": "dairy"}).status_code == 200
        r = c.post("/plants/new", data={"csrf": csrf, "sector": "dairy"})
        assert r.status_code == 400 and "at most 2 plants" in r.text
        assert c.get("/plants/p1").status_code == 200  # nothing was dropped


def test_a_stopping_server_ends_a_running_batch(tmp_path):
    import threading

    from recp.serve.jobs import run_job
    from recp.serve.store import Job

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dairy.yaml").write_bytes(DAIRY.read_bytes())
    stop = threading.Event()
    stop.set()
    job = Job(jid="j1", name="x", folder=tmp_path)
    run_job(job, tmp_path / "in", stop)
    assert job.state == "failed" and "stopped" in job.message
