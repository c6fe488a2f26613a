# Checks and installs what the scripts need, before any long step, so a fresh machine with only the .NET SDK,
# Node and apt needs no manual step. Sourced by scripts/run-local and scripts/test (which .ci/run runs).
#
#   require_dotnet_sdk                      # the SDK global.json asks for; cannot be installed from Debian: says where
#   require_commands cmd...                 # a command missing from PATH adds its Debian package to the next install
#   require_debian_packages pkg...          # missing ones installed with apt-get (sudo when not root), in one go
#   require_node_modules                    # npm ci when node_modules is missing or holds another Azurite than package.json pins
#
# NFP_NO_INSTALL=1 makes the installers fail with the command to run instead of running it.

nfp_fail() { echo "error: $*" >&2; exit 1; }

require_dotnet_sdk() {
  local major
  major=$(sed -n 's/.*"version": *"\([0-9]*\)\..*/\1/p' global.json)
  command -v dotnet >/dev/null 2>&1 ||
    nfp_fail "the .NET SDK is missing: install the .NET $major SDK (https://dotnet.microsoft.com/download, or Microsoft's apt feed: apt-get install dotnet-sdk-$major.0)."
  dotnet --list-sdks 2>/dev/null | grep -q "^$major\." ||
    nfp_fail "the .NET $major SDK is missing (found: $(dotnet --list-sdks | cut -d' ' -f1 | tr '\n' ' ')): install dotnet-sdk-$major.0."
}

# Debian package names for the commands the scripts call; a command found on PATH needs no package.
nfp_package_for_command() {
  case "$1" in
    node) echo nodejs ;;
    *) echo "$1" ;;
  esac
}

require_commands() { # command... : each missing one becomes its Debian package in NFP_MISSING
  local c
  for c in "$@"; do command -v "$c" >/dev/null 2>&1 || NFP_MISSING+=("$(nfp_package_for_command "$c")"); done
}

require_debian_packages() { # package... (plus whatever require_commands collected)
  local p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || NFP_MISSING+=("$p"); done
  [ ${#NFP_MISSING[@]} -eq 0 ] && return 0
  local packages="${NFP_MISSING[*]}"
  local install="apt-get update && apt-get install -y $packages"
  [ "${NFP_NO_INSTALL:-}" = 1 ] && nfp_fail "missing Debian packages: $packages. Install them with: $install"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || nfp_fail "missing Debian packages: $packages. As root, run: $install"
    sudo=(sudo)
  fi
  echo "== installing missing Debian packages: $packages"
  "${sudo[@]}" apt-get update -q >/dev/null || nfp_fail "apt-get update failed; install by hand: $install"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${NFP_MISSING[@]}" >/dev/null ||
    nfp_fail "apt-get install failed; install by hand: $install"
  NFP_MISSING=()
}

require_node_modules() {
  local pinned installed=""
  pinned=$(node -p 'require("./package.json").devDependencies.azurite')
  [ -f node_modules/azurite/package.json ] && installed=$(node -p 'require("./node_modules/azurite/package.json").version')
  [ "$installed" = "$pinned" ] && [ -x node_modules/.bin/azurite ] && return 0
  echo "== npm ci (Azurite $pinned${installed:+, replacing $installed})"
  npm ci --no-audit --no-fund || nfp_fail "npm ci failed (Azurite $pinned from package-lock.json)."
}

NFP_MISSING=()
