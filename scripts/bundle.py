"""`make publish-bundle`: a directory under build/ that deploys as it is to a hosted container platform.

Made with Datasette's own publishing machinery, `datasette publish fly --generate-dir`
(datasette-publish-fly): a Dockerfile and fly.toml, the site's database and each earlier
edition's, their metadata (metadata.yml with a database for each edition, as scripts/databases.py
describes them), plugins, templates and static files, and this package as a wheel, which the plugins
import (its shared rules, scripts/core/). The Dockerfile pins the versions installed here, installs
the wheel, precomputes the inspect file and serves the databases immutable (`-i`) with every setting
of scripts/serve.py. `fly deploy` in that directory deploys it; any platform that runs a
Dockerfile can run it too.
"""
import json
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import click

from .databases import check_database, served_databases, site_metadata
from .serve import PLUGINS, ROOT, SETTINGS, STATIC, TEMPLATES

APP = "pycon-us"  # the platform's name for the deployment: the same every year
PINNED = ("datasette", "datasette-cluster-map", "datasette-leaflet", "nh3")


def package_wheel(folder: Path) -> Path:
    """This package (`pycon-db` and the rules the plugins share) built as a wheel in `folder`."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(folder), str(ROOT)], check=True, capture_output=True, text=True)
    return next(folder.glob("*.whl"))


def publish_command(db: Path, out: Path, metadata: Path, app: str = APP, wheel: Path = None):
    """The `datasette publish fly` command line that writes the bundle (installing `wheel`, copied beside it)."""
    files = [str(p) for p in served_databases(db)]
    args = [sys.executable, "-m", "datasette", "publish", "fly", *files, "--app", app, "--generate-dir", str(out),
            "--metadata", str(metadata), "--plugins-dir", str(PLUGINS), "--template-dir", str(TEMPLATES),
            "--static", f"static:{STATIC}"]
    for name in PINNED:
        args += ["--install", f"{name}=={version(name)}"]
    if wheel is not None:
        args += ["--install", f"./{wheel.name}"]
    for name, value in SETTINGS.items():
        args += ["--setting", name, str(value)]
    return args


def publish_bundle(db: Path, out: Path, app: str = APP):
    check_database(db)
    if out.exists():
        shutil.rmtree(out)
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(site_metadata(db), ensure_ascii=False, indent=2))
        wheel = package_wheel(Path(tmp))
        result = subprocess.run(publish_command(db, out, metadata, app, wheel), capture_output=True, text=True, cwd=ROOT)
        if result.returncode != 0 or not (out / "Dockerfile").exists():
            raise click.ClickException("datasette publish fly --generate-dir failed:\n" + result.stdout + result.stderr)
        shutil.copy2(wheel, out / wheel.name)
    return out


@click.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=Path("build/pycon.db"), show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build/bundle"), show_default=True)
@click.option("--app", default=APP, show_default=True, help="The app's name on the platform.")
def main(db, out, app):
    """Write the deployable bundle (Dockerfile, fly.toml, database, metadata, plugins, templates)."""
    publish_bundle(db, out, app)
    click.echo(f"wrote {out}/: " + ", ".join(sorted(p.name for p in out.iterdir())))
    click.echo(f"deploy it with `fly deploy` in {out}/ (or build its Dockerfile on any container platform)")


if __name__ == "__main__":
    main()
