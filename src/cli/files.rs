//! The CLI's contact with the filesystem: reading inputs, loading catalogue and
//! template directories, and writing outputs atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalogue::CatalogueFile;
use crate::diag::Diagnostic;
use crate::embedded;
use crate::render::TemplateFile;
use crate::yaml::SourceFile;

/// An I/O failure, already worded for the user (exit code 3).
#[derive(Debug)]
pub struct IoFailure(pub String);

/// Read a questionnaire file, refusing directories and oversized files up front.
pub fn read_input(path: &Path) -> Result<Vec<u8>, ReadError> {
    let name = path.display().to_string();
    let meta = metadata(path, &name)?;
    if meta.is_dir() {
        return Err(ReadError::Invalid(
            Diagnostic::error(format!("{name} is a directory, not a questionnaire file"))
                .at(Some(crate::yaml::file_location(&name)))
                .help("give the questionnaire files inside it (`dir/*.yaml`); only `secannex generate` reads a whole directory"),
        ));
    }
    if meta.len() > crate::yaml::MAX_FILE_BYTES as u64 {
        return Err(too_large(
            &name,
            "file",
            meta.len(),
            crate::yaml::MAX_FILE_BYTES as u64,
        )
        .help("a questionnaire is a few kilobytes: check that this is the right file")
        .into());
    }
    read(path, &name)
}

/// Largest compliance matrix read back (a filled-in matrix is well under 1 MB).
pub const MAX_XLSX_BYTES: u64 = 20 * 1024 * 1024;

/// Read a filled-in compliance matrix, refusing directories, oversized files and
/// ZIP archives that would expand to more than 50 times that (a "zip bomb"), by
/// the sizes their directory declares, before a reader unpacks them.
pub fn read_xlsx(path: &Path) -> Result<Vec<u8>, ReadError> {
    let name = path.display().to_string();
    let meta = metadata(path, &name)?;
    if meta.is_dir() {
        return Err(
            Diagnostic::error(format!("{name} is a directory, not a compliance matrix"))
                .at(Some(crate::yaml::file_location(&name)))
                .into(),
        );
    }
    if meta.len() > MAX_XLSX_BYTES {
        return Err(too_large(&name, "file", meta.len(), MAX_XLSX_BYTES).into());
    }
    let bytes = read(path, &name)?;
    let expanded: u64 = zip::ZipArchive::new(std::io::Cursor::new(&bytes))
        .map(|mut z| {
            (0..z.len())
                .filter_map(|i| z.by_index_raw(i).ok().map(|f| f.size()))
                .sum()
        })
        .unwrap_or(0);
    if expanded > 50 * MAX_XLSX_BYTES {
        return Err(too_large(&name, "file once unzipped", expanded, 50 * MAX_XLSX_BYTES).into());
    }
    Ok(bytes)
}

fn metadata(path: &Path, name: &str) -> Result<fs::Metadata, ReadError> {
    fs::metadata(path)
        .map_err(|e| ReadError::Io(IoFailure(format!("cannot read {name}: {}", io_reason(&e)))))
}

fn read(path: &Path, name: &str) -> Result<Vec<u8>, ReadError> {
    fs::read(path)
        .map_err(|e| ReadError::Io(IoFailure(format!("cannot read {name}: {}", io_reason(&e)))))
}

/// `what` is "file" or, for an archive, "file once unzipped".
fn too_large(name: &str, what: &str, size: u64, limit: u64) -> Diagnostic {
    Diagnostic::error(format!(
        "{what} is too large ({size} bytes); the limit is {limit} bytes"
    ))
    .at(Some(crate::yaml::file_location(name)))
}

impl From<Diagnostic> for ReadError {
    fn from(d: Diagnostic) -> Self {
        ReadError::Invalid(d)
    }
}

/// Why an input could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Not there, no permission... (exit 3).
    Io(IoFailure),
    /// There, but not acceptable input (exit 1).
    Invalid(Diagnostic),
}

/// A short, stable wording of an I/O error.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        StorageFull => "no space left on device".into(),
        ReadOnlyFilesystem => "read-only file system".into(),
        IsADirectory => "is a directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_lowercase(),
                None => s.to_lowercase(),
            }
        }
    }
}

/// The built-in catalogue files.
pub fn builtin_catalogue() -> Vec<CatalogueFile> {
    embedded::CATALOGUE
        .iter()
        .map(|(path, text, tree)| CatalogueFile {
            path: path.to_string(),
            source: SourceFile::new(format!("built-in:catalogue/{path}"), *text),
            tree: Some(*tree).filter(|t| !t.is_empty()),
        })
        .collect()
}

