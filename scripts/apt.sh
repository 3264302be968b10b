# Sourced by the setup scripts: apt_install WHO PACKAGE... installs the Debian packages as root, or
# through passwordless sudo (CI runners such as GitHub's run as a user with it); otherwise it says
# what to install and exits 1. Nothing to do without packages.
apt_install() {
  local who=$1
  shift
  [ $# -gt 0 ] || return 0
  local sudo=()
  [ "$(id -u)" = 0 ] || ! sudo -n true 2>/dev/null || sudo=(sudo -n)
  if [ "$(id -u)" = 0 ] || [ ${#sudo[@]} -gt 0 ]; then
    echo "$who: installing $*"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "$who: missing $*; install them with: sudo apt-get install $*" >&2
    exit 1
  fi
}
