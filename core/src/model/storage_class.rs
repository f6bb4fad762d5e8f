//! Storage classes and formatters: names kept verbatim, bytes opaque to us.
//!
//! A formatter is a fully-qualified Python class name plus the file extension it writes.
//! The table is the Python Butler's default datastore configuration for common storage classes.

/// A formatter: the Python class name stored with each dataset and its file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formatter {
    /// Fully-qualified class name (`lsst.daf.butler.formatters.yaml.YamlFormatter`).
    pub name: &'static str,
    /// Extension with the dot (`.yaml`).
    pub extension: &'static str,
}

const YAML: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.yaml.YamlFormatter",
    extension: ".yaml",
};
const JSON: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.json.JsonFormatter",
    extension: ".json",
};
const PARQUET: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.parquet.ParquetFormatter",
    extension: ".parq",
};
const PICKLE: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.pickle.PickleFormatter",
    extension: ".pickle",
};
const FITS_EXPOSURE: Formatter = Formatter {
    name: "lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter",
    extension: ".fits",
};
const FITS_IMAGE: Formatter = Formatter {
    name: "lsst.obs.base.formatters.fitsExposure.FitsImageFormatter",
    extension: ".fits",
};
const FITS_MASK: Formatter = Formatter {
    name: "lsst.obs.base.formatters.fitsExposure.FitsMaskFormatter",
    extension: ".fits",
};
const FITS_MASKED_IMAGE: Formatter = Formatter {
    name: "lsst.obs.base.formatters.fitsExposure.FitsMaskedImageFormatter",
    extension: ".fits",
};
const FITS_GENERIC: Formatter = Formatter {
    name: "lsst.obs.base.formatters.fitsGeneric.FitsGenericFormatter",
    extension: ".fits",
};
const PEX_CONFIG: Formatter = Formatter {
    name: "lsst.pipe.base.formatters.pexConfig.PexConfigFormatter",
    extension: ".py",
};
const PACKAGES: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.packages.PackagesFormatter",
    extension: ".yaml",
};
const LOGS: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.logs.ButlerLogRecordsFormatter",
    extension: ".json",
};
const ASTROPY_TABLE: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.astropyTable.AstropyTableFormatter",
    extension: ".ecsv",
};
const MATPLOTLIB: Formatter = Formatter {
    name: "lsst.daf.butler.formatters.matplotlib.MatplotlibFormatter",
    extension: ".png",
};

/// The default formatter for a storage class, if the Python Butler's defaults name one.
pub fn formatter_for(storage_class: &str) -> Option<Formatter> {
    Some(match storage_class {
        "StructuredDataDict"
        | "StructuredDataList"
        | "StructuredData"
        | "ExposureSummaryStats"
        | "PropertyList"
        | "PropertySet"
        | "MetricValue" => YAML,
        "int" | "TaskMetadata" | "StructuredDataDictJson" => JSON,
        "DataFrame" | "ArrowAstropy" | "ArrowNumpy" | "ArrowNumpyDict" | "ArrowTable"
        | "ArrowSchema" => PARQUET,
        "SkyMap" | "NumpyArray" | "FocalPlaneBackground" => PICKLE,
        "Exposure" | "ExposureF" | "ExposureI" | "ExposureD" | "DecoratedImageU" => FITS_EXPOSURE,
        "Image" | "ImageF" | "ImageU" | "ImageI" | "ImageD" => FITS_IMAGE,
        "Mask" | "MaskX" => FITS_MASK,
        "MaskedImageF" => FITS_MASKED_IMAGE,
        "Config" => PEX_CONFIG,
        "Packages" => PACKAGES,
        "ButlerLogRecords" => LOGS,
        "AstropyTable" | "AstropyQTable" => ASTROPY_TABLE,
        "Plot" => MATPLOTLIB,
        "TablePersistable" | "Wcs" | "Psf" | "CoaddInputs" | "VisitInfo" | "ApCorr"
        | "PhotoCalib" | "FilterLabel" | "TransmissionCurve" | "Camera" | "Detector"
        | "Polygon" | "Catalog" | "PeakCatalog" | "SimpleCatalog" | "SourceCatalog"
        | "ExposureCatalog" | "Defects" | "IsrCalib" | "Background" | "Stamps" => FITS_GENERIC,
        _ => return None,
    })
}

/// The extension a formatter class writes, for formatters named in imported files.
pub fn extension_of_formatter(name: &str) -> Option<&'static str> {
    [
        YAML,
        JSON,
        PARQUET,
        PICKLE,
        FITS_EXPOSURE,
        FITS_IMAGE,
        FITS_MASK,
        FITS_MASKED_IMAGE,
        FITS_GENERIC,
        PEX_CONFIG,
        PACKAGES,
        LOGS,
        ASTROPY_TABLE,
        MATPLOTLIB,
    ]
    .iter()
    .find(|f| f.name == name)
    .map(|f| f.extension)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_storage_classes_have_the_python_formatters() {
        assert_eq!(
            formatter_for("StructuredDataDict").unwrap().extension,
            ".yaml"
        );
        assert_eq!(
            formatter_for("ExposureF").unwrap().name,
            "lsst.obs.base.formatters.fitsExposure.FitsExposureFormatter"
        );
        assert_eq!(formatter_for("NoSuchClass"), None);
        assert_eq!(
            extension_of_formatter("lsst.daf.butler.formatters.parquet.ParquetFormatter"),
            Some(".parq")
        );
    }
}
