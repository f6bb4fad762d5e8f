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

# Debian packages. The base set builds and runs the native binaries and the Python venv;
# the wasm set is Debian's rustc-web toolchain of TOOLCHAIN.md. `rust-web-llvm` ships
# `/usr/bin/rust-lld -> lld-22` (rustc's default wasm linker) without depending on lld-22,
# so lld-22 is listed explicitly.
APT_BASE_PACKAGES=(build-essential pkg-config sqlite3 python3-venv procps)
APT_WASM_PACKAGES=(rustc-web cargo-web rust-web-src rust-web-llvm lld-22)

# Install the given Debian packages that are missing; `apt-get update` runs only when one is.
install_apt_packages() {
    local missing=()
    for p in "$@"; do
        [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

# Everything `scripts/test` needs (plus any extra packages given as arguments).
ensure_apt_packages() {
    install_apt_packages "${APT_BASE_PACKAGES[@]}" "${APT_WASM_PACKAGES[@]}" "$@"
}

# Only what building and running the native binaries needs (used by `scripts/demo`).
ensure_base_apt_packages() {
    install_apt_packages "${APT_BASE_PACKAGES[@]}" "$@"
}

# Node.js and npm: the machine image ships Node 20; fall back to Debian's if they are absent.
ensure_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        install_apt_packages nodejs npm
    fi
}

# The version of wasm-bindgen that Cargo.lock resolved; the CLI must match it exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock"
}

ensure_wasm_bindgen() {
    local ver
    ver="$(wasm_bindgen_version)"
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $ver" ]; then
        log "installing wasm-bindgen-cli $ver (about 5 minutes, once)"
        # Not --locked: the CLI's lockfile pins a webpki-roots the registry lacks here.
        cargo install -q wasm-bindgen-cli --version "$ver"
    fi
}

# cargo-fuzz, for the fuzz stage of `scripts/test` (the targets are in fuzz/). Any installed
# version will do: the stage only uses `cargo fuzz run`, stable for years.
ensure_cargo_fuzz() {
    if ! cargo fuzz --version >/dev/null 2>&1; then
        log "installing cargo-fuzz (about 2 minutes, once)"
        cargo install -q cargo-fuzz --locked
    fi
}

# A project-local venv with the real Python Butler (for interop tests and benchmarks).
ensure_python_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating $VENV"
        python3 -m venv "$VENV"
    fi
    # No `pip show | grep -q` here: under `set -o pipefail` grep's early exit fails the pipe.
    if ! "$VENV/bin/python" -c "import lsst.daf.butler, pytest, yaml" 2>/dev/null \
        || [ "$("$VENV/bin/python" -c "from importlib.metadata import version; print(version('lsst-daf-butler'))" 2>/dev/null)" \
            != "$LSST_DAF_BUTLER_VERSION" ]; then
        log "installing lsst-daf-butler $LSST_DAF_BUTLER_VERSION and pytest into $VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check \
            "lsst-daf-butler==$LSST_DAF_BUTLER_VERSION" pytest pyyaml
    fi
}

# Install the root package.json's dependencies exactly as package-lock.json pins them.
# A stamp in node_modules records the lockfile that was installed, so reruns skip `npm ci`
# even when the lockfile pins nothing and npm would leave no node_modules behind.
ensure_node_deps() {
    ensure_node
    local stamp="$ROOT/node_modules/.satellite-installed"
    if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ] || [ "$ROOT/package.json" -nt "$stamp" ]; then
        log "installing npm dependencies"
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
        mkdir -p "$ROOT/node_modules"
        touch "$stamp"
    fi
}

# The Python package in jupyterlab-ext/, installed editable into the venv so tests see the tree.
# A stamp in the venv records the pyproject.toml that was installed.
ensure_python_package() {
    local stamp="$VENV/.satellite-butler-installed"
    if [ ! -f "$stamp" ] || [ "$ROOT/jupyterlab-ext/pyproject.toml" -nt "$stamp" ] \
        || ! "$VENV/bin/python" -c "import satellite_butler" 2>/dev/null; then
        log "installing jupyterlab-ext/ (satellite-butler) editable into $VENV"
        "$VENV/bin/pip" install -q --disable-pip-version-check -e "$ROOT/jupyterlab-ext"
        touch "$stamp"
    fi
}

# Build the pure part of satellite-core and the widget for wasm32 with Debian's rustc-web.
# A separate target dir keeps Debian 1.96 and rustup 1.95 artefacts apart.
wasm_env() {
    env PATH="/usr/bin:$HOME/.cargo/bin:$PATH" RUSTC_BOOTSTRAP=1 \
        CARGO_TARGET_DIR="$ROOT/target/wasm" "$@"
}

# Check that the pure subset of satellite-core builds for wasm32 (STYLE.md 2.1 and 2.12).
check_core_wasm32() {
    (cd "$ROOT" && wasm_env cargo check -p satellite-core --no-default-features \
        --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
}

# Run the widget's wasm-bindgen-test tests (wasm-widget/tests/wasm.rs) as wasm32 in Node, with
# the `wasm-bindgen-test-runner` that ensure_wasm_bindgen installs beside `wasm-bindgen`.
test_wasm_widget() {
    (cd "$ROOT" && wasm_env env CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
        cargo test -p satellite-widget --target wasm32-unknown-unknown \
        -Zbuild-std=std,panic_abort --test wasm)
}

# Build the widget for the browser into wasm-widget/pkg/ (ES module glue + _bg.wasm) and
# print the bundle size. Needs ensure_apt_packages and ensure_wasm_bindgen first.
build_wasm_widget() {
    (cd "$ROOT" && wasm_env cargo build -p satellite-widget --target wasm32-unknown-unknown \
        --profile wasm-release -Zbuild-std=std,panic_abort)
    wasm-bindgen --target web --out-dir "$ROOT/wasm-widget/pkg" \
        "$ROOT/target/wasm/wasm32-unknown-unknown/wasm-release/satellite_widget.wasm"
    WASM_BUNDLE_BYTES="$(stat -c %s "$ROOT/wasm-widget/pkg/satellite_widget_bg.wasm")"
    export WASM_BUNDLE_BYTES
    printf 'wasm bundle: wasm-widget/pkg/satellite_widget_bg.wasm is %s bytes\n' "$WASM_BUNDLE_BYTES"
}
