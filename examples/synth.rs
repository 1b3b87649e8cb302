//! Writes N synthetic but valid questionnaires, for batch benchmarks:
//! `cargo run --release --example synth -- 1000 target/synth`.
//!
//! Each questionnaire draws its asset category, connectivity, data, services and
//! criticality from a fixed pseudo-random sequence (no clock, no randomness crate),
//! so the same N gives the same files.

use std::fmt::Write as _;

const CATEGORIES: [&str; 9] = [
    "clinical-information-system",
    "networked-medical-device",
    "remote-care-system",
    "mobile-client-device",
    "identification-system",
    "networking-equipment",
    "industrial-control-system",
    "cloud-service",
    "professional-service",
];
const CONNECTIVITY: [&str; 8] = [
    "wired-network",
    "wireless",
    "short-range-wireless",
    "remote-access",
    "internet",
    "cloud",
    "clinical-integration",
    "removable-media",
];
const DATA: [&str; 3] = ["patient-health", "personal", "operational"];
const SERVICES: [&str; 7] = [
    "installation",
    "maintenance",
    "remote-support",
    "hosting",
    "training",
    "software-development",
    "consulting",
];
const SAFETY: [&str; 3] = ["high", "medium", "low"];
const AVAILABILITY: [&str; 3] = ["critical", "high", "normal"];

/// A small linear congruential generator: deterministic, good enough to vary inputs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
    fn subset(&mut self, items: &[&str]) -> String {
        let chosen: Vec<&str> = items
            .iter()
            .copied()
            .filter(|_| self.next().is_multiple_of(3))
            .collect();
        format!("[{}]", chosen.join(", "))
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "target/synth".into()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        std::process::exit(3);
    }
    let mut rng = Lcg(2027);
    for i in 0..n {
        let category = rng.pick(&CATEGORIES);
        let medical = matches!(category, "networked-medical-device" | "remote-care-system")
            || rng.next().is_multiple_of(5);
        let mut y = String::new();
        let _ = writeln!(y, "# Synthetic questionnaire {i} for batch benchmarks.");
        let _ = writeln!(y, "schema_version: 1\nprocurement:");
        let _ = writeln!(y, "  title: Synthetic procurement {i} of {category}");
        let _ = writeln!(
            y,
            "  reference: SYN-{i:05}\n  buyer: Synthetic Hospital {}\n  date: 2027-06-01",
            i % 17
        );
        let _ = writeln!(
            y,
            "asset:\n  category: {category}\n  medical_device: {medical}"
        );
        let _ = writeln!(y, "connectivity: {}", rng.subset(&CONNECTIVITY));
        let _ = writeln!(y, "data: {}", rng.subset(&DATA));
        let _ = writeln!(y, "services: {}", rng.subset(&SERVICES));
        let _ = writeln!(
            y,
            "criticality: {{ patient_safety: {}, availability: {} }}",
            rng.pick(&SAFETY),
            rng.pick(&AVAILABILITY)
        );
        let _ = writeln!(
            y,
            "lifecycle: {{ expected_years: {}, integrates_with_legacy: {} }}",
            3 + rng.next() % 13,
            rng.next().is_multiple_of(2)
        );
        if let Err(e) = std::fs::write(dir.join(format!("q{i:05}.yaml")), y) {
            eprintln!("cannot write: {e}");
            std::process::exit(3);
        }
    }
    println!("wrote {n} questionnaires to {}", dir.display());
}
