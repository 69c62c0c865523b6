# Sourced helper: picks the Docker client every tlsprobe script uses.
# Usage: . scripts/docker-env.sh; "$DOCKER" ps
# Prefer docker.io's own client (/usr/bin/docker, same version as its dockerd 20.10);
# a /usr/local/bin/docker 28.x without buildx may be first on PATH. Override with DOCKER=...
if [[ -z "${DOCKER:-}" ]]; then
    if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi
export DOCKER

# True when the daemon answers.
tlsprobe_docker_ok() { "$DOCKER" info >/dev/null 2>&1; }
