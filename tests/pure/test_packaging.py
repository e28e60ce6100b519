"""The addon as a package: the wheel OCA's whool builds, and the README
generated from readme/."""

import importlib.util
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
ADDON = "bigcommerce_connector"
PIP = (sys.executable, "-m", "pip", "--quiet", "--disable-pip-version-check")


def _tracked_files():
    """The files git would ship: tracked or new, not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [name for name in out.splitlines() if (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """Build the wheel from a copy of the checkout named as the addon (whool
    names the distribution after the addon's folder)."""
    if not shutil.which("git"):
        pytest.skip("git is needed to list the addon's files")
    tmp = tmp_path_factory.mktemp("wheel")
    addon = tmp / ADDON
    for name in _tracked_files():
        target = addon / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", addon],
        check=True,
        capture_output=True,
    )
    (built,) = (tmp / "dist").glob("*.whl")
    return built


def test_wheel_is_an_oca_style_addon_distribution(wheel):
    assert wheel.name.startswith("odoo_addon_bigcommerce_connector-19.0.")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    assert f"odoo/addons/{ADDON}/__manifest__.py" in names
    assert f"odoo/addons/{ADDON}/models/bigcommerce_backend.py" in names
    assert metadata["Name"] == "odoo-addon-bigcommerce_connector"
    requires = {
        r.split(";")[0].replace(" ", "") for r in metadata.get_all("Requires-Dist")
    }
    # queue_job from "depends", the rest from external_dependencies.
    assert {
        "odoo-addon-queue_job==19.0.*",
        "odoo==19.0.*",
        "requests",
        "standardwebhooks",
        "cryptography",
    } <= requires


def test_wheel_installs_and_its_dependencies_are_met(wheel, tmp_path):
    """The wheel installs as an Odoo addon, and every dependency it declares
    is met by this environment (Odoo 19 and queue_job included)."""
    target = tmp_path / "site"
    subprocess.run(
        [*PIP, "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert (target / "odoo/addons" / ADDON / "__manifest__.py").is_file()
    with zipfile.ZipFile(wheel) as archive:
        (metadata_name,) = [
            n for n in archive.namelist() if n.endswith(".dist-info/METADATA")
        ]
        metadata = Parser().parsestr(archive.read(metadata_name).decode())
    unmet = []
    for line in metadata.get_all("Requires-Dist"):
        requirement = Requirement(line)
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            installed = None
        if installed is None or not requirement.specifier.contains(
            installed, prereleases=True
        ):
            unmet.append(f"{line} (installed: {installed})")
    assert not unmet


def test_readme_is_generated_from_its_fragments():
    pytest.importorskip("pypandoc")
    spec = importlib.util.spec_from_file_location(
        "gen_readme", ROOT / "tools/gen_readme.py"
    )
    gen_readme = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_readme)
    assert (ROOT / "README.rst").read_text() == gen_readme.generate(), (
        "README.rst differs from readme/: run tools/gen_readme.py"
    )
