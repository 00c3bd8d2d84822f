"""The Python artifacts of `make dist` (dist/python/), tested as users get them. `make test-dist`
builds them and installs what runs them (qemu-user, Debian's arm64 CPython, musl's loader, a
wheelhouse with pytest) first; run another way, the tests say what is missing.

- the three abi3 wheels and the sdist are there, with the right tags and metadata;
- the glibc wheels' extension needs at most GLIBC_2.17; the musl one links against musl only;
- the x86_64 wheel installs offline into a fresh venv and passes the vector and API suites there,
  with no cargo on PATH;
- the aarch64 wheel passes the vector suite on Debian's arm64 CPython under qemu-user;
- the sdist installs with plain `pip install` (building with the machine's Rust) into a fresh venv
  and passes a smoke test of every public name.
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "bindings-python"
DIST = ROOT / "dist" / "python"
SOURCE = PKG / "python" / "hookseal"
PYPROJECT = (PKG / "pyproject.toml").read_text()  # (tomllib is 3.11+; these keys are one-liners)
VERSION = re.search(r'^version = "(.+)"$', PYPROJECT, re.M)[1]  # type: ignore[index]
REQUIRES_PYTHON = re.search(r'^requires-python = "(.+)"$', PYPROJECT, re.M)[1]  # type: ignore[index]
LICENSE = re.search(r'^license = \{ text = "(.+)" \}$', PYPROJECT, re.M)[1]  # type: ignore[index]
MAX_GLIBC = (2, 17)

PLATFORMS = ["manylinux2014_x86_64", "manylinux2014_aarch64", "musllinux_1_2_x86_64"]


def tool(name: str) -> str:
    """A path `make test-dist` passes in the environment."""
    value = os.environ.get(name, "")
    if not value or not Path(value).exists():
        pytest.fail(f"{name}={value!r}: missing; run these tests with `make test-dist`, which installs it")
    return value


def redis_url() -> str:
    """The throwaway redis-server of scripts/with-redis.sh (`make test-dist` runs under it)."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.fail("REDIS_URL is not set: run these tests with `make test-dist` (scripts/with-redis.sh)")
    return url


def wheel(platform: str) -> Path:
    found = [w for w in DIST.glob(f"hookseal-{VERSION}-*.whl") if platform in w.name]
    assert len(found) == 1, f"one {platform} wheel in {DIST} (`make dist` writes it): {found}"
    return found[0]


def sdist() -> Path:
    path = DIST / f"hookseal-{VERSION}.tar.gz"
    assert path.exists(), f"{path} is missing: `make dist` writes it"
    return path


def extension(whl: Path, into: Path) -> Path:
    with zipfile.ZipFile(whl) as z:
        (name,) = [n for n in z.namelist() if re.fullmatch(r"hookseal/_hookseal\..*so", n)]
        return Path(z.extract(name, into))


def max_glibc(so: Path) -> tuple[int, ...] | None:
    out = subprocess.run(["objdump", "-T", str(so)], check=True, capture_output=True, text=True).stdout
    versions = [tuple(int(x) for x in m.split(".")) for m in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)]
    return max(versions) if versions else None


def path_without_cargo() -> str:
    """The current PATH less every directory that holds cargo or rustc (a /usr/bin/cargo too)."""
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(d for d in dirs if d and not (Path(d, "cargo").exists() or Path(d, "rustc").exists()))


def run(cmd: list[str], **kw: object) -> str:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)  # type: ignore[call-overload]
    assert res.returncode == 0, f"{cmd[:4]}… failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
    return str(res.stdout)


def fresh_venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    return where / "bin" / "python"


# ---------------------------------------------------------------- what dist/python holds


def test_dist_holds_three_abi3_wheels_and_the_sdist() -> None:
    names = sorted(p.name for p in DIST.iterdir())
    assert len(names) == 4, names
    sdist()
    for platform in PLATFORMS:
        name, version, _, tags = parse_wheel_filename(wheel(platform).name)
        assert (name, str(version)) == ("hookseal", VERSION)
        assert {(t.interpreter, t.abi) for t in tags} == {("cp310", "abi3")}, tags
        assert platform in {t.platform for t in tags}, tags