/// The built-in catalogue and templates, loaded: what `secannex` uses without
/// `--catalogue` or `--templates` (and what tests, benchmarks and fuzz targets
/// use). Errors are the catalogue's or the templates' diagnostics.
pub fn builtin_resources() -> Result<crate::generate::Resources, Vec<Diagnostic>> {
    let (catalogue, diags) = crate::catalogue::load(&builtin_catalogue());
    let catalogue = catalogue.ok_or(diags)?;
    let templates = match templates(None) {
        Ok(files) => crate::render::Templates::load(&files)?,
        Err(ReadError::Invalid(d)) => return Err(vec![d]),
        Err(ReadError::Io(e)) => return Err(vec![Diagnostic::error(e.0)]),
    };
    Ok(crate::generate::Resources {
        catalogue,
        catalogue_source: "built-in".into(),
        templates,
        templates_source: "built-in".into(),
        pdf: crate::write::pdf::PdfEngine::new(&embedded::FONTS),
    })
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        // Symbolic links to directories are not followed (a loop would never end).
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else if path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The YAML files of a catalogue directory.
pub fn catalogue_dir(dir: &Path) -> Result<Vec<CatalogueFile>, ReadError> {
    let mut paths = Vec::new();
    walk(dir, &mut paths).map_err(|e| {
        ReadError::Io(IoFailure(format!(
            "cannot read catalogue directory {}: {}",
            dir.display(),
            io_reason(&e)
        )))
    })?;
    paths.sort();
    let mut files = Vec::new();
    for p in paths {
        let rel = relative(dir, &p);
        if !(rel.ends_with(".yaml") || rel.ends_with(".yml")) {
            continue;
        }
        let bytes = read_input(&p)?;
        let source =
            SourceFile::from_bytes(&p.display().to_string(), &bytes).map_err(ReadError::Invalid)?;
        files.push(CatalogueFile {
            path: rel,
            source,
            tree: None,
        });
    }
    Ok(files)
}

/// Built-in templates, overlaid by the files of `dir` when given (a file in `dir`
/// replaces the built-in file with the same path; others are added).
pub fn templates(dir: Option<&Path>) -> Result<Vec<TemplateFile>, ReadError> {
    let mut files: Vec<TemplateFile> = embedded::TEMPLATES
        .iter()
        .map(|(path, text)| TemplateFile {
            path: path.to_string(),
            display: format!("built-in:templates/{path}"),
            text: text.to_string(),
        })
        .collect();
    if let Some(dir) = dir {
        let mut paths = Vec::new();
        walk(dir, &mut paths).map_err(|e| {
            ReadError::Io(IoFailure(format!(
                "cannot read template directory {}: {}",
                dir.display(),
                io_reason(&e)
            )))
        })?;
        paths.sort();
        for p in paths {
            let rel = relative(dir, &p);
            let bytes = read_input(&p)?;
            let display = p.display().to_string();
            let text = SourceFile::from_bytes(&display, &bytes)
                .map_err(ReadError::Invalid)?
                .text;
            match files.iter_mut().find(|f| f.path == rel) {
                Some(f) => {
                    *f = TemplateFile {
                        path: rel,
                        display,
                        text,
                    }
                }
                None => files.push(TemplateFile {
                    path: rel,
                    display,
                    text,
                }),
            }
        }
    }
    Ok(files)
}

static TEMP_SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Write a set of files into `dir` all-or-nothing: each goes to a temporary file
/// first; only when every one is written and synced are they renamed into place.
/// On failure no temporary file is left and no target is touched.
pub fn write_all_atomic(dir: &Path, files: &[(String, &[u8])]) -> Result<Vec<PathBuf>, IoFailure> {
    let mut temps: Vec<(PathBuf, PathBuf)> = Vec::new();
    let cleanup = |temps: &[(PathBuf, PathBuf)]| {
        for (t, _) in temps {
            let _ = fs::remove_file(t);
        }
    };
    for (name, bytes) in files {
        let target = dir.join(name);
        // Unique per process and per call: two jobs of one run never share a
        // temporary, even when they write files of the same name.
        let serial = TEMP_SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}.{serial}.tmp", std::process::id()));
        let result = (|| -> std::io::Result<()> {
            let mut f = fs::File::create(&temp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&temp);
            cleanup(&temps);
            return Err(IoFailure(format!(
                "cannot write {}: {}",
                target.display(),
                io_reason(&e)
            )));
        }
        temps.push((temp, target));
    }
    let mut written = Vec::new();
    for (i, (temp, target)) in temps.iter().enumerate() {
        if let Err(e) = fs::rename(temp, target) {
            cleanup(&temps[i..]);
            return Err(IoFailure(format!(
                "cannot write {}: {}",
                target.display(),
                io_reason(&e)
            )));
        }
        written.push(target.clone());
    }
    Ok(written)
}
