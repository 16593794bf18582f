#!/usr/bin/env bash
# Start the class hub on one machine (Debian or Ubuntu, as root), from the kit's folder, e.g. /opt/converse-kit:
#
#   sudo install -d -m 0700 /etc/converse-kit /srv/converse-kit
#   sudo sh -c 'umask 077; cat > /etc/converse-kit/anthropic.key'      # paste the class's one real key, then Ctrl-D
#   printf 'ana\nben\n' | sudo tee /srv/converse-kit/learners.txt       # one learner a line (their login names)
#   sudo bash classroom/hub/start.sh
#
# It refuses to start while the kit's folder holds a .env with a key (learners' servers read that folder). It installs
# what the hub needs (once), makes a system account for each learner who has none (their first password is printed
# once: hand it out privately), makes every learner's home 0700, and runs JupyterHub in the foreground; Ctrl-C stops
# the hub, the learners' servers, the gateway and the proxy. The hub listens on CONVERSE_KIT_HUB_URL (default
# http://127.0.0.1:8000: this machine only); for a room, put TLS in front (see docs/facilitator_guide.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -f .env ] && grep -Eq '^[[:space:]]*(export[[:space:]]+)?ANTHROPIC_(API_KEY|AUTH_TOKEN)[[:space:]]*=[[:space:]]*["'"'"']?[^"'"'"'[:space:]#]' .env; then
  echo "Refusing to start: $(pwd)/.env holds an API key, and every learner can read the kit's folder."
  echo "Put the key in the gateway's key file instead (see the top of this script), then delete .env."
  exit 1
fi
state=${CONVERSE_KIT_HUB_STATE:-/srv/converse-kit}
key=${CONVERSE_KIT_GATEWAY_KEY_FILE:-/etc/converse-kit/anthropic.key}
[ -s "$key" ] || { echo "Put the real API key in $key first (see the top of this script)."; exit 1; }
chown root:root "$key" && chmod 600 "$key"         # only root (the hub and its gateway service) can read it
install -d -m 0700 "$state"                        # the hub's database and the ledger: root only
command -v configurable-http-proxy >/dev/null || { command -v npm >/dev/null || apt-get install -y -qq npm; npm install -g configurable-http-proxy; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt -r classroom/hub/requirements.txt
chmod a+rX . && chmod -R a+rX .venv helpers data notebooks pyproject.toml  # what learners' servers run and read; not .env
if [ -f "$state/learners.txt" ]; then
  while read -r name; do
    [ -z "$name" ] || id "$name" >/dev/null 2>&1 && continue
    useradd --create-home --shell /bin/bash "$name"
    password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')
    echo "$name:$password" | chpasswd && echo "account $name, first password: $password"
  done < "$state/learners.txt"
  while read -r name; do                           # Debian's useradd makes homes 0755: learners' homes are private
    [ -n "$name" ] && home=$(getent passwd "$name" | cut -d: -f6) && [ -d "$home" ] && chmod 0700 "$home"
  done < "$state/learners.txt"
fi
url=${CONVERSE_KIT_HUB_URL:-http://127.0.0.1:8000}
case "$url" in
  *//127.0.0.1*|*//localhost*) echo "The hub listens on $url: only this machine reaches it. For a room, put TLS in front (docs/facilitator_guide.md).";;
  *) echo "Learners log in at $url (through the TLS proxy you put in front for a network).";;
esac
export CONVERSE_KIT_HUB_STATE="$state" CONVERSE_KIT_GATEWAY_KEY_FILE="$key"
exec .venv/bin/python -m jupyterhub -f classroom/hub/jupyterhub_config.py
