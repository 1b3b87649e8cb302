//! Per-stage timings of one annex, with the built-in catalogue and templates:
//! `cargo bench --bench stages`. Prints median and mean per stage, and what
//! typst's layout cache buys when consecutive annexes share most clause text.
//! Numbers depend on the machine: compare ratios, not absolute times.

use std::hint::black_box;
use std::time::{Duration, Instant};

use secannex::cli::files;
use secannex::generate::{self, Format, Request, Resources};
use secannex::render::{self, Provenance, Templates};
use secannex::write::{docx, pdf};

fn resources() -> Resources {
    files::builtin_resources().unwrap_or_else(|d| panic!("{}", secannex::diag::render_all(&d)))
}

fn time<T>(name: &str, runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    let mean = samples.iter().sum::<Duration>() / runs as u32;
    println!(
        "{name:<42} median {:>9.3} ms   mean {:>9.3} ms   ({runs} runs)",
        ms(median),
        ms(mean)
    );
    median
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let sample =
        std::fs::read("samples/infusion-pumps.yaml").expect("run from the repository root");
    let other = std::fs::read("samples/his-replacement.yaml").expect("sample");
    let res = resources();
    let date = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).expect("date");
    println!("stage timings for samples/infusion-pumps.yaml\n");

    time("catalogue: load (as generate does)", 20, || {
        secannex::catalogue::load(&files::builtin_catalogue())
    });
    time("catalogue: lint (every check)", 20, || {
        secannex::catalogue::lint(&files::builtin_catalogue())
    });
    let cat_files = files::builtin_catalogue();
    time("catalogue: YAML parsing only (directory)", 20, || {
        cat_files
            .iter()
            .filter(|f| secannex::yaml::parse(&f.source).is_ok())
            .count()
    });
    time("catalogue: decode stored trees only", 20, || {
        cat_files
            .iter()
            .filter_map(|f| f.tree.and_then(secannex::yaml::decode))
            .count()
    });
    let dir_files: Vec<_> = cat_files
        .iter()
        .map(|f| secannex::catalogue::CatalogueFile {
            tree: None,
            ..f.clone()
        })
        .collect();
    time("catalogue: load from YAML (--catalogue)", 20, || {
        secannex::catalogue::load(&dir_files)
    });
    time("templates: compile", 20, || {
        Templates::load(&files::templates(None).expect("templates"))
    });
    let (q, _) = generate::load_questionnaire(&res, "sample", &sample);
    let q = q.expect("valid sample");
    time("questionnaire: load and validate", 50, || {
        generate::load_questionnaire(&res, "sample", &sample)
    });
    let profile = &q.profiles[0];
    time("select", 200, || {
        secannex::select::select(&res.catalogue, profile)
    });
    let selection = secannex::select::select(&res.catalogue, profile);
    let provenance = Provenance {
        tool: secannex::TOOL.into(),
        questionnaire: "sample".into(),
        questionnaire_sha256: generate::sha256_hex(&sample),
        templates: "built-in".into(),
        catalogue_source: "built-in".into(),
    };
    let view = render::view::build(
        &res.catalogue,
        &q.procurement,
        profile,
        &selection,
        date,
        &provenance,
    );
    time("render: view + tera (annex)", 50, || {
        render::render(&res.templates, "annex", &view)
    });
    let markdown = render::render(&res.templates, "annex", &view).expect("renders");
    time("parse: Markdown to Document", 50, || {
        secannex::document::parse(&markdown)
    });
    let doc = generate::to_document(&markdown, &view, "annex");
    time("write: DOCX", 20, || docx::write(&doc));
    let style = pdf::Style {
        display: &res.templates.style.display,
        source: &res.templates.style.text,
    };
    typst::comemo::evict(0);
    time("write: PDF, cold cache", 1, || {
        pdf::write(&res.pdf, &style, &doc, "bench")
    });
    let warm = time("write: PDF, same annex again", 5, || {
        pdf::write(&res.pdf, &style, &doc, "bench")
    });
    // Another annex that shares most clause text: what a batch mostly sees.
    let (q2, _) = generate::load_questionnaire(&res, "other", &other);
    let q2 = q2.expect("valid sample");
    let sel2 = secannex::select::select(&res.catalogue, &q2.profiles[0]);
    let view2 = render::view::build(
        &res.catalogue,
        &q2.procurement,
        &q2.profiles[0],
        &sel2,
        date,
        &provenance,
    );
    let doc2 = generate::to_document(
        &render::render(&res.templates, "annex", &view2).expect("renders"),
        &view2,
        "annex",
    );
    typst::comemo::evict(0);
    let cold2 = time("write: PDF, other annex, cold", 5, || {
        typst::comemo::evict(0);
        pdf::write(&res.pdf, &style, &doc2, "bench")
    });
    // The other annex right after the first, as in a batch: only its own time counts.
    let mut after: Vec<Duration> = (0..5)
        .map(|_| {
            typst::comemo::evict(0);
            pdf::write(&res.pdf, &style, &doc, "bench").expect("pdf");
            let start = Instant::now();
            black_box(pdf::write(&res.pdf, &style, &doc2, "bench").expect("pdf"));
            start.elapsed()
        })
        .collect();
    after.sort();
    let shared = after[after.len() / 2];
    println!(
        "{:<42} median {:>9.3} ms   (5 runs)",
        "write: PDF, other annex after one",
        ms(shared)
    );
    let formats = Format::ALL;
    time("generate: all formats, one annex", 5, || {
        generate::generate(
            &res,
            &Request {
                name: "sample",
                bytes: &sample,
                date,
                formats: &formats,
                threads: 1,
            },
        )
    });
    println!(
        "\ntypst cache: a different annex typeset right after another costs {:.2}x a cold one; repeating the same annex costs {:.2}x",
        ms(shared) / ms(cold2),
        ms(warm) / ms(cold2)
    );
}
