#!/usr/bin/env bash
# Deploy the site to a remote host.
set -euo pipefail

source ./lib/common.sh
. "$(dirname "$0")/env.sh"

readonly DEPLOY_USER="deploy"
export REMOTE_DIR=/srv/site
RETRIES=3

log() {
  printf '[%s] %s\n' "$(date +%T)" "$*" >&2
}

function build {
  log "building"
  npm run build
}

upload() {
  local host=$1
  for attempt in $(seq 1 "$RETRIES"); do
    if rsync -az dist/ "$DEPLOY_USER@$host:$REMOTE_DIR"; then
      return 0
    fi
    log "retry $attempt"
  done
  return 1
}

main() {
  build
  upload "${1:?host required}" || die "upload failed"
}

main "$@"
