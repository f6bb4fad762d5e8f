"""The Python Butler side of Satellite Butler's interoperability tests.

Driven by `tests/tests/interop_python.rs` with the project's venv (`.venv/bin/python`).
Every subcommand prints one JSON document on stdout describing what the Python Butler
sees, so the Rust test can compare it with what Satellite Butler sees.

    interop.py ids                       dataset IDs the Python Butler generates
    interop.py make-export WORK          a Python repository exported (with files) to WORK/export
    interop.py make-raw-export WORK      raws on (exposure, detector) exported to WORK/raw_export; prints id -> path
    interop.py import-and-read DIR WORK  import DIR/export.yaml into a new repo in WORK and read back
"""

import json
import os
import sys

import astropy.time
from lsst.daf.butler import Butler, CollectionType, DataCoordinate, DatasetRef, DatasetType, Timespan
from lsst.daf.butler import DatasetIdFactory, DatasetIdGenEnum

BANDS = ["u", "g", "r", "i", "z", "y"]


def tai(text):
    return astropy.time.Time(text, format="iso", scale="tai")


def ts_json(ts):
    """A timespan as [begin, end] TAI ISO strings (None = unbounded)."""
    def one(t):
        return None if t is None else t.tai.strftime("%Y-%m-%d %H:%M:%S")
    return [one(ts.begin), one(ts.end)]


def ids():
    """IDs for a handful of (type, run, data ID) triples in both deterministic modes."""
    butler_root = os.environ.get("WORK", "/tmp")
    Butler.makeRepo(os.path.join(butler_root, "ids_repo"))
    butler = Butler.from_config(os.path.join(butler_root, "ids_repo"))
    u = butler.dimensions
    factory = DatasetIdFactory()
    cases = [
        ("raw", ["instrument", "exposure", "detector"], {"instrument": "LSSTCam", "exposure": 2025050100123, "detector": 94}, "LSSTCam/raw/all"),
        ("calexp", ["instrument", "visit", "detector"], {"instrument": "DemoCam", "visit": 2, "detector": 1}, "DemoCam/runs/put"),
        ("deepCoadd", ["skymap", "tract", "patch", "band"], {"skymap": "lsst_cells_v1", "tract": 5063, "patch": 14, "band": "r"}, "u/alice/coadd"),
        ("bias", ["instrument", "detector"], {"instrument": "HSC", "detector": 50}, "HSC/calib/bias"),
        ("summary", [], {}, "u/bob/x"),
    ]
    out = []
    for name, dims, data_id, run in cases:
        dt = DatasetType(name, dims, "StructuredDataDict", universe=u)
        coord = DataCoordinate.standardize(data_id, dimensions=dt.dimensions)
        row = {"dataset_type": name, "dimensions": dims, "data_id": data_id, "run": run}
        for mode in (DatasetIdGenEnum.DATAID_TYPE, DatasetIdGenEnum.DATAID_TYPE_RUN):
            ref = factory.makeDatasetId(run, dt, coord, mode)
            row[mode.name] = str(ref)
        out.append(row)
    return out


def populate(butler, visits, detectors):
    reg = butler.registry
    reg.insertDimensionData("instrument", dict(name="DemoCam", visit_max=10000000, visit_system=0,
                                               exposure_max=10000000, detector_max=1000, class_name="demo.DemoCam"))
    reg.insertDimensionData("physical_filter", *[dict(instrument="DemoCam", name="DemoCam-" + b, band=b) for b in BANDS])
    reg.insertDimensionData("detector", *[dict(instrument="DemoCam", id=d, full_name="R00_S%03d" % d,
                                               name_in_raft="S%03d" % d, raft="R00", purpose="SCIENCE")
                                          for d in range(detectors)])
    reg.insertDimensionData("day_obs", dict(instrument="DemoCam", id=20260101,
                                            timespan=Timespan(tai("2026-01-01 12:00:00"), tai("2026-01-02 12:00:00"))))
    reg.insertDimensionData("visit", *[dict(instrument="DemoCam", id=v, name="v%07d" % v,
                                            physical_filter="DemoCam-" + BANDS[v % 6], day_obs=20260101,
                                            seq_num=v, exposure_time=30.0, target_name="demo_field",
                                            observation_reason="science", science_program="interop")
                                       for v in range(1, visits + 1)])


def describe(butler, collections):
    """Everything the tests compare: datasets (with payloads), collections, associations."""
    reg = butler.registry
    datasets = []
    seen = set()
    for ref in reg.queryDatasets(..., collections=..., findFirst=False):
        if ref.id in seen:
            continue  # a dataset is listed once per collection holding it
        seen.add(ref.id)
        payload = butler.get(ref)
        datasets.append({
            "id": str(ref.id),
            "dataset_type": ref.datasetType.name,
            "run": ref.run,
            "data_id": {k: ref.dataId[k] for k in ref.dataId.dimensions.required},
            "payload": payload,
        })
    datasets.sort(key=lambda d: d["id"])
    cols = {}
    for name in collections:
        info = reg.getCollectionType(name)
        entry = {"type": info.name, "doc": reg.getCollectionDocumentation(name) or ""}
        if info == CollectionType.CHAINED:
            entry["children"] = list(reg.getCollectionChain(name))
        if info == CollectionType.TAGGED:
            entry["ids"] = sorted(str(r.id) for r in reg.queryDatasets(..., collections=name))
        if info == CollectionType.CALIBRATION:
            assoc = []
            for a in reg.queryDatasetAssociations("bias", collections=name):
                assoc.append([str(a.ref.id)] + ts_json(a.timespan))
            entry["validity"] = sorted(assoc)
        cols[name] = entry
    records = {el: len(list(reg.queryDimensionRecords(el))) for el in ("instrument", "physical_filter", "detector", "day_obs", "visit")}
    return {"datasets": datasets, "collections": cols, "records": records}


