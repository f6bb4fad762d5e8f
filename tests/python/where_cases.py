"""The Python Butler's answers to `where` queries on a shared fixture repository.

Satellite Butler's `--where` must give the same results as the Python Butler on the same data.
This script builds that data (as a Python Butler export that both Butlers import) and records
what the Python Butler answers for a table of cases. Run it with the project's venv
(`scripts/lib/setup.sh` `ensure_python_venv` creates `.venv` with lsst-daf-butler):

    .venv/bin/python tests/python/where_cases.py build REPO_DIR EXPORT_FILE
    .venv/bin/python tests/python/where_cases.py cases IN_CASES OUT_CASES
    .venv/bin/python tests/python/where_cases.py check IN_CASES EXPECTED_FILE [--repo REPO_DIR]

To regenerate the committed fixture (from the workspace root):

    rm -rf /tmp/where_repo
    .venv/bin/python tests/python/where_cases.py build /tmp/where_repo tests/fixtures/where/export.yaml
    .venv/bin/python tests/python/where_cases.py cases tests/fixtures/where/cases.yaml tests/fixtures/where/expected.yaml

`build` makes a new SQLite repository in REPO_DIR (which must not exist), fills it with the
fixture below, and exports everything to EXPORT_FILE with `transfer="copy"`: the dataset files
land beside the export file, under their RUN paths (`DemoCam/...`, `OtherCam/...`,
`coadds/...`, `skymaps/...`), so `butler import REPO tests/fixtures/where` (Python) and
`satellite import REPO tests/fixtures/where` (ours) read it. Everything is deterministic: dataset
IDs are `DATAID_TYPE_RUN`, records are fixed, and the export is byte-identical across runs.

`cases` and `check` import `export.yaml` (from the directory of IN_CASES, unless `--repo` names
a repository made by `build`) into a fresh temporary Python repository, so the answers always
come from the committed export. `check` recomputes every case and exits 1 listing differences
(every field is compared, so editing a case in IN_CASES without regenerating also fails).

Case fields (YAML list of mappings):

    id          short unique slug
    note        one line: what the case tests (and flags surprises)
    api         datasets | data_ids | dimension_records
    target      dataset type name, or a list of names (datasets; queried one after another);
                list of dimension names (data_ids); element name (dimension_records)
    collections list (datasets; data_ids with `datasets`)
    datasets    dataset type name or list (data_ids only): an existence constraint, as
                `butler query-data-ids --datasets ... --collections ...` does it
    find_first  datasets only; default true
    data_id     mapping passed as `data_id=`
    where       the expression
    bind        mapping; a value may be a scalar, a list, or a typed mapping
                {type: time, value: '2025-03-02 00:30:00', scale: tai, format: iso}
                {type: timespan, value: [begin, end], scale: tai}   (null = unbounded)
                {type: uuid, value: '...'}
                {type: circle, value: [ra, dec, radius_deg]}   (lsst.sphgeom.Circle)
                {type: point, value: [ra, dec]}                 (lsst.sphgeom.LonLat)
    order_by    list of strings
    limit       int; absent = no limit (`limit=None`)

The answer attached by `cases` is either

    expect: {count: N, columns: [...], rows: [[...], ...], first: [[...], ...]}

where `rows` lists every result row, sorted (datasets: [dataset type, run, *required data ID
values]; data_ids: the required data ID values; dimension_records: the record's required data
ID values, which for a dimension end with its primary key), `columns` names the values of a row
(for a datasets case over types with different dimensions: {dataset type: columns}), `first`
(only with `order_by`) is the first three rows in the order the Python Butler returned them, and
`rows` is left out when `limit` is given without `order_by` (which rows are kept is then
arbitrary; only the count is comparable); or

    expect: {error: ExceptionClassName, message: str(exception), cause: str(__cause__)}

(`cause` only when there is one).
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import sys
import tempfile
import uuid

import astropy.time
import yaml
from lsst.daf.butler import (
    Butler,
    CollectionType,
    DatasetIdGenEnum,
    DatasetRef,
    DatasetType,
    Timespan,
)
from lsst.sphgeom import Angle, Circle, ConvexPolygon, LonLat, UnitVector3d

# ---------------------------------------------------------------------------------------------
# The fixture
# ---------------------------------------------------------------------------------------------

DEMO = "DemoCam"
OTHER = "OtherCam"

# Pointing centres (degrees) by target name.
TARGETS = {
    "ECDFS_a": (53.0, -28.0),
    "ECDFS_b": (53.6, -27.4),
    "COSMOS": (150.1, 2.2),
    "HD12345": (10.0, 10.0),
}

FILTERS = {
    DEMO: {"DemoCam-g": "g", "DemoCam-r": "r", "DemoCam-i": "i", "DemoCam-z": "z"},
    # Two physical filters map to band r; OtherCam-y is never used by an exposure.
    OTHER: {"OtherCam-u": "u", "OtherCam-r": "r", "OtherCam-r2": "r", "OtherCam-y": "y"},
}

DETECTORS = {
    DEMO: [
        dict(id=0, full_name="R00_S00", name_in_raft="S00", raft="R00", purpose="SCIENCE"),
        dict(id=1, full_name="R00_S01", name_in_raft="S01", raft="R00", purpose="SCIENCE"),
        dict(id=2, full_name="R01_S00", name_in_raft="S00", raft="R01", purpose="SCIENCE"),
        dict(id=3, full_name="R01_SW0", name_in_raft="SW0", raft="R01", purpose="WAVEFRONT"),
    ],
    # OtherCam's detector 0 shares DemoCam detector 0's full_name; detector 1 has NULLs.
    OTHER: [
        dict(id=0, full_name="R00_S00", name_in_raft="S00", raft="R00", purpose="SCIENCE"),
        dict(id=1, full_name="GUIDE", name_in_raft=None, raft=None, purpose="GUIDER"),
    ],
}

# (day_obs, seq_num, observation_type, physical_filter, target_name, dither_ra, dither_dec,
#  exposure_time, visit_of) -- visit_of = seq_num of the exposure whose ID is the visit's ID
# (two snaps share one visit); None for calibration exposures (no visit).
DEMO_EXPOSURES = [
    (20250301, 1, "bias", "DemoCam-r", None, 0, 0, 0.0, None),
    (20250301, 2, "bias", "DemoCam-r", None, 0, 0, 0.0, None),
    (20250301, 3, "flat", "DemoCam-r", None, 0, 0, 5.0, None),
    (20250301, 4, "science", "DemoCam-g", "ECDFS_a", 0.0, 0.0, 30.0, 4),
    (20250301, 5, "science", "DemoCam-r", "ECDFS_a", 0.1, 0.05, 30.0, 5),
    (20250301, 6, "science", "DemoCam-i", "ECDFS_b", 0.0, 0.0, 30.0, 6),
    (20250301, 7, "science", "DemoCam-z", "COSMOS", 0.0, 0.0, 45.0, 7),
    (20250302, 1, "bias", "DemoCam-r", None, 0, 0, 0.0, None),
    (20250302, 2, "science", "DemoCam-g", "ECDFS_a", 0.0, -0.1, 15.0, 2),
    (20250302, 3, "science", "DemoCam-g", "ECDFS_a", 0.0, -0.1, 15.0, 2),
    (20250302, 4, "science", "DemoCam-r", "COSMOS", 0.05, -0.05, 30.0, 4),
    (20250302, 5, "science", "DemoCam-r", "ECDFS_b", -0.1, 0.0, 30.0, 5),
    (20250303, 1, "bias", "DemoCam-r", None, 0, 0, 0.0, None),
    (20250303, 2, "science", "DemoCam-i", "COSMOS", 0.1, 0.1, 30.0, 2),
    (20250303, 3, "science", "DemoCam-g", "COSMOS", -0.1, 0.1, 30.0, 3),
]

# (exposure id, day_obs, observation_type, physical_filter, target_name, exposure_time, is_visit)
OTHER_EXPOSURES = [
    (1, 20250301, "bias", "OtherCam-r", None, 0.0, False),
    (2, 20250301, "science", "OtherCam-u", "COSMOS", 60.0, True),
    (3, 20250301, "science", "OtherCam-r", "COSMOS", 60.0, True),
    (4, 20250301, "science", "OtherCam-r2", "ECDFS_a", 120.0, True),
    (5, 20250302, "bias", "OtherCam-r", None, 0.0, False),
    (6, 20250302, "science", "OtherCam-r", "HD12345", 60.0, True),
    (7, 20250302, "science", "OtherCam-u", "ECDFS_a", 120.0, True),
    (8, 20250302, "flat", "OtherCam-u", None, 5.0, False),
]

REASONS = {"ECDFS_a": "deep_drilling", "ECDFS_b": "deep_drilling", "COSMOS": "science",
           "HD12345": "photometric_standard", None: "calibration"}

SKYMAPS = {
    # name: {tract id: (ra_min, ra_max, dec_min, dec_max)}; each tract is split 2x2 into patches
    "demo_skymap": {0: (52.0, 54.6, -29.0, -26.6), 1: (149.0, 151.2, 1.0, 3.4)},
    "legacy_skymap": {9: (148.5, 151.5, 0.5, 3.5)},
}

DAY_OBS = {DEMO: [20250301, 20250302, 20250303], OTHER: [20250301, 20250302]}

RUNS = {
    "DemoCam/raw/all": "raws of DemoCam (no wavefront raws on 20250303)",
    "OtherCam/raw/all": "raws of OtherCam",
    "DemoCam/runs/night1": "calexps and visitSummaries of night 20250301",
    "DemoCam/runs/night2": "calexps and visitSummaries of night 20250302",
    "DemoCam/runs/reprocess": "reprocessed ECDFS_a visits (detectors 0, 1) and night 20250303",
    "OtherCam/runs/all": "calexps and visitSummaries of OtherCam",
    "DemoCam/calib/bias/2025a": "DemoCam biases, first batch",
    "DemoCam/calib/bias/2025b": "DemoCam biases, second batch",
    "OtherCam/calib/bias/2025a": "OtherCam biases",
    "coadds/deep/v1": "deep coadds on demo_skymap",
    "skymaps": "skymap definitions",
}

CHAINS = {
    "DemoCam/defaults": ["DemoCam/runs/reprocess", "DemoCam/runs/night1", "DemoCam/runs/night2",
                         "DemoCam/raw/all", "DemoCam/calib", "skymaps"],
    "OtherCam/defaults": ["OtherCam/runs/all", "OtherCam/raw/all", "OtherCam/calib", "skymaps"],
    "all/defaults": ["DemoCam/defaults", "OtherCam/defaults", "coadds/deep/v1"],
}

CERT_SPLIT = "2025-03-02T06:00:00"


def tai(text):
    return astropy.time.Time(text, format="isot", scale="tai")


def day_start(day_obs):
    """Noon TAI of the day_obs date, as an astropy Time."""
    s = str(day_obs)
    return tai(f"{s[:4]}-{s[4:6]}-{s[6:]}T12:00:00")


def plus(t, seconds):
    return t + astropy.time.TimeDelta(seconds, format="sec")


def lonlat_box(ra_min, ra_max, dec_min, dec_max):
    """A convex polygon with great-circle edges through the four corners."""
    corners = [(ra_min, dec_min), (ra_max, dec_min), (ra_max, dec_max), (ra_min, dec_max)]
    return ConvexPolygon([UnitVector3d(LonLat.fromDegrees(ra, dec)) for ra, dec in corners])


def centred_box(ra, dec, width, height):
    """A box of `width` x `height` degrees (on the sky) centred on (ra, dec)."""
    return lonlat_box(*box_bounds(ra, dec, width, height))


def box_bounds(ra, dec, width, height):
    """(ra_min, ra_max, dec_min, dec_max) of a `width` x `height` degree box centred on (ra, dec)."""
    half_ra = width / 2 / math.cos(math.radians(dec))
    return ra - half_ra, ra + half_ra, dec - height / 2, dec + height / 2


def detector_regions(instrument, ra, dec):
    """Per-detector regions of a visit centred on (ra, dec)."""
    if instrument == DEMO:
        r0, r1, d0, d1 = box_bounds(ra, dec, 1.0, 1.0)
        rm, dm = (r0 + r1) / 2, (d0 + d1) / 2
        return {
            0: lonlat_box(r0, rm, d0, dm),  # lower left quadrant
            1: lonlat_box(rm, r1, d0, dm),  # lower right
            2: lonlat_box(r0, rm, dm, d1),  # upper left
            3: lonlat_box(r1 - 0.1, r1, d1 - 0.1, d1),  # small wavefront sensor, upper right corner
        }
    r0, r1, d0, d1 = box_bounds(ra, dec, 0.6, 0.6)
    rm = (r0 + r1) / 2
    return {0: lonlat_box(r0, rm, d0, d1), 1: lonlat_box(rm, r1, d0, d1)}


def make_records():
    """Every dimension record of the fixture, as {element: [dict, ...]} in insertion order."""
    rec = {name: [] for name in (
        "instrument", "physical_filter", "subfilter", "detector", "day_obs", "group", "exposure",
        "visit_system", "visit", "visit_definition", "visit_system_membership",
        "visit_detector_region", "skymap", "tract", "patch", "ssp_hypothesis_table",
        "ssp_hypothesis_bundle", "ssp_balanced_index")}
    rec["instrument"] += [
        dict(name=DEMO, visit_max=10**13, visit_system=1, exposure_max=10**13, detector_max=4,
             class_name="demo.DemoCam"),
        dict(name=OTHER, visit_max=1000, visit_system=0, exposure_max=1000, detector_max=2,
             class_name="demo.OtherCam"),
    ]
    for inst, filters in FILTERS.items():
        rec["physical_filter"] += [dict(instrument=inst, name=n, band=b) for n, b in filters.items()]
    rec["subfilter"] += [dict(band="g", id=0), dict(band="g", id=1)]
    for inst, dets in DETECTORS.items():
        rec["detector"] += [dict(instrument=inst, **d) for d in dets]
    for inst, days in DAY_OBS.items():
        for d in days:
            begin = day_start(d)
            rec["day_obs"].append(dict(instrument=inst, id=d, timespan=Timespan(begin, plus(begin, 86400))))
    rec["visit_system"] += [
        dict(instrument=DEMO, id=1, name="by-group"),
        dict(instrument=OTHER, id=0, name="one-to-one"),
    ]

    # DemoCam exposures and visits.
    visits = {}  # (instrument, visit id) -> dict with exposure list etc.
    for day, seq, obs_type, pf, target, dra, ddec, exptime, visit_of in DEMO_EXPOSURES:
        exp_id = day * 100000 + seq
        obs_id = f"DC_O_{day}_{seq:06d}"
        group = f"{day}_{visit_of if visit_of is not None else seq:03d}"
        begin = plus(day_start(day), 12 * 3600 + 10 + (seq - 1) * 600)  # 00:00:10 TAI next day + 10 min/seq
        span = Timespan(begin, plus(begin, max(exptime, 1.0)))
        science = obs_type == "science"
        ra = dec = None
        if science:
            ra, dec = TARGETS[target][0] + dra, TARGETS[target][1] + ddec
        if dict(instrument=DEMO, name=group) not in rec["group"]:  # the two snaps share a group
            rec["group"].append(dict(instrument=DEMO, name=group))
        rec["exposure"].append(dict(
            instrument=DEMO, id=exp_id, obs_id=obs_id, physical_filter=pf, group=group, day_obs=day,
            exposure_time=exptime, dark_time=exptime + 0.5, observation_type=obs_type,
            observation_reason=REASONS[target], seq_num=seq,
            seq_start=(2 if visit_of == 2 and day == 20250302 else seq),
            seq_end=(3 if visit_of == 2 and day == 20250302 else seq),
            target_name=target, science_program="BLOCK-1" if day == 20250301 else "BLOCK-2",
            tracking_ra=ra, tracking_dec=dec, sky_angle=90.0 if science else None,
            azimuth=(180.0 + 10 * seq) if science else None,
            zenith_angle=(20.0 + 3 * seq) if science else None,
            has_simulated=False, can_see_sky=None if obs_type == "flat" else science,
            timespan=span))
        if visit_of is not None:
            vid = day * 100000 + visit_of
            v = visits.setdefault((DEMO, vid), dict(
                instrument=DEMO, id=vid, name=f"DC_O_{day}_{visit_of:06d}", day_obs=day,
                physical_filter=pf, seq_num=visit_of, target=target, ra=ra, dec=dec,
                program="BLOCK-1" if day == 20250301 else "BLOCK-2", exposures=[], spans=[],
                exptime=0.0, azimuth=180.0 + 10 * seq, zenith_angle=20.0 + 3 * seq))
            v["exposures"].append(exp_id)
            v["spans"].append(span)
            v["exptime"] += exptime

    # OtherCam exposures and visits.
    for exp_id, day, obs_type, pf, target, exptime, is_visit in OTHER_EXPOSURES:
        seq = exp_id if day == 20250301 else exp_id - 4
        begin = plus(day_start(day), 14 * 3600 + 10 + (seq - 1) * 900)  # 02:00:10 TAI next day + 15 min/seq
        span = Timespan(begin, plus(begin, max(exptime, 1.0)))
        science = obs_type == "science"
        ra = dec = None
        if science:
            ra, dec = TARGETS[target]
        group = f"oc-{exp_id}"
        rec["group"].append(dict(instrument=OTHER, name=group))
        rec["exposure"].append(dict(
            instrument=OTHER, id=exp_id, obs_id=f"OC_{exp_id:04d}", physical_filter=pf, group=group,
            day_obs=day, exposure_time=exptime, dark_time=exptime, observation_type=obs_type,
            observation_reason=REASONS[target], seq_num=seq, seq_start=seq, seq_end=seq,
            target_name=target, science_program="OC-2025A", tracking_ra=ra, tracking_dec=dec,
            sky_angle=0.0 if science else None, azimuth=90.0 + exp_id if science else None,
            zenith_angle=40.0 + exp_id if science else None, has_simulated=exp_id == 7,
            can_see_sky=science, timespan=span))
        if is_visit:
            visits[(OTHER, exp_id)] = dict(
                instrument=OTHER, id=exp_id, name=f"oc_v{exp_id:04d}", day_obs=day, physical_filter=pf,
                seq_num=seq, target=target, ra=ra, dec=dec, program="OC-2025A", exposures=[exp_id],
                spans=[span], exptime=exptime, azimuth=90.0 + exp_id, zenith_angle=40.0 + exp_id)

    for (inst, vid), v in visits.items():
        size = 1.0 if inst == DEMO else 0.6
        begin = min(s.begin for s in v["spans"])
        end = max(s.end for s in v["spans"])
        rec["visit"].append(dict(
            instrument=inst, id=vid, name=v["name"], day_obs=v["day_obs"],
            physical_filter=v["physical_filter"], seq_num=v["seq_num"], exposure_time=v["exptime"],
            target_name=v["target"], observation_reason=REASONS[v["target"]],
            science_program=v["program"], azimuth=v["azimuth"], zenith_angle=v["zenith_angle"],
            region=centred_box(v["ra"], v["dec"], size, size), timespan=Timespan(begin, end)))
        for e in v["exposures"]:
            rec["visit_definition"].append(dict(instrument=inst, exposure=e, visit=vid))
        rec["visit_system_membership"].append(
            dict(instrument=inst, visit_system=1 if inst == DEMO else 0, visit=vid))
        for det, region in detector_regions(inst, v["ra"], v["dec"]).items():
            rec["visit_detector_region"].append(dict(instrument=inst, detector=det, visit=vid, region=region))

    for name, tracts in SKYMAPS.items():
        rec["skymap"].append(dict(name=name, hash=hashlib.sha1(name.encode()).digest(),
                                  tract_max=10, patch_nx_max=2, patch_ny_max=2))
        for tract, (r0, r1, d0, d1) in tracts.items():
            rec["tract"].append(dict(skymap=name, id=tract, region=lonlat_box(r0, r1, d0, d1)))
            n = 2 if name == "demo_skymap" else 1
            for y in range(n):
                for x in range(n):
                    pr0 = r0 + (r1 - r0) * x / n
                    pr1 = r0 + (r1 - r0) * (x + 1) / n
                    pd0 = d0 + (d1 - d0) * y / n
                    pd1 = d0 + (d1 - d0) * (y + 1) / n
                    rec["patch"].append(dict(skymap=name, tract=tract, id=x + n * y, cell_x=x, cell_y=y,
                                             region=lonlat_box(pr0, pr1, pd0, pd1)))
    rec["ssp_hypothesis_table"].append(dict(name="mpcorb_2025"))
    rec["ssp_hypothesis_bundle"] += [dict(ssp_hypothesis_table="mpcorb_2025", id=i) for i in (0, 1)]
    rec["ssp_balanced_index"] += [dict(ssp_hypothesis_table="mpcorb_2025", id=i) for i in (0, 1, 2)]
    return rec


def dataset_plan(records):
    """[(dataset type, run, data ID dict)] in a fixed order."""
    plan = []
    demo_exposures = [e for e in records["exposure"] if e["instrument"] == DEMO]
    other_exposures = [e for e in records["exposure"] if e["instrument"] == OTHER]
    for e in demo_exposures:
        for d in range(4):
            if d == 3 and e["day_obs"] == 20250303:
                continue  # the wavefront sensor was off on the third night
            plan.append(("raw", "DemoCam/raw/all", dict(instrument=DEMO, exposure=e["id"], detector=d)))
    for e in other_exposures:
        for d in range(2):
            plan.append(("raw", "OtherCam/raw/all", dict(instrument=OTHER, exposure=e["id"], detector=d)))
    demo_visits = [v for v in records["visit"] if v["instrument"] == DEMO]
    for v in demo_visits:
        run = {20250301: "DemoCam/runs/night1", 20250302: "DemoCam/runs/night2"}.get(v["day_obs"])
        if run is not None:
            for d in range(3):
                plan.append(("calexp", run, dict(instrument=DEMO, visit=v["id"], detector=d)))
            plan.append(("visitSummary", run, dict(instrument=DEMO, visit=v["id"])))
    for v in demo_visits:
        if v["target_name"] == "ECDFS_a" or v["day_obs"] == 20250303:
            dets = (0, 1, 2) if v["day_obs"] == 20250303 else (0, 1)
            for d in dets:
                plan.append(("calexp", "DemoCam/runs/reprocess", dict(instrument=DEMO, visit=v["id"], detector=d)))
            plan.append(("visitSummary", "DemoCam/runs/reprocess", dict(instrument=DEMO, visit=v["id"])))
    for v in records["visit"]:
        if v["instrument"] == OTHER:
            for d in range(2):
                plan.append(("calexp", "OtherCam/runs/all", dict(instrument=OTHER, visit=v["id"], detector=d)))
            plan.append(("visitSummary", "OtherCam/runs/all", dict(instrument=OTHER, visit=v["id"])))
    for band in ("g", "r", "i"):
        for patch in range(4):
            plan.append(("deepCoadd", "coadds/deep/v1", dict(skymap="demo_skymap", tract=0, patch=patch, band=band)))
    for patch in (0, 3):
        plan.append(("deepCoadd", "coadds/deep/v1", dict(skymap="demo_skymap", tract=1, patch=patch, band="r")))
    for run in ("DemoCam/calib/bias/2025a", "DemoCam/calib/bias/2025b"):
        for d in range(4):
            plan.append(("bias", run, dict(instrument=DEMO, detector=d)))
    for d in range(2):
        plan.append(("bias", "OtherCam/calib/bias/2025a", dict(instrument=OTHER, detector=d)))
    for name in SKYMAPS:
        plan.append(("skyMap", "skymaps", dict(skymap=name)))
    return plan


DATASET_TYPES = {
    "raw": (["instrument", "exposure", "detector"], False),
    "calexp": (["instrument", "visit", "detector"], False),
    "visitSummary": (["instrument", "visit"], False),
    "deepCoadd": (["skymap", "tract", "patch", "band"], False),
    "bias": (["instrument", "detector"], True),
    "skyMap": (["skymap"], False),
}


def build(repo_dir, export_file):
    if os.path.exists(repo_dir):
        raise SystemExit(f"{repo_dir} exists; give a new directory")
    export_dir = os.path.dirname(os.path.abspath(export_file))
    os.makedirs(export_dir, exist_ok=True)
    # Remove the files of an earlier build (only the run directories this script writes).
    for top in sorted({run.split("/")[0] for run in RUNS}):
        if os.path.isdir(os.path.join(export_dir, top)):
            shutil.rmtree(os.path.join(export_dir, top))
    Butler.makeRepo(repo_dir)
    butler = Butler.from_config(repo_dir, writeable=True)
    reg = butler.registry
    u = butler.dimensions
    records = make_records()
    for element, rows in records.items():
        if rows:
            reg.insertDimensionData(element, *rows)
    types = {}
    for name, (dims, is_calib) in DATASET_TYPES.items():
        types[name] = DatasetType(name, dims, "StructuredDataDict", universe=u, isCalibration=is_calib)
        reg.registerDatasetType(types[name])
    for run, doc in RUNS.items():
        reg.registerRun(run, doc=doc)
    refs = []
    for name, run, data_id in dataset_plan(records):
        coord = reg.expandDataId(data_id, dimensions=types[name].dimensions)  # templates need records
        ref = DatasetRef(types[name], coord, run=run, id_generation_mode=DatasetIdGenEnum.DATAID_TYPE_RUN)
        payload = {"dataset_type": name, "run": run, **{k: data_id[k] for k in sorted(data_id)}}
        refs.append(butler.put(payload, ref))
    by = {}
    for ref in refs:
        by.setdefault((ref.datasetType.name, ref.run), []).append(ref)

    # TAGGED: the find-first calexp of detector 1 for every DemoCam visit, plus the raws of the
    # first science exposure.
    reg.registerCollection("DemoCam/tagged/best", CollectionType.TAGGED, doc="hand-picked datasets")
    best = butler.query_datasets("calexp", collections=CHAINS["DemoCam/defaults"][:3], find_first=True,
                                 where="instrument = 'DemoCam' AND detector = 1", explain=False, limit=None)
    first_raws = [r for r in by[("raw", "DemoCam/raw/all")] if r.dataId["exposure"] == 2025030100004]
    reg.associate("DemoCam/tagged/best", sorted(best, key=lambda r: r.id) + first_raws)

    # CALIBRATION collections.
    reg.registerCollection("DemoCam/calib", CollectionType.CALIBRATION, doc="DemoCam certified calibrations")
    reg.certify("DemoCam/calib", by[("bias", "DemoCam/calib/bias/2025a")],
                Timespan(tai("2025-01-01T00:00:00"), tai(CERT_SPLIT)))
    reg.certify("DemoCam/calib", by[("bias", "DemoCam/calib/bias/2025b")], Timespan(tai(CERT_SPLIT), None))
    reg.registerCollection("OtherCam/calib", CollectionType.CALIBRATION, doc="OtherCam certified calibrations")
    reg.certify("OtherCam/calib", by[("bias", "OtherCam/calib/bias/2025a")],
                Timespan(tai("2025-01-01T00:00:00"), None))

    for chain, children in CHAINS.items():
        reg.registerCollection(chain, CollectionType.CHAINED, doc=f"search path {chain}")
        reg.setCollectionChain(chain, children)

    export_file = os.path.abspath(export_file)  # a relative filename would be read relative to directory
    with butler.export(filename=export_file, directory=export_dir, transfer="copy") as ex:
        ex.saveDatasets(refs)
        for element, rows in records.items():
            if rows:
                ex.saveDimensionData(element, butler.query_dimension_records(element, explain=False, limit=None))
        for name in ["DemoCam/tagged/best", "DemoCam/calib", "OtherCam/calib", *CHAINS]:
            ex.saveCollection(name)
    summary = {t: len(v) for t, v in sorted(by.items())}
    for (t, run), n in summary.items():
        print(f"{t:13s} {run:28s} {n}")
    print(f"{len(refs)} datasets; export written to {export_file}")


# ---------------------------------------------------------------------------------------------
# Running cases
# ---------------------------------------------------------------------------------------------

def import_repo(export_dir, work):
    root = os.path.join(work, "repo")
    Butler.makeRepo(root)
    butler = Butler.from_config(root, writeable=True)
    butler.import_(directory=export_dir, filename=os.path.join(export_dir, "export.yaml"), transfer="symlink")
    return Butler.from_config(root)


def decode_bind(value):
    if isinstance(value, list):
        return [decode_bind(v) for v in value]
    if not isinstance(value, dict):
        return value
    kind = value["type"]
    v = value["value"]
    if kind == "time":
        return astropy.time.Time(v, scale=value.get("scale", "utc"), format=value.get("format"))
    if kind == "timespan":
        scale = value.get("scale", "utc")
        ends = [None if x is None else astropy.time.Time(x, scale=scale) for x in v]
        return Timespan(*ends)
    if kind == "uuid":
        return uuid.UUID(v)
    if kind == "circle":
        return Circle(UnitVector3d(LonLat.fromDegrees(v[0], v[1])), Angle.fromDegrees(v[2]))
    if kind == "point":
        return LonLat.fromDegrees(v[0], v[1])
    raise ValueError(f"unknown bind type {kind!r}")


def plain(v):
    """A data ID value as a plain YAML scalar."""
    return v if isinstance(v, (int, str)) or v is None else str(v)


def run_case(butler, case):
    api = case["api"]
    where = case.get("where", "")
    bind = {k: decode_bind(v) for k, v in (case.get("bind") or {}).items()} or None
    data_id = case.get("data_id")
    order_by = case.get("order_by")
    limit = case.get("limit")
    if api == "datasets":
        targets = case["target"] if isinstance(case["target"], list) else [case["target"]]
        rows = []
        columns = {}
        for t in targets:
            refs = butler.query_datasets(
                t, collections=case.get("collections"), find_first=case.get("find_first", True),
                data_id=data_id, where=where, bind=bind, order_by=order_by, limit=limit, explain=False)
            for ref in refs:
                names = list(ref.dataId.dimensions.required)
                columns.setdefault(t, ["dataset_type", "run", *names])
                rows.append([ref.datasetType.name, ref.run] + [plain(ref.dataId[n]) for n in names])
        # One list when all rows have the same columns, else {dataset type: columns}.
        columns = next(iter(columns.values())) if len(columns) == 1 else (columns or None)
    elif api == "data_ids":
        dims = case["target"]
        if case.get("datasets"):
            datasets = case["datasets"] if isinstance(case["datasets"], list) else [case["datasets"]]
            with butler.query() as query:
                for dt in datasets:
                    query = query.join_dataset_search(dt, collections=case.get("collections"))
                result = query.data_ids(dims).where(data_id or {}, where, bind=bind)
                if order_by:
                    result = result.order_by(*order_by)
                if limit is not None:
                    result = result.limit(limit)
                ids = list(result)
        else:
            ids = butler.query_data_ids(dims, data_id=data_id, where=where, bind=bind, order_by=order_by,
                                        limit=limit, explain=False)
        columns = list(ids[0].dimensions.required) if ids else None
        rows = [[plain(i[n]) for n in i.dimensions.required] for i in ids]
    elif api == "dimension_records":
        recs = butler.query_dimension_records(case["target"], data_id=data_id, where=where, bind=bind,
                                              order_by=order_by, limit=limit, explain=False)
        columns = list(recs[0].dataId.dimensions.required) if recs else None
        rows = [[plain(r.dataId[n]) for n in r.dataId.dimensions.required] for r in recs]
    else:
        raise ValueError(f"unknown api {api!r}")
    expect = {"count": len(rows)}
    if columns is not None:
        expect["columns"] = columns
    if limit is None or order_by:
        # With a limit but no order the rows kept are arbitrary: only the count is comparable.
        expect["rows"] = sorted(rows, key=lambda r: [(0, x) if isinstance(x, int) else (1, str(x)) for x in r])
    if order_by:
        expect["first"] = rows[:3]
    return expect


def answer(butler, case):
    try:
        return run_case(butler, case)
    except Exception as e:  # noqa: BLE001 -- recording the Python Butler's error is the point
        out = {"error": type(e).__name__, "message": str(e)}
        if e.__cause__ is not None:
            out["cause"] = str(e.__cause__)
        return out


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


Dumper.add_representer(str, _str)


def _list(dumper, seq):
    # Rows and short lists of scalars in flow style; everything else in block style.
    flow = all(not isinstance(x, (list, dict)) for x in seq)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", seq, flow_style=flow)


Dumper.add_representer(list, _list)


def load_cases(path):
    with open(path) as f:
        cases = yaml.safe_load(f)
    ids = [c["id"] for c in cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise SystemExit(f"duplicate case ids: {sorted(dup)}")
    return cases


def compute(cases_path, repo):
    cases = load_cases(cases_path)
    with tempfile.TemporaryDirectory() as work:
        if repo:
            butler = Butler.from_config(repo)
        else:
            butler = import_repo(os.path.dirname(os.path.abspath(cases_path)), work)
        out = []
        for case in cases:
            c = dict(case)
            c.pop("expect", None)
            c["expect"] = answer(butler, case)
            out.append(c)
    return out


HEADER = """\
# The Python Butler's answers to tests/fixtures/where/cases.yaml on tests/fixtures/where/export.yaml.
# Generated by tests/python/where_cases.py (lsst-daf-butler {version}); do not edit by hand.
# Regenerate: .venv/bin/python tests/python/where_cases.py cases tests/fixtures/where/cases.yaml tests/fixtures/where/expected.yaml
"""


def cases_cmd(in_path, out_path, repo=None):
    import lsst.daf.butler
    out = compute(in_path, repo)
    with open(out_path, "w") as f:
        f.write(HEADER.format(version=lsst.daf.butler.__version__))
        yaml.dump(out, f, Dumper=Dumper, sort_keys=False, width=1000, allow_unicode=True)
    errors = sum(1 for c in out if "error" in c["expect"])
    print(f"{len(out)} cases ({errors} errors) written to {out_path}")


def check_cmd(in_path, expected_path, repo=None):
    out = compute(in_path, repo)
    with open(expected_path) as f:
        expected = {c["id"]: c for c in yaml.safe_load(f)}
    problems = []
    for c in out:
        e = expected.get(c["id"])
        if e is None:
            problems.append(f"{c['id']}: missing from {expected_path}")
            continue
        for key in set(c) | set(e):
            if c.get(key) != e.get(key):
                problems.append(f"{c['id']}: {key} differs:\n  now:      {c.get(key)!r}\n  expected: {e.get(key)!r}")
    for i in expected.keys() - {c["id"] for c in out}:
        problems.append(f"{i}: in {expected_path} but not in {in_path}")
    if problems:
        print("\n".join(problems))
        raise SystemExit(1)
    print(f"{len(out)} cases agree with {expected_path}")


def main(argv):
    args = argv[1:]
    repo = None
    if "--repo" in args:
        i = args.index("--repo")
        repo = args[i + 1]
        del args[i:i + 2]
    if len(args) != 3 or args[0] not in ("build", "cases", "check"):
        raise SystemExit(__doc__)
    cmd, a, b = args
    if cmd == "build":
        build(a, b)
    elif cmd == "cases":
        cases_cmd(a, b, repo)
    else:
        check_cmd(a, b, repo)


if __name__ == "__main__":
    main(sys.argv)
