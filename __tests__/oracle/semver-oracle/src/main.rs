//! Reference answers for the differential test of src/version/: the real `semver` crate,
//! with the spec pre-processing Wasmer applies before it (`named_package_ident.rs`).
//!
//! stdin: a JSON array of cases, each either
//!   {"spec": "<ns/name@req>", "versions": [{"version": "...", "archived": false}, ...]}
//! or
//!   {"sort": ["<version>", ...]}
//! stdout: a JSON array with one answer per case, in order:
//!   {"name", "tag", "kind", "display", "matches", "chosen"}  or  {"sorted": [...]}.

use std::io::{self, Read, Write};
use std::str::FromStr;

use semver::{Version, VersionReq};
use serde_json::{json, Value};

/// What the text after `@` means to Wasmer.
enum Requirement {
    /// No `@`, or nothing after it.
    None,
    /// `latest`, or a requirement without comparators (`*`).
    Any,
    Range(VersionReq),
    /// A full version with build metadata: only that exact version matches.
    ExactBuild(Version),
    /// Text that is not a requirement; Wasmer resolves it like `*`.
    Named,
    /// Build metadata on something other than a full version: Wasmer refuses the spec.
    Error,
}

impl Requirement {
    fn kind(&self) -> &'static str {
        match self {
            Requirement::None => "none",
            Requirement::Any => "any",
            Requirement::Range(_) => "range",
            Requirement::ExactBuild(_) => "exact-build",
            Requirement::Named => "named",
            Requirement::Error => "error",
        }
    }

    /// The requirement as the crate prints it (`Display`), for ranges only.
    fn display(&self) -> Option<String> {
        match self {
            Requirement::Range(req) => Some(req.to_string()),
            _ => None,
        }
    }

    fn matches(&self, version: &Version) -> Option<bool> {
        match self {
            Requirement::None | Requirement::Any | Requirement::Named => {
                Some(VersionReq::STAR.matches(version))
            }
            Requirement::Range(req) => Some(req.matches(version)),
            Requirement::ExactBuild(pinned) => Some(version == pinned),
            Requirement::Error => None,
        }
    }
}

fn classify(tag: &str) -> Requirement {
    if tag == "latest" {
        return Requirement::Any;
    }
    if let Ok(version) = Version::from_str(tag) {
        if !version.build.is_empty() {
            return Requirement::ExactBuild(version);
        }
    }
    match VersionReq::from_str(tag) {
        Ok(_) if tag.contains('+') => Requirement::Error,
        Ok(req) if req.comparators.is_empty() => Requirement::Any,
        Ok(req) => Requirement::Range(req),
        Err(_) => Requirement::Named,
    }
}

fn answer_spec(case: &Value) -> Value {
    let spec = case["spec"].as_str().expect("spec is a string");
    let trimmed = spec.trim();
    let (name, tag) = match trimmed.rsplit_once('@') {
        Some((name, tag)) => (name, Some(tag)),
        None => (trimmed, None),
    };
    let requirement = match tag {
        None | Some("") => Requirement::None,
        Some(tag) => classify(tag),
    };

    let versions = case["versions"].as_array().expect("versions is a list");
    let mut matches = Vec::with_capacity(versions.len());
    let mut chosen: Option<(Version, &str)> = None;
    for entry in versions {
        let text = entry["version"].as_str().expect("version is a string");
        let archived = entry["archived"].as_bool().expect("archived is a boolean");
        let Ok(version) = Version::parse(text) else {
            matches.push(Value::Null);
            continue;
        };
        let matched = requirement.matches(&version);
        matches.push(matched.map_or(Value::Null, Value::Bool));
        if matched == Some(true) && !archived {
            let higher = chosen.as_ref().map_or(true, |(best, _)| version > *best);
            if higher {
                chosen = Some((version, text));
            }
        }
    }

    json!({
        "name": name,
        "tag": tag,
        "kind": requirement.kind(),
        "display": requirement.display(),
        "matches": matches,
        "chosen": chosen.map(|(_, text)| text),
    })
}

fn answer_sort(texts: &[Value]) -> Value {
    let mut versions: Vec<(Version, &str)> = texts
        .iter()
        .filter_map(|t| t.as_str())
        .filter_map(|t| Version::parse(t).ok().map(|v| (v, t)))
        .collect();
    versions.sort_by(|a, b| a.0.cmp(&b.0));
    json!({ "sorted": versions.iter().map(|(_, t)| *t).collect::<Vec<_>>() })
}

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).expect("read stdin");
    let cases: Vec<Value> = serde_json::from_str(&input).expect("stdin is a JSON array");
    let answers: Vec<Value> = cases
        .iter()
        .map(|case| match case.get("sort").and_then(Value::as_array) {
            Some(texts) => answer_sort(texts),
            None => answer_spec(case),
        })
        .collect();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer(&mut out, &answers).expect("write stdout");
    out.write_all(b"\n").expect("write stdout");
}
