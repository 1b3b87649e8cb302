//! Embeds the built-in catalogue and templates: generates a list of
//! `(relative path, contents)` for every file under `catalogue/` and `templates/`,
//! sorted so the binary (and so its output) does not depend on directory order.
//!
//! Each catalogue file also gets its node tree, parsed here with secannex's own
//! YAML parser and stored in binary form (`src/yaml/tree.rs`), so that start-up
//! decodes trees instead of parsing 500 KB of YAML. A file that does not parse
//! gets no tree: secannex then parses its text and reports the error as usual.

use std::fs;
use std::path::{Path, PathBuf};

// The parser and the tree format, compiled from the very files the library uses,
// so that a stored tree is exactly what parsing at run time would give.
#[allow(dead_code)]
#[path = "src/diag.rs"]
mod diag;
#[allow(dead_code)]
#[path = "src/yaml/parse.rs"]
mod parse;
#[allow(dead_code)]
#[path = "src/yaml/tree.rs"]
mod tree;

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn files_under(manifest: &Path, name: &str) -> (PathBuf, Vec<PathBuf>) {
    let root = manifest.join(name);
    println!("cargo:rerun-if-changed={name}");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    (root, files)
}

fn relative(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .expect("under root")
        .to_string_lossy()
        .replace('\\', "/")
}

fn templates(manifest: &Path) -> String {
    let (root, files) = files_under(manifest, "templates");
    let mut s = String::from("&[\n");
    for f in files {
        let rel = relative(&root, &f);
        s.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.to_string_lossy()
        ));
    }
    s.push(']');
    s
}

fn catalogue(manifest: &Path, out: &Path) -> String {
    let (root, files) = files_under(manifest, "catalogue");
    let trees = out.join("trees");
    fs::create_dir_all(&trees).expect("create the trees directory");
    let mut s = String::from("&[\n");
    for (i, f) in files.iter().enumerate() {
        let rel = relative(&root, f);
        let text = fs::read_to_string(f).unwrap_or_default();
        let source = parse::SourceFile::new(format!("built-in:catalogue/{rel}"), text);
        let tree = match rel.ends_with(".yaml").then(|| parse::parse(&source)) {
            Some(Ok(node)) => {
                let bin = trees.join(format!("{i}.bin"));
                fs::write(&bin, tree::encode(&node)).expect("write a tree");
                format!("include_bytes!({:?})", bin.to_string_lossy())
            }
            _ => "&[]".to_string(),
        };
        s.push_str(&format!(
            "    ({rel:?}, include_str!({:?}), {tree}),\n",
            f.to_string_lossy()
        ));
    }
    s.push(']');
    s
}

fn main() {
    for used in ["src/diag.rs", "src/yaml/parse.rs", "src/yaml/tree.rs"] {
        println!("cargo:rerun-if-changed={used}");
    }
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    let code = format!(
        "/// Built-in catalogue files: (path under catalogue/, contents, node tree in\n\
         /// the form of `yaml::encode`, empty if the file did not parse).\n\
         pub static CATALOGUE: &[(&str, &str, &[u8])] = {};\n\
         /// Built-in template files: (path under templates/, contents).\n\
         pub static TEMPLATES: &[(&str, &str)] = {};\n",
        catalogue(&manifest, &out),
        templates(&manifest),
    );
    fs::write(out.join("embedded.rs"), code).expect("write embedded.rs");
}
