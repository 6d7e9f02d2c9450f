#!/usr/bin/env bash
# Debian packages the test suite drives for real. Idempotent: installs only what is missing.
set -euo pipefail
packages=(postgresql-client gettext chromium chromium-driver fonts-thai-tlwg fonts-tlwg-laksaman-otf poppler-utils bind9 bind9-utils postfix postfix-pgsql dovecot-imapd dovecot-lmtpd dovecot-pgsql opendkim opendkim-tools libnss3-tools zbar-tools)
# npm fetches axe-core for the accessibility checks (tests/portal/helpers_axe.py); a NodeSource
# nodejs already bundles it.
command -v npm >/dev/null || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo -n"; else
  echo "Missing Debian packages: ${missing[*]} (run as root or install them)" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks what kind of mail server this is; the tests run their own instances.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
