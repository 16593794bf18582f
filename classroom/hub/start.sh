#!/usr/bin/env bash
# Start the class hub on one machine (Debian or Ubuntu, as root), from the kit's folder, e.g. /opt/converse-kit:
#
#   sudo install -d -m 0700 /etc/converse-kit
#   sudo sh -c 'umask 077; cat > /etc/converse-kit/anthropic.key'      # paste the class's one real key, then Ctrl-D
#   printf 'ana\nben\n' | sudo tee /srv/converse-kit/learners.txt       # one learner a line (their login names)
#   sudo bash classroom/hub/start.sh
#
# It installs what the hub needs (once), makes a system account for each learner who has none (their first password
# is printed once: hand it out privately), and runs JupyterHub in the foreground; Ctrl-C stops the hub, the learners'
# servers, the gateway and the proxy. Learners log in at http://<this machine>:8000 (put TLS in front for a network).
set -euo pipefail
cd "$(dirname "$0")/../.."
state=${CONVERSE_KIT_HUB_STATE:-/srv/converse-kit}
key=${CONVERSE_KIT_GATEWAY_KEY_FILE:-/etc/converse-kit/anthropic.key}
[ -s "$key" ] || { echo "Put the real API key in $key first (see the top of this script)."; exit 1; }
chown root:root "$key" && chmod 600 "$key"         # only root (the hub and its gateway service) can read it
install -d -m 0700 "$state"                        # the hub's database and the ledger: root only
command -v configurable-http-proxy >/dev/null || { command -v npm >/dev/null || apt-get install -y -qq npm; npm install -g configurable-http-proxy; }
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt -r classroom/hub/requirements.txt
chmod -R a+rX .                                    # learners' servers run the kit's Python and read its recordings
if [ -f "$state/learners.txt" ]; then
  while read -r name; do
    [ -z "$name" ] || id "$name" >/dev/null 2>&1 && continue
    useradd --create-home --shell /bin/bash "$name"
    password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(9))')
    echo "$name:$password" | chpasswd && echo "account $name, first password: $password"
  done < "$state/learners.txt"
fi
export CONVERSE_KIT_HUB_STATE="$state" CONVERSE_KIT_GATEWAY_KEY_FILE="$key"
exec .venv/bin/python -m jupyterhub -f classroom/hub/jupyterhub_config.py
