// The node's sandbox ("pause") image: a static process that waits for signals and reaps children
// (scripts/build-node.sh packs it into an OCI archive; no registry can supply one here).
module shazam.dev/tools/pause

go 1.26.0
