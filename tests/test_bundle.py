"""`make publish-bundle`: what the deployable directory holds, and that it serves as its Dockerfile says."""
import json
import shlex
import subprocess

import pytest
import yaml

from scripts.bundle import APP, PINNED, publish_bundle
from deploy.harness import free_port, wait_for
from scripts.databases import INHERITED, METADATA, site_metadata
from scripts.serve import PLUGINS, SETTINGS, STATIC, TEMPLATES


@pytest.fixture(scope="module")
def bundle(real_db, tmp_path_factory):
    return publish_bundle(real_db, tmp_path_factory.mktemp("bundle") / "bundle")


def dockerfile(bundle):
    return (bundle / "Dockerfile").read_text()


def test_the_bundle_holds_the_site(bundle, real_db):
    for name in ("pycon.db", "pycon2025.db", "pycon2024.db", "pycon2023.db", "pycon2022.db"):  # every edition's
        assert (bundle / name).read_bytes() == real_db.with_name(name).read_bytes(), name
    metadata = json.loads((bundle / "metadata.json").read_text())
    assert metadata == site_metadata(real_db)
    written = yaml.safe_load(METADATA.read_text())["databases"]["pycon"]
    shown = {name: {k: v for k, v in table.items() if k not in INHERITED}
             for name, table in metadata["databases"]["pycon"]["tables"].items()}
    assert shown == written["tables"] and metadata["databases"]["pycon"]["queries"] == written["queries"]
    assert metadata["title"] == "PyCon US 2026" and metadata["databases"]["pycon"]["about_url"] == "https://us.pycon.org/2026/"
    assert metadata["databases"]["pycon2023"]["title"] == "PyCon US 2023"
    for source, copied in ((PLUGINS, bundle / "plugins"), (TEMPLATES, bundle / "templates"), (STATIC, bundle / "static")):
        names = sorted(p.name for p in source.iterdir() if p.is_file() and p.suffix != ".pyc")
        assert names and all((copied / n).read_bytes() == (source / n).read_bytes() for n in names), source.name
    assert f'app = "{APP}"' in (bundle / "fly.toml").read_text()
    (wheel,) = bundle.glob("*.whl")  # the package the plugins import, installed by the Dockerfile
    assert f" ./{wheel.name}" in dockerfile(bundle)


def test_the_dockerfile_pins_versions_and_serves_immutable_with_every_setting(bundle):
    from importlib.metadata import version

    text = dockerfile(bundle)
    for name in PINNED:
        assert f"{name}=={version(name)}" in text, name
    cmd = next(line for line in text.splitlines() if line.startswith("CMD "))
    assert " -i pycon.db -i pycon2025.db -i pycon2024.db -i pycon2023.db -i pycon2022.db " in cmd
    assert "--inspect-file inspect-data.json" in cmd and "--cors" in cmd
    assert "datasette inspect pycon.db pycon2025.db pycon2024.db pycon2023.db pycon2022.db --inspect-file inspect-data.json" in text
    for name, value in SETTINGS.items():
        assert f"--setting {name} {value}" in cmd, name


@pytest.fixture(scope="module")
def deployed(bundle, tmp_path_factory):
    """The bundle installed as its Dockerfile says, in a fresh virtual environment without this checkout's
    packages (so the plugins find the package only through the wheel): that environment's bin folder."""
    import venv

    env = tmp_path_factory.mktemp("deployed") / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    install = next(line for line in dockerfile(bundle).splitlines() if line.startswith("RUN pip install"))[4:]
    args = [str(env / "bin" / "python"), "-m"] + shlex.split(install) + ["--quiet"]
    subprocess.run(args, cwd=bundle, check=True, timeout=600, capture_output=True)
    return env / "bin"


def test_the_bundle_installs_and_serves_as_its_dockerfile_says(bundle, deployed):
    """Run the Dockerfile's own commands in the bundle folder, with the Datasette it installed."""
    text = dockerfile(bundle)
    datasette = str(deployed / "datasette")
    inspect = next(line for line in text.splitlines() if line.startswith("RUN datasette inspect"))[4:]
    subprocess.run([datasette] + shlex.split(inspect)[1:], cwd=bundle, check=True, timeout=120)
    port = free_port()
    cmd = next(line for line in text.splitlines() if line.startswith("CMD "))[4:].replace("$PORT", str(port))
    args = [datasette] + shlex.split(cmd)[1:]
    args[args.index("0.0.0.0")] = "127.0.0.1"  # loopback only, here
    proc = subprocess.Popen(args, cwd=bundle, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/-/versions.json", process=proc)
        import urllib.request

        for path, needle in (("/schedule/2026-05-15", b"Keynote"), ("/pycon/program.ics", b"BEGIN:VCALENDAR"),
                             ("/schedule/2023-04-21", b"A Per-Interpreter GIL"), ("/pycon2023/schedule.xml", b"<title>PyCon US 2023</title>"),
                             ("/pycon/sessions/1005", b"Pacific Ballroom - Arena"), ("/static/my-schedule.js", b"localStorage"),
                             ("/pycon/search?q=asyncronous", b"asynchronous")):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200 and needle in response.read(), path
        with urllib.request.urlopen(base + "/-/databases.json", timeout=10) as response:
            assert json.loads(response.read())[0]["is_mutable"] is False
    finally:
        proc.terminate()
        proc.wait(timeout=10)
