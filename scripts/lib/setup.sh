# shellcheck shell=bash
# Idempotent installers shared by `scripts/demo` and `scripts/test`.
# Each function checks what is already present and installs only what is missing,
# so a second run costs seconds. Everything comes from Debian, crates.io, PyPI or npm.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export ROOT
VENV="$ROOT/.venv"
export VENV
# The Python Butler release our interop tests and benchmarks compare against.
LSST_DAF_BUTLER_VERSION="30.2026.4300"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: the wasm toolchain of TOOLCHAIN.md and the build essentials.
ensure_apt_packages() {
    local wanted=(rustc-web cargo-web rust-web-src rust-web-llvm lld-19 pkg-config sqlite3 "$@")
    local missing=()
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# The version of wasm-bindgen that Cargo.lock resolved; the CLI must match it exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
    local ver
    ver="$(wasm_bindgen_version)"
    if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $ver"; then
        log "installing wasm-bindgen-cli $ver (about 5 minutes, once)"
        # Not --locked: the CLI's lockfile pins a webpki-roots the registry lacks here.
        cargo install -q wasm-bindgen-cli --version "$ver"
    fi
}

# A project-local venv with the real Python Butler (for interop tests and benchmarks).
ensure_python_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating $VENV"
        python3 -m venv "$VENV"
    fi
    if ! "$VENV/bin/python" -c "import lsst.daf.butler, pytest, yaml" 2>/dev/null \
        || ! "$VENV/bin/pip" show lsst-daf-butler 2>/dev/null | grep -qx "Version: $LSST_DAF_BUTLER_VERSION"; then
        log "installing lsst-daf-butler $LSST_DAF_BUTLER_VERSION and pytest into $VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check \
            "lsst-daf-butler==$LSST_DAF_BUTLER_VERSION" pytest pyyaml
    fi
}

ensure_node_deps() {
    if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
        log "installing npm dependencies"
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# Build the pure part of satellite-core and the widget for wasm32 with Debian's rustc-web.
# A separate target dir keeps Debian 1.96 and rustup 1.95 artefacts apart.
wasm_env() {
    env PATH="/usr/bin:$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1 \
        CARGO_TARGET_DIR="$ROOT/target/wasm" "$@"
}
