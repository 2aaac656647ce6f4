#!/usr/bin/env bash
# Incremental re-mine benchmark (not run in CI): mine a bare clone fully into a fresh SQLite
# store, add 10 commits with git plumbing, mine again and report the second run's timings.
#
#   benches/history_incremental.sh /work/.mirror/apache+tomcat/repo main [target/release/ticketlens]
set -euo pipefail
SRC=${1:?bare repository}
BRANCH=${2:-main}
BIN=$(realpath "${3:-target/release/ticketlens}")
WORK=$(mktemp -d /tmp/tl-incr.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
git clone -q --bare --single-branch --branch "$BRANCH" "$SRC" "$WORK/repo.git"
export TICKETLENS_DATABASE__URL="sqlite://$WORK/tl.db" TICKETLENS_LOG__LEVEL=warn
echo "full mine:"
/usr/bin/time -f "  wall %e s, peak RSS %M KB" "$BIN" history mine --repo "$WORK/repo.git" --name bench --branch "$BRANCH"
export GIT_DIR="$WORK/repo.git" GIT_INDEX_FILE="$WORK/index"
git read-tree "$BRANCH"
for i in $(seq 1 10); do
  blob=$(printf 'bench line %s\n' "$i" | git hash-object -w --stdin)
  git update-index --add --cacheinfo "100644,$blob,bench/notes-$i.txt"
  tree=$(git write-tree)
  commit=$(GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=Bench \
    GIT_COMMITTER_EMAIL=bench@example.com git commit-tree "$tree" -p "$BRANCH" -m "Fix bench $i")
  git update-ref "refs/heads/$BRANCH" "$commit"
done
unset GIT_DIR GIT_INDEX_FILE
echo "re-mine after 10 new commits:"
/usr/bin/time -f "  wall %e s, peak RSS %M KB" "$BIN" history mine --repo "$WORK/repo.git" --name bench --branch "$BRANCH"