def make_export(work):
    root = os.path.join(work, "py_repo")
    Butler.makeRepo(root)
    butler = Butler.from_config(root, writeable=True)
    populate(butler, visits=4, detectors=3)
    reg = butler.registry
    u = butler.dimensions
    reg.registerDatasetType(DatasetType("calexp", ["instrument", "visit", "detector"], "StructuredDataDict", universe=u))
    reg.registerDatasetType(DatasetType("bias", ["instrument", "detector"], "StructuredDataDict", universe=u, isCalibration=True))
    reg.registerRun("DemoCam/runs/py", doc="calexps written by the Python Butler")
    reg.registerRun("DemoCam/calib/bias")
    refs = []
    for v in range(1, 5):
        for d in range(3):
            refs.append(butler.put({"visit": v, "detector": d, "zeropoint": 27.0 + d / 10}, "calexp",
                                   instrument="DemoCam", visit=v, detector=d, run="DemoCam/runs/py"))
    biases = [butler.put({"bias": d}, "bias", instrument="DemoCam", detector=d, run="DemoCam/calib/bias") for d in range(3)]
    reg.registerCollection("DemoCam/tagged", CollectionType.TAGGED, doc="hand-picked calexps")
    reg.associate("DemoCam/tagged", refs[:5])
    reg.registerCollection("DemoCam/calib", CollectionType.CALIBRATION)
    reg.certify("DemoCam/calib", biases, Timespan(tai("2025-01-01 00:00:00"), tai("2025-06-01 00:00:00")))
    reg.certify("DemoCam/calib", biases[:1], Timespan(tai("2025-06-01 00:00:00"), None))
    reg.registerCollection("DemoCam/defaults", CollectionType.CHAINED, doc="the search path")
    reg.setCollectionChain("DemoCam/defaults", ["DemoCam/tagged", "DemoCam/runs/py", "DemoCam/calib"])
    out = os.path.join(work, "export")
    os.makedirs(out)
    with butler.export(filename=os.path.join(out, "export.yaml"), directory=out, transfer="copy") as e:
        e.saveDatasets(refs + biases)
        for c in ("DemoCam/tagged", "DemoCam/calib", "DemoCam/defaults"):
            e.saveCollection(c)
    return describe(butler, ["DemoCam/runs/py", "DemoCam/calib/bias", "DemoCam/tagged", "DemoCam/calib", "DemoCam/defaults"])


def make_raw_export(work):
    """Raws on (exposure, detector): the raw-like file template, `group` and `obs_id`."""
    root = os.path.join(work, "py_raw")
    Butler.makeRepo(root)
    butler = Butler.from_config(root, writeable=True)
    reg = butler.registry
    reg.insertDimensionData("instrument", dict(name="DemoCam", visit_max=100, visit_system=0, exposure_max=100,
                                               detector_max=10, class_name="demo.DemoCam"))
    reg.insertDimensionData("physical_filter", dict(instrument="DemoCam", name="DemoCam-r", band="r"))
    reg.insertDimensionData("detector", *[dict(instrument="DemoCam", id=d, full_name="R00_S%03d" % d) for d in range(2)])
    reg.insertDimensionData("day_obs", dict(instrument="DemoCam", id=20260101))
    reg.insertDimensionData("group", dict(instrument="DemoCam", name="g1"))
    reg.insertDimensionData("exposure", *[dict(instrument="DemoCam", id=e, obs_id="DC_O_%07d" % e, physical_filter="DemoCam-r",
                                               group="g1", day_obs=20260101, exposure_time=15.0, can_see_sky=True)
                                          for e in (1, 2)])
    reg.registerDatasetType(DatasetType("raw", ["instrument", "exposure", "detector"], "StructuredDataDict",
                                        universe=butler.dimensions))
    reg.registerRun("DemoCam/raw/all")
    refs = [butler.put({"exposure": e, "detector": d}, "raw", instrument="DemoCam", exposure=e, detector=d,
                       run="DemoCam/raw/all") for e in (1, 2) for d in range(2)]
    out = os.path.join(work, "raw_export")
    os.makedirs(out)
    with butler.export(filename=os.path.join(out, "export.yaml"), directory=out, transfer="copy") as e:
        e.saveDatasets(refs)
    paths = {}
    for ref in refs:
        uri = butler.getURI(ref)
        paths[str(ref.id)] = os.path.relpath(uri.ospath, root)
    return paths


def import_and_read(export_dir, work, collections):
    root = os.path.join(work, "py_import")
    Butler.makeRepo(root)
    butler = Butler.from_config(root, writeable=True)
    butler.import_(directory=export_dir, filename=os.path.join(export_dir, "export.yaml"), transfer="copy")
    return describe(butler, collections)


def main(argv):
    cmd = argv[1]
    if cmd == "ids":
        result = ids()
    elif cmd == "make-export":
        result = make_export(argv[2])
    elif cmd == "make-raw-export":
        result = make_raw_export(argv[2])
    elif cmd == "import-and-read":
        result = import_and_read(argv[2], argv[3], argv[4:])
    else:
        raise SystemExit(f"unknown subcommand {cmd!r}")
    json.dump(result, sys.stdout, sort_keys=True, default=str)


if __name__ == "__main__":
    main(sys.argv)