@pytest.mark.parametrize("platform", PLATFORMS)
def test_wheel_metadata_and_files(platform: str) -> None:
    whl = wheel(platform)
    with zipfile.ZipFile(whl) as z:
        files = set(z.namelist())
        info = f"hookseal-{VERSION}.dist-info"
        meta = email.parser.Parser().parsestr(z.read(f"{info}/METADATA").decode())
        wheel_file = z.read(f"{info}/WHEEL").decode()
    assert meta["Name"] == "hookseal" and meta["Version"] == VERSION
    assert meta["Requires-Python"] == REQUIRES_PYTHON == ">=3.10"
    assert (meta["License-Expression"] or meta["License"]) == LICENSE == "MIT OR Apache-2.0"
    assert sorted(meta.get_all("Provides-Extra")) == ["django", "fastapi", "flask", "redis"]
    extras = {}
    for line in meta.get_all("Requires-Dist"):
        req = Requirement(line)
        (extra,) = re.findall(r'extra == "(\w+)"', str(req.marker))
        extras[extra] = f"{req.name}{req.specifier}"
    assert extras == {
        "fastapi": "fastapi>=0.110",
        "flask": "flask>=3.0",
        "django": "django>=4.2",
        "redis": "redis>=5.0",
    }
    assert meta["Description-Content-Type"].startswith("text/markdown")
    assert meta.get_payload().lstrip().startswith("# hookseal"), "the README is the long description"
    assert "Root-Is-Purelib: false" in wheel_file
    shipped = {f"hookseal/{p.name}" for p in SOURCE.iterdir() if p.suffix in (".py", ".pyi") or p.name == "py.typed"}
    assert {"hookseal/py.typed", "hookseal/_hookseal.pyi"} <= shipped
    assert shipped <= files, f"missing from {whl.name}: {sorted(shipped - files)}"
    assert any(re.fullmatch(r"hookseal/_hookseal\.abi3\.so", f) for f in files), sorted(files)
    assert not [f for f in files if "/tests" in f or f.endswith((".rs", "Cargo.toml"))]


def test_sdist_holds_what_a_build_needs() -> None:
    with tarfile.open(sdist()) as t:
        names = set(t.getnames())
        pkg_info = email.parser.Parser().parsestr(t.extractfile(f"hookseal-{VERSION}/PKG-INFO").read().decode())  # type: ignore[union-attr]
    top = f"hookseal-{VERSION}"
    for need in ["pyproject.toml", "Cargo.toml", "Cargo.lock", "README.md", "core/Cargo.toml", "core/src/lib.rs",
                 "bindings-python/Cargo.toml", "bindings-python/src/lib.rs", "python/hookseal/__init__.py",
                 "python/hookseal/py.typed", "python/hookseal/_hookseal.pyi"]:  # fmt: skip
        assert f"{top}/{need}" in names, need
    assert pkg_info["Name"] == "hookseal" and pkg_info["Version"] == VERSION
    assert pkg_info.get_payload().lstrip().startswith("# hookseal")


# ---------------------------------------------------------------- the binaries


@pytest.mark.parametrize("platform", ["manylinux2014_x86_64", "manylinux2014_aarch64"])
def test_glibc_wheels_need_at_most_glibc_2_17(platform: str, tmp_path: Path) -> None:
    so = extension(wheel(platform), tmp_path)
    needed = max_glibc(so)
    assert needed is not None, "objdump found GLIBC symbol versions"
    assert needed <= MAX_GLIBC, f"{platform} needs GLIBC_{'.'.join(map(str, needed))}"
    assert re.search(r"\.text\s.*\sPyInit__hookseal$", run(["objdump", "-T", str(so)]), re.M)


