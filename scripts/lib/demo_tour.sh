#!/usr/bin/env bash
# The steps of the demo, run by `scripts/demo` with `SATELLITE_BIN` pointing at the release binary.
# It builds `demo/repo` (6 visits × 4 detectors of a made-up camera, DemoCam) from the files in
# `scripts/demo-data/`, exactly the way a user would with the CLI, then prints the tour.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SAT="${SATELLITE_BIN:-$ROOT/target/release/satellite}"
DATA="$ROOT/scripts/demo-data"
DEMO="${SATELLITE_DEMO_DIR:-$ROOT/demo}"
REPO="$DEMO/repo"

# A rerun starts from scratch: the demo directory is ours alone.
rm -rf "$DEMO"
mkdir -p "$DEMO/staging"

run() {
    printf '$ satellite %s\n' "$*" | sed "s#$ROOT/##g"
    "$SAT" "$@"
}

run create "$REPO"
run insert-dimension-records "$REPO" instrument "$DATA/instrument.csv"
run insert-dimension-records "$REPO" physical_filter "$DATA/physical_filter.csv"
run insert-dimension-records "$REPO" detector "$DATA/detector.csv"
run insert-dimension-records "$REPO" day_obs "$DATA/day_obs.yaml"
run insert-dimension-records "$REPO" visit "$DATA/visit.csv"
run register-dataset-type "$REPO" calexp StructuredDataDict instrument visit detector
run register-dataset-type "$REPO" bias StructuredDataDict instrument detector --is-calibration

# Small YAML "images" stand in for real calexps; the bytes are opaque to the repository.
TABLE="$DEMO/staging/calexps.csv"
echo "file,instrument,visit,detector" > "$TABLE"
for v in 1 2 3 4 5 6; do
    for d in 0 1 2 3; do
        f="$DEMO/staging/calexp_v${v}_d${d}.yaml"
        printf 'visit: %d\ndetector: %d\nzeropoint: %s\nseeing: %s\n' "$v" "$d" "27.0$d" "0.7$v" > "$f"
        echo "$f,DemoCam,$v,$d" >> "$TABLE"
    done
done
run ingest "$REPO" calexp DemoCam/runs/night1 "$TABLE" --transfer copy

BIAS="$DEMO/staging/biases.csv"
echo "file,instrument,detector" > "$BIAS"
for d in 0 1 2 3; do
    printf 'bias_level: %d\n' "$((1000 + d))" > "$DEMO/staging/bias_$d.yaml"
    echo "$DEMO/staging/bias_$d.yaml,DemoCam,$d" >> "$BIAS"
done
run ingest "$REPO" bias DemoCam/calib/bias/run1 "$BIAS" --transfer copy
run collection certify "$REPO" DemoCam/calib bias --collections DemoCam/calib/bias/run1 \
    --begin-date "2026-01-01 00:00:00" --end-date "2026-07-01 00:00:00"
run collection chain "$REPO" DemoCam/defaults DemoCam/runs/night1 DemoCam/calib \
    --doc "Recommended inputs for DemoCam: the night's calexps, then calibrations"

cat <<TOUR

The demo repository is ready: $(echo "$REPO" | sed "s#$ROOT/##")
$(find "$REPO" -type f | wc -l | tr -d ' ') files, 24 calexps and 4 biases.

Try these (from $(basename "$ROOT")/, with the binary on your PATH):

  export PATH="$ROOT/target/release:\$PATH"
  satellite query-collections demo/repo
  satellite query-dataset-types demo/repo -v
  satellite query-datasets demo/repo calexp --collections DemoCam/defaults --data-id band=r
  satellite query-datasets demo/repo calexp --collections DemoCam/defaults --data-id visit=2 --format json
  satellite query-dimension-records demo/repo visit --format csv
  satellite query-data-ids demo/repo visit detector --data-id band=g
  satellite query-datasets demo/repo calexp --collections DemoCam/defaults --where "visit > 4 AND detector IN (0..3:2)" --order-by=-visit
  satellite query-dimension-records demo/repo visit --where "GLOB(visit.name, 'v*3') OR visit.exposure_time > 60"
  satellite retrieve demo/repo demo/out calexp --collections DemoCam/runs/night1 --data-id visit=2
  satellite export demo/repo demo/export calexp --collections DemoCam/runs/night1 --transfer copy
  satellite create demo/copy && satellite import demo/copy demo/export

The README's tour explains each step. Run \`scripts/demo\` again to start over.
TOUR
