//! Embeds the built-in catalogue and templates: generates a list of
//! `(relative path, contents)` for every file under `catalogue/` and `templates/`,
//! sorted so the binary (and so its output) does not depend on directory order.

use std::fs;
use std::path::{Path, PathBuf};

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

fn table(manifest: &Path, name: &str) -> String {
    let root = manifest.join(name);
    println!("cargo:rerun-if-changed={name}");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    let mut s = String::from("&[\n");
    for f in files {
        let rel = f
            .strip_prefix(&root)
            .expect("under root")
            .to_string_lossy()
            .replace('\\', "/");
        s.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            f.to_string_lossy()
        ));
    }
    s.push(']');
    s
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let code = format!(
        "/// Built-in catalogue files: (path under catalogue/, contents).\n\
         pub static CATALOGUE: &[(&str, &str)] = {};\n\
         /// Built-in template files: (path under templates/, contents).\n\
         pub static TEMPLATES: &[(&str, &str)] = {};\n",
        table(&manifest, "catalogue"),
        table(&manifest, "templates"),
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("embedded.rs");
    fs::write(out, code).expect("write embedded.rs");
}