def test_musl_wheel_links_against_musl_only(tmp_path: Path) -> None:
    so = extension(wheel("musllinux_1_2_x86_64"), tmp_path)
    assert max_glibc(so) is None
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]", run(["readelf", "-d", str(so)]))
    # musl's loader maps any libc.* NEEDED entry to itself; no libpython (abi3 extension module).
    assert [n for n in needed if not re.fullmatch(r"libc\.(so|musl-x86_64\.so\.1)", n)] == [], needed
    assert re.search(r"\.text\s.*\sPyInit__hookseal$", run(["objdump", "-T", str(so)]), re.M)
    res = subprocess.run([tool("MUSL_LOADER"), "--list", str(so)], capture_output=True, text=True)
    report = res.stdout + res.stderr
    assert re.search(r"libc\.so => .*ld-musl", report), report
    missing = re.findall(r"Error relocating [^:]+: ([^:]+): symbol not found", report)
    assert missing, f"the CPython imports show as unresolved outside Python:\n{report}"
    assert [s for s in missing if not s.startswith(("Py", "_Py"))] == [], "symbols musl lacks"


# ---------------------------------------------------------------- installed and run


def test_x86_64_wheel_in_a_fresh_venv_offline_without_cargo(tmp_path: Path) -> None:
    wheelhouse = tool("WHEELHOUSE")
    py = fresh_venv(tmp_path / "venv")
    env = {
        "PATH": f"{py.parent}{os.pathsep}{path_without_cargo()}",
        "HOME": str(tmp_path),
        "PYTHONDONTWRITEBYTECODE": "1",
        "REDIS_URL": redis_url(),  # the replay vectors also run on RedisReplayGuard
    }
    assert shutil.which("cargo", path=env["PATH"]) is None
    pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-index"]
    run([*pip, str(wheel("manylinux2014_x86_64"))], env=env)
    # The API tests read Starlette's and Werkzeug's header types, the vectors use redis-py: the
    # extras, from the wheelhouse.
    run(
        [*pip, "--find-links", str(DIST), "--find-links", wheelhouse, "hookseal[fastapi,flask,redis]", "pytest"],
        env=env,
    )
    where = run([str(py), "-c", "import hookseal._hookseal as m; print(m.__file__)"], env=env, cwd=tmp_path)
    assert where.startswith(str(tmp_path / "venv")), where
    out = run(
        [str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_vectors.py", "tests/test_api.py"],
        env=env,
        cwd=PKG,
    )
    assert re.search(r"^\d+ passed", out.splitlines()[-1]), out


def test_aarch64_wheel_passes_the_vectors_on_arm64_cpython_under_qemu(tmp_path: Path) -> None:
    qemu, root, python = tool("QEMU_AARCH64"), tool("ARM64_ROOT"), tool("ARM64_PYTHON")
    site = tmp_path / "site"
    pip = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "--no-index",
        "--target",
        str(site),
    ]
    # pip picks and unpacks the wheel as for an arm64 CPython 3.11 (what Debian's python3.11 is).
    run([*pip, "--platform", "manylinux2014_aarch64", "--python-version", "3.11", "--implementation", "cp",
         "--only-binary=:all:", "--no-deps", str(wheel("manylinux2014_aarch64"))])  # fmt: skip
    # Pure Python; async-timeout is what redis-py needs on Debian's 3.11.2 (< 3.11.3), not on ours.
    run([*pip, "--find-links", tool("WHEELHOUSE"), "pytest", "redis", "async-timeout"])
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(tmp_path)}
    env["REDIS_URL"] = redis_url()
    arm64 = [qemu, "-L", root, python]
    probe = run(
        [*arm64, "-c", "import platform, hookseal._hookseal as m; print(platform.machine(), m.__file__)"], env=env
    )
    assert probe.split() == ["aarch64", str(site / "hookseal" / "_hookseal.abi3.so")], probe
    out = run([*arm64, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_vectors.py"], env=env, cwd=PKG)
    assert re.search(r"^\d+ passed", out.splitlines()[-1]), out


def test_sdist_builds_in_a_fresh_venv_and_every_public_name_works(tmp_path: Path) -> None:
    py = fresh_venv(tmp_path / "venv")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("VIRTUAL_ENV", None)
    env.pop("CARGO_TARGET_DIR", None)  # a build of its own: a shared target dir can hand back a stale extension
    run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(sdist())], env=env)
    out = run([str(py), str(Path(__file__).with_name("smoke.py"))], env=env, cwd=tmp_path)
    assert f"from {tmp_path / 'venv'}" in out, out
