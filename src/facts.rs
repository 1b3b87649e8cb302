//! The closed vocabularies of questionnaire schema version 1.
//!
//! Asset categories are not here: the catalogue's `assets.yaml` defines them.

/// Ways an asset connects, with the one-line meaning shown to buyers.
pub const CONNECTIVITY: &[(&str, &str)] = &[
    ("wired-network", "hospital LAN"),
    ("wireless", "Wi-Fi"),
    ("short-range-wireless", "Bluetooth, NFC, RFID"),
    ("remote-access", "supplier remote maintenance or support"),
    ("internet", "reachable from or reaching the internet"),
    ("cloud", "depends on a supplier-hosted or cloud service"),
    (
        "clinical-integration",
        "exchanges data with HIS/EHR/PACS (HL7, FHIR, DICOM)",
    ),
    ("removable-media", "USB sticks, discs, memory cards"),
];

/// Kinds of data the asset stores or processes.
pub const DATA: &[(&str, &str)] = &[
    ("patient-health", "special category data under GDPR Art. 9"),
    ("personal", "other personal data (staff, visitors)"),
    ("operational", "configuration, logs, building data"),
];

/// Services delivered besides goods.
pub const SERVICES: &[(&str, &str)] = &[
    ("installation", "installation and commissioning"),
    ("maintenance", "preventive and corrective maintenance"),
    ("remote-support", "support delivered remotely"),
    ("hosting", "hosting or operating a service for the buyer"),
    ("training", "training of staff"),
    (
        "software-development",
        "development or customisation of software",
    ),
    ("consulting", "advice, project or integration services"),
];

/// Procurement procedures.
pub const PROCEDURES: &[(&str, &str)] = &[
    ("open", "open procedure"),
    ("restricted", "restricted procedure"),
    ("competitive-dialogue", "competitive dialogue"),
    ("negotiated", "competitive procedure with negotiation"),
    ("framework-agreement", "framework agreement"),
    (
        "mini-competition",
        "mini-competition under a framework agreement",
    ),
];

/// Patient-safety impact levels.
pub const PATIENT_SAFETY: &[(&str, &str)] = &[
    ("high", "a failure or compromise can harm patients directly"),
    (
        "medium",
        "a failure or compromise can delay or degrade care",
    ),
    ("low", "no direct effect on patient care"),
];

/// Availability needs.
pub const AVAILABILITY: &[(&str, &str)] = &[
    (
        "critical",
        "must run around the clock; an outage stops care",
    ),
    ("high", "an outage of a few hours is tolerable"),
    ("normal", "an outage of a day is tolerable"),
];

/// The ids of a vocabulary.
pub fn ids(vocabulary: &[(&'static str, &'static str)]) -> Vec<&'static str> {
    vocabulary.iter().map(|(id, _)| *id).collect()
}

/// The description of an id, if it is one of the vocabulary.
pub fn describe(vocabulary: &[(&'static str, &'static str)], id: &str) -> Option<&'static str> {
    vocabulary.iter().find(|(i, _)| *i == id).map(|(_, d)| *d)
}

/// The help for `word`, which is not one of `allowed`: the id it is likely a typo
/// of, else the id it is a known synonym of (`wifi` for `wireless`), else what
/// `hint` finds (an asset category from the catalogue's examples, say).
pub fn suggest(
    word: &str,
    allowed: &[&str],
    hint: impl FnOnce(&str) -> Option<String>,
) -> Option<String> {
    crate::diag::did_you_mean(word, allowed.iter().copied())
        .or_else(|| {
            synonym(word)
                .filter(|id| allowed.contains(id))
                .map(|id| format!("`{word}` is written `{id}` here"))
        })
        .or_else(|| hint(word))
}

/// Words buyers use for an id: `wifi` for `wireless`, `bluetooth` for
/// `short-range-wireless`... Used to suggest the right id in error messages.
pub fn synonym(word: &str) -> Option<&'static str> {
    let w = word.to_lowercase().replace(['_', ' '], "-");
    Some(match w.as_str() {
        "wifi" | "wi-fi" | "wlan" => "wireless",
        "bluetooth" | "ble" | "nfc" | "rfid" | "zigbee" => "short-range-wireless",
        "lan" | "ethernet" | "network" | "wired" => "wired-network",
        "vpn" | "remote-maintenance" | "remote" => "remote-access",
        "usb" | "removable" | "usb-stick" => "removable-media",
        "hl7" | "fhir" | "dicom" | "integration" | "his" | "ehr" | "pacs" => "clinical-integration",
        "saas" | "hosted" => "cloud",
        "health" | "medical" | "patient" | "patient-data" | "health-data" => "patient-health",
        "personal-data" | "gdpr" | "staff" => "personal",
        "logs" | "configuration" | "technical" => "operational",
        "support" => "remote-support",
        "development" => "software-development",
        _ => return None,
    })
}
